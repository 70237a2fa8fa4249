package dev.sonnet.runtime.opencl;

import dev.sonnet.SonnetException;

/** An OpenCL call failed; {@link #status()} is the raw OpenCL status code (0 when not a call). */
public class OpenClException extends SonnetException {
  private static final long serialVersionUID = 1L;

  private final int status;

  public OpenClException(String message, int status) {
    super(message);
    this.status = status;
  }

  public OpenClException(String message, Throwable cause) {
    super(message, cause);
    this.status = 0;
  }

  /** The OpenCL status code of the failed call, e.g. {@code -5} for CL_OUT_OF_RESOURCES. */
  public int status() {
    return status;
  }
}

package dev.sonnet.runtime.opencl;

/**
 * The device could not hold a requested buffer. The message names the request (dtype, elements,
 * bytes), what this process holds on the device, and the device's limits.
 */
public final class OpenClOutOfMemoryException extends OpenClException {
  private static final long serialVersionUID = 1L;

  public OpenClOutOfMemoryException(String message, int status) {
    super(message, status);
  }
}

package dev.sonnet.data;

import dev.sonnet.SonnetException;

/** A dataset file is missing, truncated or not what it claims to be; the message names the file. */
public final class DatasetException extends SonnetException {
  private static final long serialVersionUID = 1L;

  public DatasetException(String message) {
    super(message);
  }

  public DatasetException(String message, Throwable cause) {
    super(message, cause);
  }
}

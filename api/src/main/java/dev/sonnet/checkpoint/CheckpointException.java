package dev.sonnet.checkpoint;

import dev.sonnet.SonnetException;

/**
 * The base of every error the checkpoint package throws on purpose: a file that cannot be read or
 * written ({@link CheckpointFormatException} for one that is not a valid safetensors file), or
 * state that does not match a file ({@link CheckpointMismatchException}). I/O failures arrive as
 * this exception with the {@link java.io.IOException} as its cause.
 */
public class CheckpointException extends SonnetException {
  private static final long serialVersionUID = 1L;

  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}

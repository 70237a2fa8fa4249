package dev.sonnet.checkpoint;

import java.nio.file.Path;

/**
 * A file is not a valid safetensors file, or lies about itself: it is truncated, its header is not
 * JSON or declares sizes, offsets or dtypes that cannot be right. The message names the file and
 * the problem, with the numbers involved. Nothing was restored when this is thrown.
 */
public final class CheckpointFormatException extends CheckpointException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;

  public CheckpointFormatException(Path file, String problem) {
    super(file + ": " + problem);
    this.file = file;
  }

  public CheckpointFormatException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
  }

  /** The file that could not be read. */
  public Path file() {
    return file;
  }
}

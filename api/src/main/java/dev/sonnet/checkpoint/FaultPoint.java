package dev.sonnet.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The moments of an atomic save at which a test can simulate a crash or a full disk (see {@link
 * SafeTensors}): throwing an {@link IOException} from the hook is a failed write, which the writer
 * cleans up after; throwing an {@link Error} is a crash, after which nothing is cleaned up, just as
 * when the process dies.
 */
enum FaultPoint {
  /** The temporary file exists and is empty. */
  TEMP_CREATED,
  /** The length and the JSON header are written. */
  HEADER_WRITTEN,
  /** One more tensor's data is written (reached once per tensor). */
  TENSOR_WRITTEN,
  /** All bytes are written, not yet synced to the disk. */
  DATA_WRITTEN,
  /** The temporary file is synced and closed, not yet renamed into place. */
  SYNCED,
  /** The temporary file has replaced the target; the directory is not yet synced. */
  RENAMED;

  /** Receives each fault point as it is reached. */
  @FunctionalInterface
  interface Hook {
    Hook NONE = (point, temp) -> {};

    void reached(FaultPoint point, Path temp) throws IOException;
  }
}

package dev.sonnet.data;

import java.util.Iterator;

/**
 * One pass over a {@link Dataset}: an iterator that may hold resources (a prefetch thread, an open
 * file) and frees them in {@link #close()}. Open it in a try-with-resources block; it is also
 * {@link Iterable} (returning itself, once), so a for-each loop reads it:
 *
 * <pre>{@code
 * try (DataIterator<Batch> batches = dataset.open()) {
 *   for (Batch b : batches) { ... }
 * }
 * }</pre>
 *
 * <p>Running off the end frees everything too; {@code close()} is what makes an early {@code break}
 * or an exception leave no thread behind. A pass belongs to the thread that reads it.
 */
public interface DataIterator<T> extends Iterator<T>, Iterable<T>, AutoCloseable {
  /** Frees the pass's resources; later calls of {@link #hasNext()} return false. Idempotent. */
  @Override
  void close();

  /** This iterator itself: a pass is read once. */
  @Override
  default Iterator<T> iterator() {
    return this;
  }
}

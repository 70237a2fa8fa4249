package dev.sonnet.data;

import java.util.NoSuchElementException;

/**
 * The skeleton of the pipeline's iterators (Guava's {@code AbstractIterator} pattern): a subclass
 * computes the next element or says the pass has ended, and closes what it holds; this class keeps
 * {@code hasNext}/{@code next} consistent and makes {@code close} idempotent.
 */
abstract class AbstractDataIterator<T> implements DataIterator<T> {
  private T next;
  private boolean done;
  private boolean closed;

  /** The next element, or null at the end of the pass. Elements are never null. */
  protected abstract T computeNext();

  /** Frees this iterator's resources (upstream iterators, threads); called once. */
  protected abstract void onClose();

  @Override
  public final boolean hasNext() {
    if (next != null) {
      return true;
    }
    if (done) {
      return false;
    }
    T n = computeNext();
    if (n == null) {
      done = true;
      close();
      return false;
    }
    next = n;
    return true;
  }

  @Override
  public final T next() {
    if (!hasNext()) {
      throw new NoSuchElementException("The dataset pass has ended (or was closed)");
    }
    T n = next;
    next = null;
    return n;
  }

  @Override
  public final void close() {
    done = true;
    next = null;
    if (!closed) {
      closed = true;
      onClose();
    }
  }
}

package dev.sonnet.data;

import dev.sonnet.tensor.Rng;
import java.util.NoSuchElementException;
import java.util.PrimitiveIterator;

/**
 * The order in which an {@link ArrayDataset} visits its examples: each pass opens a stream of
 * indices. Shuffles, takes and repeats compose here, on ints, before any example is touched.
 */
abstract class IndexOrder {
  /** The length of {@link #length()} for an endless order. */
  static final long ENDLESS = -1;

  /** A new pass's indices. */
  abstract PrimitiveIterator.OfInt open();

  /** Indices per pass, or {@link #ENDLESS}. */
  abstract long length();

  /** {@code 0, 1, ..., count - 1}. */
  static IndexOrder range(int count) {
    return new IndexOrder() {
      @Override
      PrimitiveIterator.OfInt open() {
        return new Ints(null, count);
      }

      @Override
      long length() {
        return count;
      }
    };
  }

  /** The first {@code n} indices of each pass. */
  IndexOrder take(long n) {
    IndexOrder up = this;
    return new IndexOrder() {
      @Override
      PrimitiveIterator.OfInt open() {
        PrimitiveIterator.OfInt in = up.open();
        return new PrimitiveIterator.OfInt() {
          long taken;

          @Override
          public boolean hasNext() {
            return taken < n && in.hasNext();
          }

          @Override
          public int nextInt() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            taken++;
            return in.nextInt();
          }
        };
      }

      @Override
      long length() {
        return up.length() == ENDLESS ? n : Math.min(n, up.length());
      }
    };
  }

  /**
   * Each pass a uniform permutation of the upstream pass (Fisher-Yates: for {@code i} from {@code n
   * - 1} down to 1, swap {@code i} with {@code rng.nextInt(i + 1)}), drawing from {@code rng}.
   */
  IndexOrder shuffle(Rng rng) {
    IndexOrder up = this;
    if (up.length() == ENDLESS) {
      throw new IllegalArgumentException(
          "shuffle: this dataset is endless (repeat() without a count); shuffle before repeat()");
    }
    return new IndexOrder() {
      @Override
      PrimitiveIterator.OfInt open() {
        int[] p = new int[(int) up.length()];
        PrimitiveIterator.OfInt in = up.open();
        int n = 0;
        while (in.hasNext()) {
          p[n++] = in.nextInt();
        }
        synchronized (rng) {
          for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
          }
        }
        return new Ints(p, n);
      }

      @Override
      long length() {
        return up.length();
      }
    };
  }

  /** {@code times} upstream passes one after another ({@code times < 0}: endless). */
  IndexOrder repeat(int times) {
    IndexOrder up = this;
    return new IndexOrder() {
      @Override
      PrimitiveIterator.OfInt open() {
        return new PrimitiveIterator.OfInt() {
          PrimitiveIterator.OfInt current;
          int started;

          @Override
          public boolean hasNext() {
            while (current == null || !current.hasNext()) {
              if (up.length() == 0 || (times >= 0 && started >= times)) {
                return false;
              }
              current = up.open();
              started++;
            }
            return true;
          }

          @Override
          public int nextInt() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            return current.nextInt();
          }
        };
      }

      @Override
      long length() {
        return times < 0 || up.length() == ENDLESS ? ENDLESS : up.length() * times;
      }
    };
  }

  /** The first {@code n} values of an array, or {@code 0 .. n-1} when the array is null. */
  private static final class Ints implements PrimitiveIterator.OfInt {
    private final int[] values;
    private final int n;
    private int i;

    Ints(int[] values, int n) {
      this.values = values;
      this.n = n;
    }

    @Override
    public boolean hasNext() {
      return i < n;
    }

    @Override
    public int nextInt() {
      if (i >= n) {
        throw new NoSuchElementException();
      }
      int v = values == null ? i : values[i];
      i++;
      return v;
    }
  }
}

package dev.sonnet.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A re-readable sequence of elements and the transformations of an input pipeline, in the spirit of
 * {@code tf.data}: each method returns a new dataset and leaves this one unchanged; nothing is read
 * until {@link #open()} starts a pass.
 *
 * <pre>{@code
 * Dataset<Batch> train = Datasets.fashionMnist().train()   // an ArrayDataset of images and labels
 *     .shuffle(42)                                         // a new permutation each pass
 *     .batch(100, Remainder.DROP)
 *     .prefetch(2);                                        // next batches made on a background thread
 * for (int epoch = 0; epoch < 10; epoch++) {
 *   try (DataIterator<Batch> batches = train.open()) {
 *     for (Batch b : batches) { ... b.get("image") ... b.get("label") ... }
 *   }
 * }
 * }</pre>
 *
 * <p>In-memory data ({@link Datasets#fromArrays}, IDX and CSV files) is an {@link ArrayDataset},
 * whose shuffle permutes indices and whose batches are gathered row by row into one host array,
 * then handed to the backend; the generic operations here apply to any element type.
 *
 * <p>Threads: a pass belongs to the thread that reads it. Only {@link #prefetch} runs the stages
 * before it on a background thread (one per pass, ended when the pass ends or is closed).
 *
 * @param <T> the element type; elements are never null
 */
public abstract class Dataset<T> {

  /** For subclasses. */
  protected Dataset() {}

  /** Starts a pass over the elements; close it (try-with-resources) to free its resources. */
  public abstract DataIterator<T> open();

  /**
   * Applies {@code fn} to each element, on the thread running this stage (the reader's, or the
   * prefetch thread for stages before a {@link #prefetch}).
   */
  public <R> Dataset<R> map(Function<? super T, ? extends R> fn) {
    Objects.requireNonNull(fn, "map: fn");
    Dataset<T> upstream = this;
    return new Dataset<>() {
      @Override
      public DataIterator<R> open() {
        DataIterator<T> in = upstream.open();
        return new AbstractDataIterator<>() {
          @Override
          protected R computeNext() {
            if (!in.hasNext()) {
              return null;
            }
            R r = fn.apply(in.next());
            if (r == null) {
              throw new DatasetException(
                  "map: the function returned null; elements are never null");
            }
            return r;
          }

          @Override
          protected void onClose() {
            in.close();
          }
        };
      }
    };
  }

  /** Keeps the elements for which {@code keep} is true. */
  public Dataset<T> filter(Predicate<? super T> keep) {
    Objects.requireNonNull(keep, "filter: keep");
    Dataset<T> upstream = this;
    return new Dataset<>() {
      @Override
      public DataIterator<T> open() {
        DataIterator<T> in = upstream.open();
        return new AbstractDataIterator<>() {
          @Override
          protected T computeNext() {
            while (in.hasNext()) {
              T t = in.next();
              if (keep.test(t)) {
                return t;
              }
            }
            return null;
          }

          @Override
          protected void onClose() {
            in.close();
          }
        };
      }
    };
  }

  /** At most the first {@code count} elements of each pass. */
  public Dataset<T> take(long count) {
    if (count < 0) {
      throw new IllegalArgumentException("take: count must be >= 0, got " + count);
    }
    Dataset<T> upstream = this;
    return new Dataset<>() {
      @Override
      public DataIterator<T> open() {
        DataIterator<T> in = upstream.open();
        return new AbstractDataIterator<>() {
          long taken;

          @Override
          protected T computeNext() {
            if (taken >= count || !in.hasNext()) {
              return null;
            }
            taken++;
            return in.next();
          }

          @Override
          protected void onClose() {
            in.close();
          }
        };
      }
    };
  }

  /**
   * Reads this dataset {@code times} times in one pass, opening a fresh pass of it each time (so a
   * shuffle before the repeat gives each repetition its own order). An empty dataset stays empty.
   */
  public Dataset<T> repeat(int times) {
    if (times < 0) {
      throw new IllegalArgumentException("repeat: times must be >= 0, got " + times);
    }
    return new RepeatDataset<>(this, times);
  }

  /** Repeats this dataset without end (an empty one stays empty); pair with {@link #take}. */
  public Dataset<T> repeat() {
    return new RepeatDataset<>(this, RepeatDataset.FOREVER);
  }

  /**
   * Shuffles through a buffer of {@code bufferSize} elements, as {@code tf.data}'s {@code
   * shuffle(buffer_size, seed)}: the buffer is filled, then each output is a uniformly chosen
   * buffer element, replaced by the next input. A buffer at least as large as the dataset gives a
   * uniform permutation; an {@link ArrayDataset} does that without a buffer ({@link
   * ArrayDataset#shuffle(long)}).
   *
   * <p>The order is a function of {@code seed} and of how many passes this dataset object has
   * begun: its k-th pass uses the k-th stretch of one random stream, so a program that makes the
   * same calls sees the same orders, and every pass (every epoch) a new one.
   */
  public Dataset<T> shuffle(int bufferSize, long seed) {
    if (bufferSize < 1) {
      throw new IllegalArgumentException("shuffle: bufferSize must be >= 1, got " + bufferSize);
    }
    return new BufferShuffleDataset<>(this, bufferSize, seed);
  }

  /**
   * Groups consecutive elements into batches of {@code size}, each made by {@code collate} from the
   * list of its elements (the list is the callee's to keep).
   *
   * @param remainder whether a last batch smaller than {@code size} is kept or dropped
   */
  public <B> Dataset<B> batch(
      int size, Remainder remainder, Function<? super List<T>, ? extends B> collate) {
    if (size < 1) {
      throw new IllegalArgumentException("batch: size must be >= 1, got " + size);
    }
    Objects.requireNonNull(remainder, "batch: remainder");
    Objects.requireNonNull(collate, "batch: collate");
    Dataset<T> upstream = this;
    return new Dataset<>() {
      @Override
      public DataIterator<B> open() {
        DataIterator<T> in = upstream.open();
        return new AbstractDataIterator<>() {
          @Override
          protected B computeNext() {
            List<T> items = new ArrayList<>(size);
            while (items.size() < size && in.hasNext()) {
              items.add(in.next());
            }
            if (items.isEmpty() || (items.size() < size && remainder == Remainder.DROP)) {
              return null;
            }
            B b = collate.apply(items);
            if (b == null) {
              throw new DatasetException("batch: collate returned null; elements are never null");
            }
            return b;
          }

          @Override
          protected void onClose() {
            in.close();
          }
        };
      }
    };
  }

  /**
   * Prepares up to {@code depth} elements ahead on a background thread while the reader works on
   * the current one (tf.data's {@code prefetch}, PyTorch's worker): the stages before this one run
   * on that thread, one per pass. The queue is bounded, so the thread waits once it is {@code
   * depth} elements ahead. An exception in those stages reaches the reader, at the element where it
   * happened, as a {@link DatasetException} whose cause is the original. Closing the pass (or
   * reaching its end) stops the thread and waits for it.
   *
   * <p>Tensors made on the background thread belong to no {@code TensorScope} (the garbage
   * collector frees them); an {@link ArrayDataset}'s batches are host arrays until the reader asks
   * for a tensor ({@link Batch#get}), so the usual {@code batch(...).prefetch(n)} makes its tensors
   * on the reader's thread, inside its step's scope.
   */
  public Dataset<T> prefetch(int depth) {
    if (depth < 1) {
      throw new IllegalArgumentException("prefetch: depth must be >= 1, got " + depth);
    }
    return new PrefetchDataset<>(this, depth);
  }

  /** Reads one whole pass, giving each element to {@code action}; the pass is closed at the end. */
  public void forEach(Consumer<? super T> action) {
    try (DataIterator<T> it = open()) {
      while (it.hasNext()) {
        action.accept(it.next());
      }
    }
  }

  /** One whole pass as a list: for small datasets and tests. */
  public List<T> toList() {
    List<T> out = new ArrayList<>();
    forEach(out::add);
    return out;
  }
}

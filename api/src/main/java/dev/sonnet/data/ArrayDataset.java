package dev.sonnet.data;

import dev.sonnet.tensor.Rng;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.PrimitiveIterator;
import java.util.Set;

/**
 * Examples held in host arrays, one {@link Column} per field (PyTorch's {@code TensorDataset},
 * tf.data's {@code from_tensor_slices}): what {@link Datasets#fromArrays}, {@link Datasets#fromIdx}
 * and {@link Datasets#fromCsv} give. Its {@link #shuffle(long)}, {@link #take}, {@link #repeat}
 * reorder indices only, and {@link #batch(int, Remainder)} copies each batch's rows into one host
 * array per column ({@code System.arraycopy} per example), which becomes one tensor when read.
 *
 * <pre>{@code
 * ArrayDataset data = Datasets.fromArrays(
 *     Column.floats("x", xs, 3),       // 3 features per example
 *     Column.ints("y", ys));           // one label per example
 * Dataset<Batch> batches = data.shuffle(7).batch(32, Remainder.DROP);
 * }</pre>
 */
public final class ArrayDataset extends Dataset<Example> {
  private final List<Column> columns;
  private final int count;
  private final IndexOrder order;

  private ArrayDataset(List<Column> columns, int count, IndexOrder order) {
    this.columns = columns;
    this.count = count;
    this.order = order;
  }

  /**
   * The dataset of these columns, which must have the same number of examples and distinct names.
   */
  static ArrayDataset of(List<Column> columns) {
    if (columns.isEmpty()) {
      throw new IllegalArgumentException("fromArrays: at least one column is needed");
    }
    Set<String> names = new HashSet<>();
    int count = columns.get(0).count();
    for (Column c : columns) {
      Objects.requireNonNull(c, "fromArrays: a column is null");
      if (!names.add(c.name())) {
        throw new IllegalArgumentException(
            "fromArrays: two columns are named '" + c.name() + "'; names must be distinct");
      }
      if (c.count() != count) {
        throw new IllegalArgumentException(
            "fromArrays: columns disagree on the number of examples: "
                + columns.get(0)
                + " but "
                + c);
      }
    }
    return new ArrayDataset(List.copyOf(columns), count, IndexOrder.range(count));
  }

  /** Examples in the arrays (before take or repeat). */
  public int exampleCount() {
    return count;
  }

  /** Examples per pass: after {@link #take} and {@link #repeat}; -1 when endless. */
  public long length() {
    return order.length();
  }

  /** The columns, in order. */
  public List<Column> columns() {
    return columns;
  }

  /** The column called {@code name}. */
  public Column column(String name) {
    return find(columns, name);
  }

  /**
   * This dataset with byte column {@code name} delivering {@code (b & 0xff) * scale + shift} (see
   * {@link Column#scaled}); order and other columns unchanged.
   */
  public ArrayDataset scaled(String name, float scale, float shift) {
    List<Column> cs = new ArrayList<>(columns);
    cs.set(cs.indexOf(find(columns, name)), find(columns, name).scaled(scale, shift));
    return new ArrayDataset(List.copyOf(cs), count, order);
  }

  /**
   * Each pass a new uniform permutation (tf.data's {@code shuffle} with a full buffer and {@code
   * reshuffle_each_iteration}, PyTorch's {@code shuffle=True} with a seeded generator), without
   * buffering examples: the k-th pass of the returned dataset uses the k-th permutation drawn from
   * {@code new Rng(seed)}, so the same program gives the same orders on every run.
   */
  public ArrayDataset shuffle(long seed) {
    return shuffle(new Rng(seed));
  }

  /**
   * As {@link #shuffle(long)}, drawing from {@code rng}: one permutation per pass, so a checkpoint
   * that saves {@code rng} (with {@code Checkpoint.add}) resumes the same sequence of orders.
   */
  public ArrayDataset shuffle(Rng rng) {
    Objects.requireNonNull(rng, "shuffle: rng");
    return new ArrayDataset(columns, count, order.shuffle(rng));
  }

  @Override
  public ArrayDataset take(long n) {
    if (n < 0) {
      throw new IllegalArgumentException("take: count must be >= 0, got " + n);
    }
    return new ArrayDataset(columns, count, order.take(n));
  }

  @Override
  public ArrayDataset repeat(int times) {
    if (times < 0) {
      throw new IllegalArgumentException("repeat: times must be >= 0, got " + times);
    }
    return new ArrayDataset(columns, count, order.repeat(times));
  }

  @Override
  public ArrayDataset repeat() {
    return new ArrayDataset(columns, count, order.repeat(-1));
  }

  /** Batches of {@code size}, keeping a smaller last batch (tf.data's and PyTorch's default). */
  public Dataset<Batch> batch(int size) {
    return batch(size, Remainder.KEEP);
  }

  /**
   * Batches of {@code size}; a last, smaller batch is kept or dropped as {@code remainder} says.
   */
  public Dataset<Batch> batch(int size, Remainder remainder) {
    if (size < 1) {
      throw new IllegalArgumentException("batch: size must be >= 1, got " + size);
    }
    Objects.requireNonNull(remainder, "batch: remainder");
    List<Column> cs = columns;
    IndexOrder o = order;
    return new Dataset<>() {
      @Override
      public DataIterator<Batch> open() {
        PrimitiveIterator.OfInt in = o.open();
        return new AbstractDataIterator<>() {
          @Override
          protected Batch computeNext() {
            int[] indices = new int[size];
            int n = 0;
            while (n < size && in.hasNext()) {
              indices[n++] = in.nextInt();
            }
            if (n == 0 || (n < size && remainder == Remainder.DROP)) {
              return null;
            }
            return new Batch(cs, indices, n);
          }

          @Override
          protected void onClose() {}
        };
      }
    };
  }

  @Override
  public DataIterator<Example> open() {
    PrimitiveIterator.OfInt in = order.open();
    return new AbstractDataIterator<>() {
      @Override
      protected Example computeNext() {
        return in.hasNext() ? new Example(columns, in.nextInt()) : null;
      }

      @Override
      protected void onClose() {}
    };
  }

  static Column find(List<Column> columns, String name) {
    for (Column c : columns) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    List<String> names = new ArrayList<>();
    for (Column c : columns) {
      names.add(c.name());
    }
    throw new IllegalArgumentException("No column '" + name + "'; the columns are " + names);
  }

  @Override
  public String toString() {
    return "ArrayDataset(" + count + " examples; " + columns + ")";
  }
}

package dev.sonnet.data;

import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A batch of examples of an {@link ArrayDataset}: one host array per column, gathered on whichever
 * thread made the batch (a prefetch thread, typically), and made a tensor {@code [size,
 * exampleShape...]} on the first {@link #get} by the thread that asks, so the tensor belongs to
 * that thread's open {@code TensorScope} (the training step's) and is freed with it.
 *
 * <p>The tensor is kept after the first {@code get}: read each column once per step, inside the
 * step's scope; once that scope has closed, the tensor is freed and using it is an error.
 */
public final class Batch {
  private final List<Column> columns;
  private final int[] indices;
  private final int size;
  private final Object[] host;
  private final Tensor[] tensors;

  Batch(List<Column> columns, int[] indices, int size) {
    this.columns = columns;
    this.indices = indices;
    this.size = size;
    this.host = new Object[columns.size()];
    for (int c = 0; c < host.length; c++) {
      host[c] = columns.get(c).gather(indices, size);
    }
    this.tensors = new Tensor[columns.size()];
  }

  /**
   * Collates examples of one {@link ArrayDataset} into a batch: the {@code collate} argument of
   * {@link Dataset#batch} for a {@code Dataset<Example>} that has been through generic stages
   * ({@code filter}, {@code shuffle(bufferSize, seed)}).
   */
  public static Batch of(List<Example> examples) {
    if (examples.isEmpty()) {
      throw new IllegalArgumentException("Batch.of: no examples");
    }
    List<Column> columns = examples.get(0).columns();
    int[] indices = new int[examples.size()];
    for (int i = 0; i < indices.length; i++) {
      Example e = examples.get(i);
      if (e.columns() != columns) {
        throw new IllegalArgumentException(
            "Batch.of: example " + i + " comes from another dataset than example 0");
      }
      indices[i] = e.index();
    }
    return new Batch(columns, indices, indices.length);
  }

  /** Number of examples. */
  public int size() {
    return size;
  }

  /** The column names, in order. */
  public List<String> names() {
    List<String> names = new ArrayList<>(columns.size());
    for (Column c : columns) {
      names.add(c.name());
    }
    return Collections.unmodifiableList(names);
  }

  /** The examples' indices in the dataset's arrays, in batch order. */
  public int[] indices() {
    return Arrays.copyOf(indices, size);
  }

  /** Column {@code name} as a tensor {@code [size, exampleShape...]}. */
  public Tensor get(String name) {
    for (int c = 0; c < columns.size(); c++) {
      if (columns.get(c).name().equals(name)) {
        return get(c);
      }
    }
    throw new IllegalArgumentException(
        "Batch has no column '" + name + "'; its columns are " + names());
  }

  /** Column {@code column} (in {@link #names()} order) as a tensor. */
  public synchronized Tensor get(int column) {
    if (column < 0 || column >= columns.size()) {
      throw new IndexOutOfBoundsException(
          "Batch has " + columns.size() + " columns " + names() + ", asked for column " + column);
    }
    if (tensors[column] == null) {
      tensors[column] = columns.get(column).toTensor(host[column], size);
      host[column] = null; // the tensor holds the values now
    }
    return tensors[column];
  }

  @Override
  public String toString() {
    return "Batch(" + size + " examples, columns " + names() + ")";
  }
}

package dev.sonnet.data;

import dev.sonnet.tensor.Tensor;
import java.util.List;

/**
 * One example of an {@link ArrayDataset}: its index and read access to its columns. Cheap to make
 * (it copies nothing); the accessors copy one example's values.
 */
public final class Example {
  private final List<Column> columns;
  private final int index;

  Example(List<Column> columns, int index) {
    this.columns = columns;
    this.index = index;
  }

  /** Its position in the dataset's arrays (before any shuffle). */
  public int index() {
    return index;
  }

  /** The value of column {@code name} as a tensor of the column's example shape. */
  public Tensor get(String name) {
    int[] one = {index};
    Column c = ArrayDataset.find(columns, name);
    Tensor t = c.toTensor(c.gather(one, 1), 1);
    return t.reshape(c.exampleShape());
  }

  /** The values of column {@code name} as floats (bytes scaled as in batches). */
  public float[] floats(String name) {
    return ArrayDataset.find(columns, name).floatsOf(index);
  }

  /** The values of int32 column {@code name}. */
  public int[] ints(String name) {
    return ArrayDataset.find(columns, name).intsOf(index);
  }

  List<Column> columns() {
    return columns;
  }

  @Override
  public String toString() {
    return "Example(" + index + ")";
  }
}

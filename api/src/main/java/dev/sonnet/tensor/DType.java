package dev.sonnet.tensor;

/**
 * The element type of a tensor.
 *
 * <p>Binary operations require both operands to have the same dtype (as in TensorFlow, there is no
 * silent promotion); a Java scalar operand ({@code x.mul(2.0)}) takes the dtype of the tensor.
 */
public enum DType {
  FLOAT32("f32", 4, true),
  FLOAT64("f64", 8, true),
  INT32("i32", 4, false),
  INT64("i64", 8, false),
  BOOL("bool", 1, false);

  private final String shortName;
  private final int byteSize;
  private final boolean floating;

  DType(String shortName, int byteSize, boolean floating) {
    this.shortName = shortName;
    this.byteSize = byteSize;
    this.floating = floating;
  }

  /** The compact name used in specs such as {@code f32[8,3]}. */
  public String shortName() {
    return shortName;
  }

  /** Bytes per element in device memory and in checkpoints. */
  public int byteSize() {
    return byteSize;
  }

  /** True for {@link #FLOAT32} and {@link #FLOAT64}: the dtypes gradients flow through. */
  public boolean isFloating() {
    return floating;
  }

  /** True for {@link #INT32} and {@link #INT64}. */
  public boolean isInteger() {
    return this == INT32 || this == INT64;
  }

  @Override
  public String toString() {
    return shortName;
  }
}

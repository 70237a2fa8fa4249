package dev.sonnet.tensor;

/**
 * The element type of a tensor.
 *
 * <p>Binary operations require both operands to have the same dtype (as in TensorFlow, there is no
 * silent promotion); a Java scalar operand ({@code x.mul(2.0)}) takes the dtype of the tensor.
 *
 * <p><b>16-bit floats.</b> {@link #BFLOAT16} and {@link #FLOAT16} are storage types: a tensor of
 * either holds 2 bytes per element (half the memory and bandwidth of float32), and every operation
 * on one computes in float32 and rounds its floating outputs back to the 16-bit type once (round to
 * nearest even), so results are what float32 arithmetic followed by one rounding gives. Only casts
 * and fills touch the 16-bit representation directly. See {@code
 * dev.sonnet.mixedprecision.MixedPrecision} for running modules in 16 bits with float32 variables.
 */
public enum DType {
  FLOAT32("f32", 4, true),
  FLOAT64("f64", 8, true),
  INT32("i32", 4, false),
  INT64("i64", 8, false),
  BOOL("bool", 1, false),
  /** Brain float: float32's 8-bit exponent and range with a 7-bit mantissa (about 3 digits). */
  BFLOAT16("bf16", 2, true),
  /** IEEE 754 half: 5-bit exponent (largest finite 65504), 10-bit mantissa. */
  FLOAT16("f16", 2, true);

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

  /** True for the floating dtypes (64, 32 and 16 bits): the dtypes gradients flow through. */
  public boolean isFloating() {
    return floating;
  }

  /**
   * True for {@link #BFLOAT16} and {@link #FLOAT16}, whose operations compute in float32 and round
   * the result once.
   */
  public boolean isReducedPrecision() {
    return this == BFLOAT16 || this == FLOAT16;
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

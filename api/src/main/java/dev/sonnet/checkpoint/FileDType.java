package dev.sonnet.checkpoint;

import dev.sonnet.tensor.DType;

/**
 * The dtypes of the safetensors format, with their sizes, so a reader can check every tensor's byte
 * range even for dtypes it cannot load. {@link #sonnet} is the dtype a tensor is loaded as, or null
 * where it cannot be loaded: F16 and BF16 are widened to float32; the rest are refused with a clear
 * error when read.
 */
enum FileDType {
  BOOL(1, DType.BOOL),
  U8(1, null),
  I8(1, null),
  F8_E5M2(1, null),
  F8_E4M3(1, null),
  I16(2, null),
  U16(2, null),
  F16(2, DType.FLOAT16),
  BF16(2, DType.BFLOAT16),
  I32(4, DType.INT32),
  U32(4, null),
  F32(4, DType.FLOAT32),
  F64(8, DType.FLOAT64),
  I64(8, DType.INT64),
  U64(8, null);

  /** {@link #values()} copies its array on every call; the header parser looks up every entry. */
  private static final FileDType[] ALL = values();

  /** The names, for matching a header's dtype strings without decoding them. */
  static final String[] NAMES = java.util.Arrays.stream(ALL).map(Enum::name).toArray(String[]::new);

  final int byteSize;
  final DType sonnet;

  FileDType(int byteSize, DType sonnet) {
    this.byteSize = byteSize;
    this.sonnet = sonnet;
  }

  /** The file dtype a Sonnet dtype is written as. */
  static FileDType of(DType dtype) {
    return switch (dtype) {
      case FLOAT32 -> F32;
      case FLOAT64 -> F64;
      case INT32 -> I32;
      case INT64 -> I64;
      case BOOL -> BOOL;
      case BFLOAT16 -> BF16;
      case FLOAT16 -> F16;
    };
  }

  /**
   * Whether a value stored as {@code stored} restores into a variable of {@code variable}: the same
   * dtype, or a 16-bit float into a float32 variable (widening is exact, so half-precision
   * checkpoints, common for published weights, load into float32 models).
   */
  static boolean loadsInto(DType stored, DType variable) {
    return stored == variable || (stored.isReducedPrecision() && variable == DType.FLOAT32);
  }

  /** The dtype named {@code name} in a header, or null if the format has no such dtype. */
  static FileDType named(String name) {
    for (FileDType d : ALL) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    return null;
  }
}

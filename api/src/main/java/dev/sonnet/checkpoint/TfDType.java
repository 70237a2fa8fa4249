package dev.sonnet.checkpoint;

import dev.sonnet.tensor.DType;

/**
 * The TensorFlow dtypes ({@code types.proto}'s {@code DataType}) a checkpoint may store, with their
 * enum number and element size, so every tensor's byte size can be checked even where this library
 * cannot load the dtype. {@link #sonnet} is the dtype a tensor is read as, or null where it cannot
 * be read: half and bfloat16 are widened to float32 exactly (as the safetensors reader does);
 * strings are read only for the object graph.
 */
enum TfDType {
  DT_FLOAT(1, 4, DType.FLOAT32),
  DT_DOUBLE(2, 8, DType.FLOAT64),
  DT_INT32(3, 4, DType.INT32),
  DT_UINT8(4, 1, null),
  DT_INT16(5, 2, null),
  DT_INT8(6, 1, null),
  DT_STRING(7, -1, null),
  DT_COMPLEX64(8, 8, null),
  DT_INT64(9, 8, DType.INT64),
  DT_BOOL(10, 1, DType.BOOL),
  DT_BFLOAT16(14, 2, DType.BFLOAT16),
  DT_UINT16(17, 2, null),
  DT_COMPLEX128(18, 16, null),
  DT_HALF(19, 2, DType.FLOAT16),
  DT_UINT32(22, 4, null),
  DT_UINT64(23, 8, null);

  private static final TfDType[] ALL = values();

  final int number;

  /** Bytes per element; -1 for strings, whose elements have their own lengths. */
  final int byteSize;

  final DType sonnet;

  TfDType(int number, int byteSize, DType sonnet) {
    this.number = number;
    this.byteSize = byteSize;
    this.sonnet = sonnet;
  }

  /**
   * The dtype numbered {@code number}, or null if a checkpoint of this library's cannot hold it.
   */
  static TfDType of(int number) {
    for (TfDType t : ALL) {
      if (t.number == number) {
        return t;
      }
    }
    return null;
  }
}

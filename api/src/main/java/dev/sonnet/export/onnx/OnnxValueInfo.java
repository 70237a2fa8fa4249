package dev.sonnet.export.onnx;

import dev.sonnet.tensor.DType;
import dev.sonnet.utils.ProtoWriter;
import java.util.Arrays;

/**
 * A graph input or output ({@code ValueInfoProto}): its name, element type and shape. A dimension
 * the function leaves open (the batch, a sequence length) is written as a symbolic {@code
 * dim_param}, so ONNX Runtime accepts any size there and tools show its name; a fixed dimension is
 * a {@code dim_value}.
 *
 * @param dims one entry per axis, {@code -1} where the size is unknown
 * @param dimParams the symbolic name of each unknown axis ({@code null} entries where {@code dims}
 *     is fixed); {@code null} as a whole to name them {@code <name>_dim<axis>}
 */
public record OnnxValueInfo(String name, DType dtype, int[] dims, String[] dimParams) {
  public OnnxValueInfo {
    dims = dims.clone();
    String[] params = new String[dims.length];
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < -1) {
        throw new IllegalArgumentException(
            "ONNX value " + name + ": dimension " + i + " is " + dims[i] + "; use -1 for unknown");
      }
      if (dims[i] == -1) {
        params[i] = dimParams != null && dimParams[i] != null ? dimParams[i] : name + "_dim" + i;
      }
    }
    dimParams = params;
  }

  /** A value whose unknown dimensions get generated names. */
  public static OnnxValueInfo of(String name, DType dtype, int... dims) {
    return new OnnxValueInfo(name, dtype, dims, null);
  }

  /** ONNX's {@code TensorProto.DataType} number of {@code dtype}. */
  public static int onnxElementType(DType dtype) {
    return switch (dtype) {
      case FLOAT32 -> 1;
      case INT32 -> 6;
      case INT64 -> 7;
      case BOOL -> 9;
      case FLOAT64 -> 11;
      case FLOAT16 -> 10;
      case BFLOAT16 -> 16;
    };
  }

  ProtoWriter encode() {
    ProtoWriter shape = new ProtoWriter();
    for (int i = 0; i < dims.length; i++) {
      ProtoWriter dim = new ProtoWriter();
      if (dims[i] >= 0) {
        dim.varint(1, dims[i]);
      } else {
        dim.string(2, dimParams[i]);
      }
      shape.message(1, dim);
    }
    ProtoWriter tensorType = new ProtoWriter().varint(1, onnxElementType(dtype)).message(2, shape);
    ProtoWriter type = new ProtoWriter().message(1, tensorType);
    return new ProtoWriter().string(1, name).message(2, type);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OnnxValueInfo v
        && name.equals(v.name)
        && dtype == v.dtype
        && Arrays.equals(dims, v.dims)
        && Arrays.equals(dimParams, v.dimParams);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(dims);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(name).append(": ").append(dtype).append('[');
    for (int i = 0; i < dims.length; i++) {
      b.append(i > 0 ? "," : "").append(dims[i] >= 0 ? Integer.toString(dims[i]) : dimParams[i]);
    }
    return b.append(']').toString();
  }
}

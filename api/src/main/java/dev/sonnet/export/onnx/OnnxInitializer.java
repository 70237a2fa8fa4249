package dev.sonnet.export.onnx;

import dev.sonnet.tensor.Tensor;
import dev.sonnet.utils.ProtoWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A named constant of the graph ({@code TensorProto} in {@code GraphProto.initializer}): a weight,
 * a moving statistic, a folded constant. Its values go into {@code raw_data}, little-endian as ONNX
 * specifies, streamed from the tensor when the file is written, so a large model is never held
 * twice in memory.
 */
public record OnnxInitializer(String name, Tensor value) {
  // Bytes converted per write: small enough to stay in cache, large enough to amortise the call.
  private static final int CHUNK_ELEMENTS = 16 * 1024;

  /** Number of value bytes ({@code raw_data}'s length). */
  long payloadBytes() {
    return value.size() * value.dtype().byteSize();
  }

  /** The {@code TensorProto} fields that precede {@code raw_data}, and its tag and length. */
  ProtoWriter header() {
    ProtoWriter w = new ProtoWriter();
    long[] dims = new long[value.rank()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = value.dim(i);
    }
    if (dims.length > 0) {
      w.packedVarints(1, dims);
    }
    w.varint(2, OnnxValueInfo.onnxElementType(value.dtype())).string(8, name);
    return w.lengthDelimitedHeader(9, payloadBytes());
  }

  /** Writes the values, little-endian, {@code payloadBytes()} bytes in all. */
  void writePayload(OutputStream out) throws IOException {
    long n = value.size();
    ByteBuffer chunk =
        ByteBuffer.allocate(CHUNK_ELEMENTS * value.dtype().byteSize())
            .order(ByteOrder.LITTLE_ENDIAN);
    switch (value.dtype()) {
      case FLOAT32 -> {
        float[] a = value.toFloatArray();
        for (int start = 0; start < n; start += CHUNK_ELEMENTS) {
          int len = (int) Math.min(CHUNK_ELEMENTS, n - start);
          chunk.clear();
          chunk.asFloatBuffer().put(a, start, len);
          out.write(chunk.array(), 0, len * Float.BYTES);
        }
      }
      case FLOAT64 -> {
        double[] a = value.toDoubleArray();
        for (int start = 0; start < n; start += CHUNK_ELEMENTS) {
          int len = (int) Math.min(CHUNK_ELEMENTS, n - start);
          chunk.clear();
          chunk.asDoubleBuffer().put(a, start, len);
          out.write(chunk.array(), 0, len * Double.BYTES);
        }
      }
      case INT32 -> {
        int[] a = value.toIntArray();
        for (int start = 0; start < n; start += CHUNK_ELEMENTS) {
          int len = (int) Math.min(CHUNK_ELEMENTS, n - start);
          chunk.clear();
          chunk.asIntBuffer().put(a, start, len);
          out.write(chunk.array(), 0, len * Integer.BYTES);
        }
      }
      case INT64 -> {
        long[] a = value.toLongArray();
        for (int start = 0; start < n; start += CHUNK_ELEMENTS) {
          int len = (int) Math.min(CHUNK_ELEMENTS, n - start);
          chunk.clear();
          chunk.asLongBuffer().put(a, start, len);
          out.write(chunk.array(), 0, len * Long.BYTES);
        }
      }
      case BOOL -> {
        boolean[] a = value.toBooleanArray();
        byte[] bytes = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
          bytes[i] = (byte) (a[i] ? 1 : 0);
        }
        out.write(bytes);
      }
    }
  }

  /** Bytes of the whole {@code TensorProto} message. */
  long encodedSize() {
    return header().size() + payloadBytes();
  }
}

package dev.sonnet.export.onnx;

import dev.sonnet.checkpoint.HostArray;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.utils.ProtoWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Supplier;

/**
 * A named constant of the graph ({@code TensorProto} in {@code GraphProto.initializer}): a weight,
 * a moving statistic, a captured constant. Its values go into {@code raw_data}, little-endian as
 * ONNX specifies. A tensor's values are copied to the host only when the file is written, one
 * tensor at a time, so a large model is never held twice in memory.
 */
public final class OnnxInitializer {
  // Elements converted per write: small enough to stay in cache, large enough to amortise a call.
  private static final int CHUNK_ELEMENTS = 16 * 1024;

  private final String name;
  private final DType dtype;
  private final Shape shape;
  private final Supplier<HostArray> values;

  private OnnxInitializer(String name, DType dtype, Shape shape, Supplier<HostArray> values) {
    this.name = name;
    this.dtype = dtype;
    this.shape = shape;
    this.values = values;
  }

  /** A constant holding {@code value}'s values at the time the file is written. */
  public static OnnxInitializer of(String name, Tensor value) {
    return new OnnxInitializer(name, value.dtype(), value.shape(), () -> HostArray.of(value));
  }

  /** A constant holding {@code value}. */
  public static OnnxInitializer of(String name, HostArray value) {
    return new OnnxInitializer(name, value.dtype(), value.shape(), () -> value);
  }

  public String name() {
    return name;
  }

  public DType dtype() {
    return dtype;
  }

  public Shape shape() {
    return shape;
  }

  /** Number of value bytes ({@code raw_data}'s length). */
  long payloadBytes() {
    return shape.size() * dtype.byteSize();
  }

  /** The {@code TensorProto} fields that precede {@code raw_data}, and its tag and length. */
  ProtoWriter header() {
    return fields().lengthDelimitedHeader(9, payloadBytes());
  }

  /**
   * The whole {@code TensorProto} in memory, values included: for the initializers of a subgraph,
   * which is written as part of its node's attribute rather than streamed.
   */
  ProtoWriter encode() {
    ByteArrayOutputStream payload = new ByteArrayOutputStream(Math.toIntExact(payloadBytes()));
    try {
      writePayload(payload);
    } catch (IOException e) {
      throw new AssertionError("ByteArrayOutputStream does not throw", e);
    }
    return fields().bytes(9, payload.toByteArray());
  }

  /** Every {@code TensorProto} field but {@code raw_data}. */
  private ProtoWriter fields() {
    ProtoWriter w = new ProtoWriter();
    long[] dims = new long[shape.rank()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = shape.dim(i);
    }
    if (dims.length > 0) {
      w.packedVarints(1, dims);
    }
    return w.varint(2, OnnxValueInfo.onnxElementType(dtype)).string(8, name);
  }

  /** Writes the values, little-endian, {@code payloadBytes()} bytes in all. */
  void writePayload(OutputStream out) throws IOException {
    HostArray host = values.get();
    int n = host.size();
    ByteBuffer chunk =
        ByteBuffer.allocate(CHUNK_ELEMENTS * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    for (int start = 0; start < n; start += CHUNK_ELEMENTS) {
      int len = Math.min(CHUNK_ELEMENTS, n - start);
      chunk.clear();
      switch (dtype) {
        case FLOAT32 -> chunk.asFloatBuffer().put(host.floats(), start, len);
        case FLOAT64 -> chunk.asDoubleBuffer().put(host.doubles(), start, len);
        case INT32 -> chunk.asIntBuffer().put(host.ints(), start, len);
        case INT64 -> chunk.asLongBuffer().put(host.longs(), start, len);
        case BFLOAT16, FLOAT16 -> chunk.asShortBuffer().put(host.bits(), start, len);
        case BOOL -> {
          boolean[] b = host.booleans();
          for (int i = 0; i < len; i++) {
            chunk.put(i, (byte) (b[start + i] ? 1 : 0));
          }
        }
      }
      out.write(chunk.array(), 0, len * dtype.byteSize());
    }
  }

  /** Bytes of the whole {@code TensorProto} message. */
  long encodedSize() {
    return header().size() + payloadBytes();
  }
}

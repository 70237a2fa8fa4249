package dev.sonnet.runtime.cpu.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sonnet.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs an ONNX model in ONNX Runtime for Java from a test: loads a file, feeds tensors by input
 * name, returns the outputs as library tensors (values and shape) to compare with.
 *
 * <p>Graph optimisations are left at ONNX Runtime's default (all), as a user would run the file;
 * one intra-op thread keeps a test's results independent of the machine.
 */
final class OrtHarness implements AutoCloseable {
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;

  OrtHarness(Path model) throws OrtException {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      this.session = env.createSession(model.toString(), options);
    }
  }

  OrtHarness(byte[] model) throws OrtException {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      this.session = env.createSession(model, options);
    }
  }

  /** The names of the model's inputs, in graph order. */
  List<String> inputNames() {
    return List.copyOf(session.getInputNames());
  }

  /** Runs the model on {@code inputs} (name -> tensor) and returns every output. */
  List<Tensor> run(Map<String, Tensor> inputs) throws OrtException {
    Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
        Tensor t = e.getValue();
        long[] shape = new long[t.rank()];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = t.dim(i);
        }
        feeds.put(e.getKey(), toOrt(t, shape));
      }
      try (OrtSession.Result result = session.run(feeds)) {
        Tensor[] out = new Tensor[result.size()];
        for (int i = 0; i < out.length; i++) {
          OnnxTensor o = (OnnxTensor) result.get(i);
          long[] shape = o.getInfo().getShape();
          int[] dims = new int[shape.length];
          for (int d = 0; d < dims.length; d++) {
            dims[d] = Math.toIntExact(shape[d]);
          }
          out[i] = fromOrt(o, dims);
        }
        return List.of(out);
      }
    } finally {
      for (OnnxTensor t : feeds.values()) {
        t.close();
      }
    }
  }

  private OnnxTensor toOrt(Tensor t, long[] shape) throws OrtException {
    return switch (t.dtype()) {
      case FLOAT32 -> OnnxTensor.createTensor(env, FloatBuffer.wrap(t.toFloatArray()), shape);
      case FLOAT64 -> OnnxTensor.createTensor(env, DoubleBuffer.wrap(t.toDoubleArray()), shape);
      case INT32 -> OnnxTensor.createTensor(env, IntBuffer.wrap(t.toIntArray()), shape);
      case INT64 -> OnnxTensor.createTensor(env, LongBuffer.wrap(t.toLongArray()), shape);
      case BOOL, BFLOAT16, FLOAT16 ->
          throw new IllegalArgumentException(t.dtype() + " inputs are not used by these tests");
    };
  }

  private static Tensor fromOrt(OnnxTensor o, int[] dims) throws OrtException {
    return switch (o.getInfo().type) {
      case FLOAT -> {
        FloatBuffer b = o.getFloatBuffer();
        float[] a = new float[b.remaining()];
        b.get(a);
        yield Tensor.of(a, dims);
      }
      case DOUBLE -> {
        DoubleBuffer b = o.getDoubleBuffer();
        double[] a = new double[b.remaining()];
        b.get(a);
        yield Tensor.of(a, dims);
      }
      case INT32 -> {
        IntBuffer b = o.getIntBuffer();
        int[] a = new int[b.remaining()];
        b.get(a);
        yield Tensor.of(a, dims);
      }
      case INT64 -> {
        LongBuffer b = o.getLongBuffer();
        long[] a = new long[b.remaining()];
        b.get(a);
        yield Tensor.of(a, dims);
      }
      case BOOL -> {
        ByteBuffer b = o.getByteBuffer();
        boolean[] a = new boolean[b.remaining()];
        for (int i = 0; i < a.length; i++) {
          a[i] = b.get(i) != 0;
        }
        yield Tensor.of(a, dims);
      }
      default -> throw new IllegalStateException("ORT output type " + o.getInfo().type);
    };
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}

package dev.sonnet.runtime.cpu.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sonnet.tensor.Tensor;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs an ONNX model in ONNX Runtime for Java from a test: loads a file, feeds float32 tensors by
 * input name, returns the outputs as library tensors (values and shape) to compare with.
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

  /** Runs the model on float32 {@code inputs} (name -> tensor) and returns every output. */
  List<Tensor> run(Map<String, Tensor> inputs) throws OrtException {
    Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
        Tensor t = e.getValue();
        long[] shape = new long[t.rank()];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = t.dim(i);
        }
        feeds.put(
            e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(t.toFloatArray()), shape));
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
          FloatBuffer fb = o.getFloatBuffer();
          float[] values = new float[fb.remaining()];
          fb.get(values);
          out[i] = Tensor.of(values, dims);
        }
        return List.of(out);
      }
    } finally {
      for (OnnxTensor t : feeds.values()) {
        t.close();
      }
    }
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}

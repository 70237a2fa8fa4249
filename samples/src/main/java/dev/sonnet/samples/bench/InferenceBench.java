package dev.sonnet.samples.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sonnet.export.GraphFunction;
import dev.sonnet.export.SavedModel;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.TensorScope;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Inference of the main job's models ({@code Models.mlp}, 784-1024-1024-10, and {@code
 * Models.convNet}) from a saved model, against ONNX Runtime running the same model exported to
 * ONNX, in the same JMH run: {@link #sonnet} calls the {@code inference} function of a {@link
 * SavedModel} loaded from disk (the graph runner, optimized for inference); {@link #onnxRuntime}
 * runs the {@code .onnx} file that {@code Onnx.export} wrote from that loaded function, in an ONNX
 * Runtime session with all graph optimizations and as many intra-op threads as the library's CPU
 * runtime uses ({@code sonnet.cpu.threads}), sequential execution. Both read the logits back to the
 * host. {@code table.py} reports ONNX Runtime as the baseline of the {@code infer/} rows.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class InferenceBench {
  @Param({"mlp", "convnet"})
  public String model;

  @Param({"1", "100"})
  public int batch;

  /**
   * {@code false} turns off the CPU runtime's small-row product path ({@code sonnet.cpu.gemv}) in
   * this fork, so products of at most four rows take the packed GEMM: the A/B switch, e.g. {@code
   * -p gemv=true,false}. Set before the runtime reads it (on its first product).
   */
  @Param({"true"})
  public String gemv;

  private Path dir;
  private GraphFunction inference;
  private Tensor x;
  private OrtEnvironment env;
  private OrtSession session;
  private OnnxTensor ortInput;
  private String ortInputName;

  @Setup(Level.Trial)
  public void setUp() throws IOException, OrtException {
    System.setProperty("sonnet.cpu.gemv", gemv);
    dir = Files.createTempDirectory("sonnet-inference-bench");
    try {
      InferenceModels.writeInChildJvm(model, dir);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    inference = SavedModel.load(InferenceModels.savedModel(dir, model)).function("inference");
    Path onnx = InferenceModels.onnx(dir, model);

    x = Tensor.randomUniform(new Rng(7), DType.FLOAT32, Shape.of(batch, 28, 28, 1), 0, 1);
    int threads =
        Integer.getInteger("sonnet.cpu.threads", Runtime.getRuntime().availableProcessors());
    env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      session = env.createSession(onnx.toString(), options);
    }
    ortInputName = session.getInputNames().iterator().next();
    ortInput =
        OnnxTensor.createTensor(
            env, FloatBuffer.wrap(x.toFloatArray()), new long[] {batch, 28, 28, 1});
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException, OrtException {
    ortInput.close();
    session.close();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** The loaded saved model's {@code inference} on the batch; the logits read to the host. */
  @Benchmark
  public float sonnet() {
    try (TensorScope scope = TensorScope.open()) {
      return inference.call(x).toFloatArray()[0];
    }
  }

  /** ONNX Runtime on the exported file and the same batch; the logits read to the host. */
  @Benchmark
  public float onnxRuntime() throws OrtException {
    try (OrtSession.Result result = session.run(Map.of(ortInputName, ortInput))) {
      return ((OnnxTensor) result.get(0)).getFloatBuffer().get(0);
    }
  }
}

package dev.sonnet.samples.bench;

import dev.sonnet.export.GraphFunction;
import dev.sonnet.export.SavedModel;
import dev.sonnet.export.TensorSpec;
import dev.sonnet.module.Sequential;
import dev.sonnet.samples.mnist.Models;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.TensorScope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
 * Inference of the main job's models ({@link Models#mlp}: 784-1024-1024-10, {@link Models#convNet})
 * at batch 1 and 100: eager {@code model.call(x)} (the baseline, in the same run), the saved
 * model's function loaded from its file ({@code loaded}: fused layers, cached variable-only values,
 * a buffer plan made once), and the same graph without the inference passes ({@code
 * loaded_unoptimized}). Each call runs in a {@link TensorScope}, as a serving loop would.
 *
 * <p>Forward FLOPs (products and convolutions only): MLP {@code 2·B·(784·1024 + 1024·1024 +
 * 1024·10)} = 3.72 MFLOP per example; ConvNet {@code 2·B·(28·28·9·1·32 + 14·14·9·32·64 + 3136·128 +
 * 128·10)} = 8.48 MFLOP per example.
 *
 * <p>ONNX Runtime on the same models is {@code InferenceBench} (the {@code infer/} group of {@code
 * run.sh}). Run this one alone with {@code org.openjdk.jmh.Main SavedModelBench PeakBench.fmaPeak}
 * on the {@code run.sh} class path (see the bench README).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SavedModelBench {
  @Param({"mlp_main", "convnet"})
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

  @Param({"eager", "loaded", "loaded_unoptimized"})
  public String mode;

  private Sequential net;
  private GraphFunction loaded;
  private Tensor x;
  private Path file;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    System.setProperty("sonnet.cpu.gemv", gemv);
    net =
        switch (model) {
          case "mlp_main" -> Models.mlp(1);
          case "convnet" -> Models.convNet(1);
          default -> throw new IllegalArgumentException("unknown model " + model);
        };
    x = Tensor.randomUniform(new Rng(2), DType.FLOAT32, Shape.of(batch, 28, 28, 1), 0, 1);
    net.call(x);
    file = Files.createTempFile("saved-model-bench", ".savedmodel");
    SavedModel.builder()
        .function("inference", net::call, TensorSpec.of(DType.FLOAT32, -1, 28, 28, 1))
        .save(file);
    loaded = SavedModel.load(file).function("inference");
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Benchmark
  public float infer() {
    try (TensorScope scope = TensorScope.open()) {
      Tensor y =
          switch (mode) {
            case "eager" -> net.call(x);
            case "loaded" -> loaded.call(x);
            case "loaded_unoptimized" -> loaded.callUnoptimized(x)[0];
            default -> throw new IllegalArgumentException("unknown mode " + mode);
          };
      return y.toFloatArray()[0];
    }
  }
}

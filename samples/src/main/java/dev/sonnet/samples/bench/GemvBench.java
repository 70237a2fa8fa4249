package dev.sonnet.samples.bench;

import dev.sonnet.backend.Backend;
import dev.sonnet.backend.Backends;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.GemmEpilogue;
import dev.sonnet.backend.GemmSpec;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.Map;
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
 * Float32 products of a few rows at the backend's kernel, into a preallocated C: the products of
 * batch-1 (and batch-4) inference of the main job's MLP, the forward ones with the fused bias +
 * ReLU epilogue, the ConvNet's dense layer (3136 to 128) at batch 1, and a batch-1 input gradient
 * ({@code dy · Wᵀ}, transposed B). {@code gemv=false} sends them to the packed GEMM instead (the
 * CPU runtime's {@code sonnet.cpu.gemv}), so {@code -p gemv=true,false} is an A/B in one run; with
 * {@code -prof gc} it shows what each call allocates. Bound by reading the weights once: {@code
 * 4·n·k} bytes per call (4.2 MB for {@code fc2_b1}). Not part of {@code run.sh}; run it on the
 * {@code run.sh} class path with {@code org.openjdk.jmh.Main GemvBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GemvBench {
  /** {m, n, k, transB, bias + ReLU epilogue}. */
  private static final Map<String, int[]> SHAPES =
      Map.of(
          "fc1_b1", new int[] {1, 1024, 784, 0, 1},
          "fc2_b1", new int[] {1, 1024, 1024, 0, 1},
          "fc3_b1", new int[] {1, 10, 1024, 0, 0},
          "fc2_b4", new int[] {4, 1024, 1024, 0, 1},
          "fc2_dx_b1", new int[] {1, 1024, 1024, 1, 0},
          "convnet_fc_b1", new int[] {1, 128, 3136, 0, 1});

  /** A key of {@link #SHAPES}. */
  @Param({"fc1_b1", "fc2_b1", "fc3_b1", "fc2_b4", "fc2_dx_b1", "convnet_fc_b1"})
  public String shape;

  /** {@code false}: the packed GEMM (set before the runtime's first product). */
  @Param({"true", "false"})
  public String gemv;

  private Backend backend;
  private GemmSpec spec;
  private DeviceBuffer a;
  private DeviceBuffer b;
  private DeviceBuffer c;
  private GemmEpilogue.Epilogue epilogue;

  @Setup(Level.Trial)
  public void setUp() {
    System.setProperty("sonnet.cpu.gemv", gemv);
    backend = Backends.getDefault();
    int[] s = SHAPES.get(shape);
    int m = s[0];
    int n = s[1];
    int k = s[2];
    boolean transB = s[3] != 0;
    Rng rng = new Rng(1);
    a = Tensor.randomNormal(rng, DType.FLOAT32, Shape.of(m, k), 0, 1).to(backend).buffer();
    b =
        Tensor.randomNormal(rng, DType.FLOAT32, Shape.of(transB ? n : k, transB ? k : n), 0, 1)
            .to(backend)
            .buffer();
    c = backend.allocate(DType.FLOAT32, (long) m * n);
    spec = new GemmSpec(1, m, n, k, false, 0, k, 0, transB, 0, transB ? k : n, 0, 0, n, 0, false);
    if (s[4] != 0 && backend instanceof GemmEpilogue) {
      DeviceBuffer bias =
          Tensor.randomNormal(rng, DType.FLOAT32, Shape.of(n), 0, 1).to(backend).buffer();
      epilogue = GemmEpilogue.Epilogue.biasActivation(bias, GemmEpilogue.Activation.RELU);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    c.release();
  }

  @Benchmark
  public DeviceBuffer product() {
    if (epilogue != null) {
      ((GemmEpilogue) backend).gemmEpilogue(spec, a, b, c, epilogue);
    } else {
      backend.gemm(spec, a, b, c);
    }
    return c;
  }
}

package dev.sonnet.samples.bench;

import dev.sonnet.backend.Backend;
import dev.sonnet.backend.Backends;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.GemmSpec;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
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
 * Float32 matrix products at the backend's {@code gemm} kernel, into a preallocated C, as {@code
 * numpy.matmul(a, b, out=c)} does in {@code baseline.py}: the square shapes of the issue and the
 * products of one training step of the main job's MLP (784-1024-1024-10, batch 100), forward and
 * gradient. Shape names are shared with the baseline; see {@link BenchShapes#GEMM}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GemmBench {
  /** A key of {@link BenchShapes#GEMM}. */
  @Param({
    "sq1024", "sq2048", "fc1_fwd", "fc2_fwd", "fc3_fwd", "fc1_dw", "fc2_dw", "fc2_dx", "fc3_dx"
  })
  public String shape;

  private Backend backend;
  private GemmSpec spec;
  private DeviceBuffer a;
  private DeviceBuffer b;
  private DeviceBuffer c;

  @Setup(Level.Trial)
  public void setUp() {
    backend = Backends.getDefault();
    int[] s = BenchShapes.GEMM.get(shape);
    int m = s[0];
    int n = s[1];
    int k = s[2];
    boolean transA = s[3] != 0;
    boolean transB = s[4] != 0;
    Rng rng = new Rng(1);
    // Stored as op(A) would be transposed: A is [k, m] when transA, B is [n, k] when transB.
    Tensor at =
        Tensor.randomNormal(rng, DType.FLOAT32, Shape.of(transA ? k : m, transA ? m : k), 0, 1);
    Tensor bt =
        Tensor.randomNormal(rng, DType.FLOAT32, Shape.of(transB ? n : k, transB ? k : n), 0, 1);
    a = at.to(backend).buffer();
    b = bt.to(backend).buffer();
    c = backend.allocate(DType.FLOAT32, (long) m * n);
    spec =
        new GemmSpec(
            1, m, n, k, transA, 0, transA ? m : k, 0, transB, 0, transB ? k : n, 0, 0, n, 0, false);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    c.release();
  }

  @Benchmark
  public DeviceBuffer gemm() {
    backend.gemm(spec, a, b, c);
    return c;
  }
}

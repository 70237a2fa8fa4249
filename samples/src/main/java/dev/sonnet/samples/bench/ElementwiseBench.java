package dev.sonnet.samples.bench;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.backend.Backend;
import dev.sonnet.backend.Backends;
import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.TensorScope;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Elementwise float32 addition, large and small.
 *
 * <p><b>Large</b> ({@value #LARGE} elements, 64 MiB per operand, far past the caches): the kernel
 * into a preallocated output ({@code largeAddKernel}), the op that allocates its output ({@code
 * largeAddOp}), and the machine's triad {@code a[i] = b[i] + s * c[i]} as a plain Java loop split
 * over {@link #threads()} threads ({@code largeTriad}): the same 12 bytes per element, so the ratio
 * of the two times is the fraction of the triad bandwidth the kernel reaches.
 *
 * <p><b>Small</b> ({@value #SMALL} elements): a chain of eight ops without a tape, and the same
 * chain on an open tape (per op, including recording and the tape's opening and closing), each in a
 * {@link TensorScope} as a training step runs, so the outputs' arrays are reused and not garbage.
 * Run with {@code -prof gc} to see the bytes allocated per op.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ElementwiseBench {
  static final int LARGE = 1 << 24;
  static final int SMALL = 4096;
  private static final int CHAIN = 8;

  private Backend backend;
  private Tensor largeA;
  private Tensor largeB;
  private DeviceBuffer largeOut;
  private float[] ta;
  private float[] tb;
  private float[] tc;
  private Tensor smallA;
  private Tensor smallB;
  private DeviceBuffer smallOut;

  @Setup(Level.Trial)
  public void setUp() {
    backend = Backends.getDefault();
    Rng rng = new Rng(3);
    largeA = Tensor.randomUniform(rng, DType.FLOAT32, Shape.of(LARGE), -1, 1);
    largeB = Tensor.randomUniform(rng, DType.FLOAT32, Shape.of(LARGE), -1, 1);
    largeOut = backend.allocate(DType.FLOAT32, LARGE);
    ta = new float[LARGE];
    tb = largeA.toFloatArray();
    tc = largeB.toFloatArray();
    smallA = Tensor.randomUniform(rng, DType.FLOAT32, Shape.of(SMALL), -1, 1);
    smallB = Tensor.randomUniform(rng, DType.FLOAT32, Shape.of(SMALL), -1, 1);
    smallOut = backend.allocate(DType.FLOAT32, SMALL);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    largeOut.release();
    smallOut.release();
  }

  /** Threads for the triad: those of the common pool plus the caller, as the CPU backend uses. */
  static int threads() {
    return Runtime.getRuntime().availableProcessors();
  }

  @Benchmark
  public DeviceBuffer largeAddKernel() {
    backend.binary(
        BinaryKind.ADD,
        largeA.buffer(),
        new long[] {1},
        largeB.buffer(),
        new long[] {1},
        largeOut,
        new int[] {LARGE});
    return largeOut;
  }

  @Benchmark
  public Tensor largeAddOp() {
    Tensor y = largeA.add(largeB);
    y.release();
    return y;
  }

  @Benchmark
  public float[] largeTriad() {
    float[] a = ta;
    float[] b = tb;
    float[] c = tc;
    int t = threads();
    int n = a.length;
    IntStream.range(0, t)
        .parallel()
        .forEach(
            part -> {
              int from = (int) ((long) n * part / t);
              int to = (int) ((long) n * (part + 1) / t);
              for (int i = from; i < to; i++) {
                a[i] = b[i] + 3f * c[i];
              }
            });
    return a;
  }

  @Benchmark
  public DeviceBuffer smallAddKernel() {
    backend.binary(
        BinaryKind.ADD,
        smallA.buffer(),
        new long[] {1},
        smallB.buffer(),
        new long[] {1},
        smallOut,
        new int[] {SMALL});
    return smallOut;
  }

  /** Per op: a chain of eight adds in a {@link TensorScope}, which frees them at its end. */
  @Benchmark
  @OperationsPerInvocation(CHAIN)
  public Tensor smallAddOp() {
    try (TensorScope scope = TensorScope.open()) {
      Tensor y = smallA;
      for (int i = 0; i < CHAIN; i++) {
        y = y.add(smallB);
      }
      return y;
    }
  }

  /** Per op: the same chain on an open tape (recording included), in a scope. */
  @Benchmark
  @OperationsPerInvocation(CHAIN)
  public Tensor smallAddTaped() {
    try (TensorScope scope = TensorScope.open();
        GradientTape tape = GradientTape.open()) {
      tape.watch(smallA);
      Tensor y = smallA;
      for (int i = 0; i < CHAIN; i++) {
        y = y.add(smallB);
      }
      return y;
    }
  }
}

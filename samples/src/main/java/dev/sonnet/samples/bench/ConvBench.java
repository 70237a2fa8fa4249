package dev.sonnet.samples.bench;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.autodiff.UnconnectedGradients;
import dev.sonnet.ops.Convolution;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.TensorScope;
import java.util.List;
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

/**
 * 3x3 convolutions through the op layer ({@link Convolution#conv}), channels-last: the forward pass
 * alone, and forward plus both gradients (input and filters) through a tape with a given upstream
 * gradient, as {@code y = conv2d(x, w); y.backward(dy)} does in the baseline. Each call runs in a
 * {@link TensorScope}, as a training step does, so its outputs' memory is reused by the next call
 * (PyTorch's caching allocator does the same for the baseline).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ConvBench {
  /** A key of {@link BenchShapes#CONV}. */
  @Param({"mid", "first"})
  public String layer;

  private Tensor x;
  private Tensor w;
  private Tensor dy;

  @Setup(Level.Trial)
  public void setUp() {
    int[] s = BenchShapes.CONV.get(layer);
    Rng rng = new Rng(2);
    x = Tensor.randomNormal(rng, DType.FLOAT32, Shape.of(s[0], s[1], s[2], s[3]), 0, 1);
    w = Tensor.randomNormal(rng, DType.FLOAT32, Shape.of(3, 3, s[3], s[4]), 0, 0.1);
    dy = Tensor.randomNormal(rng, DType.FLOAT32, Shape.of(s[0], s[1], s[2], s[4]), 0, 1);
  }

  @Benchmark
  public Tensor forward() {
    try (TensorScope scope = TensorScope.open()) {
      return Convolution.conv(x, w);
    }
  }

  @Benchmark
  public List<Tensor> forwardBackward() {
    try (TensorScope scope = TensorScope.open();
        GradientTape tape = GradientTape.open()) {
      tape.watch(x, w);
      Tensor y = Convolution.conv(x, w);
      return tape.gradient(y, List.of(x, w), dy, UnconnectedGradients.ZERO);
    }
  }
}

package dev.sonnet.samples.bench;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.losses.Losses;
import dev.sonnet.mixedprecision.MixedPrecision;
import dev.sonnet.module.Layer;
import dev.sonnet.nets.MLP;
import dev.sonnet.optimizers.SGD;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.TensorScope;
import dev.sonnet.tensor.Variable;
import java.util.List;
import java.util.Set;
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
 * Mixed precision against float32 in one run ({@code precision} = {@code f32}, then {@code bf16}):
 *
 * <ul>
 *   <li>{@code mlpStep}: the main job's training step (MLP 784-1024-1024-10, batch 100, softmax
 *       cross-entropy, SGD) with the model wrapped in {@link MixedPrecision#modes}; under {@code
 *       bf16} it computes with bfloat16 inputs and weight copies, float32 variables;
 *   <li>{@code add}: a bandwidth-bound op, {@code a + b} over {@value #LARGE} elements stored in
 *       the precision (16-bit storage halves the bytes, but the op widens to float32 and rounds
 *       back);
 *   <li>{@code narrow}: the conversion itself, float32 to the precision.
 * </ul>
 *
 * <p>Run: {@code java -cp ... org.openjdk.jmh.Main MixedPrecisionBench} (see the bench README).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MixedPrecisionBench {
  static final int LARGE = 1 << 22;

  @Param({"f32", "bf16"})
  public String precision;

  private DType dtype;
  private Layer model;
  private List<Variable> params;
  private SGD sgd;
  private Tensor x;
  private Tensor labels;
  private Tensor a;
  private Tensor b;
  private Tensor wide;

  @Setup(Level.Trial)
  public void setUp() {
    dtype = precision.equals("bf16") ? DType.BFLOAT16 : DType.FLOAT32;
    Rng rng = new Rng(11);
    MLP mlp = new MLP(new int[] {1024, 1024, 10});
    model = MixedPrecision.modes(Set.of(DType.FLOAT32, DType.BFLOAT16), mlp);
    MixedPrecision.enable(dtype);
    x = Tensor.randomNormal(rng, DType.FLOAT32, Shape.of(100, 784), 0, 1);
    int[] ids = new int[100];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = rng.nextInt(10);
    }
    labels = Tensor.of(ids, 100);
    model.call(x); // the first call builds the float32 variables, uncast
    params = mlp.trainableVariables();
    sgd = new SGD(0.01);
    wide = Tensor.randomUniform(rng, DType.FLOAT32, Shape.of(LARGE), -1, 1);
    a = wide.cast(dtype);
    b = Tensor.randomUniform(rng, DType.FLOAT32, Shape.of(LARGE), -1, 1).cast(dtype);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    MixedPrecision.disable();
  }

  @Benchmark
  public double mlpStep() {
    try (TensorScope scope = TensorScope.open()) {
      Tensor loss;
      List<Tensor> grads;
      try (GradientTape tape = GradientTape.open()) {
        loss = Losses.softmaxCrossEntropy(model.call(x), labels);
        grads = tape.gradient(loss, params);
      }
      sgd.apply(grads, params);
      return loss.item();
    }
  }

  @Benchmark
  public int add() {
    try (TensorScope scope = TensorScope.open()) {
      return a.add(b).dim(0);
    }
  }

  /** Under {@code f32} the cast is to the same dtype, which costs nothing: the row reads ~0. */
  @Benchmark
  public int narrow() {
    try (TensorScope scope = TensorScope.open()) {
      return wide.cast(dtype).dim(0);
    }
  }
}

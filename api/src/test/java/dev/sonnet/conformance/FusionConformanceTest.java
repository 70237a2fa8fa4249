package dev.sonnet.conformance;

import static dev.sonnet.conformance.FusionTesting.normal;
import static dev.sonnet.conformance.FusionTesting.opsRunBy;
import static dev.sonnet.conformance.FusionTesting.unfused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.backend.Backends;
import dev.sonnet.backend.GemmEpilogue;
import dev.sonnet.backend.GemmEpilogue.Activation;
import dev.sonnet.module.Layers;
import dev.sonnet.module.Sequential;
import dev.sonnet.nets.MLP;
import dev.sonnet.nn.Linear;
import dev.sonnet.ops.Fusion;
import dev.sonnet.ops.LinearAlgebra;
import dev.sonnet.optimizers.Adam;
import dev.sonnet.optimizers.Momentum;
import dev.sonnet.optimizers.Optimizer;
import dev.sonnet.optimizers.RMSProp;
import dev.sonnet.optimizers.SGD;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every fused operation against its unfused sequence ({@link Fusion} off), on whatever backend runs
 * the suite. A backend without the capability a fusion needs runs the unfused sequence either way,
 * so there the comparisons hold trivially and the test checks that nothing breaks.
 *
 * <p>Exactness: the dense layer's fused product adds the bias and takes the ReLU of the same
 * rounded product, and its gradient dispatches the same operations, so values and gradients are
 * compared bit for bit. The fused optimizer steps evaluate the same IEEE operations in the same
 * order, so they too are compared bit for bit, except RMSProp's {@code rsqrt}: the fused kernel
 * computes {@code 1 / sqrt(x)} in float (two roundings, like the CPU vector kernel on full
 * vectors), the scalar reference (and the vector kernel's tail) one rounding from double, so the
 * factor may differ by one ulp (2^-24 relative) per step. Over three steps the momentum carries at
 * most three such errors of the size of the update (smaller than |p|), then one rounding of p: a
 * relative tolerance of 1e-6 of max(1, |p|) is about eight times that bound and far below any wrong
 * formula's error.
 */
class FusionConformanceTest {

  @AfterEach
  void restoreFusion() {
    Fusion.setEnabled(true);
  }

  /** Forward value and the gradients of {@code sum(f(x, w, b) * r)} for x, w and b. */
  private static List<float[]> valueAndGradients(
      Function<Tensor[], Tensor> f, Tensor x, Tensor w, Tensor b) {
    List<float[]> out = new ArrayList<>();
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(x, w, b);
      Tensor y = f.apply(new Tensor[] {x, w, b});
      Tensor r = normal(99, DType.FLOAT32, y.shape().dims());
      List<Tensor> grads = tape.gradient(y.mul(r).sum(), List.of(x, w, b));
      out.add(y.toFloatArray());
      for (Tensor g : grads) out.add(g.toFloatArray());
    }
    return out;
  }

  @Test
  void dense_isBitForBitMatmulAddRelu_valueAndGradients() {
    // Odd sizes: ragged vector strips and panels; signed values so the ReLU cuts.
    Tensor x = normal(1, DType.FLOAT32, 37, 50);
    Tensor w = normal(2, DType.FLOAT32, 50, 70);
    Tensor b = normal(3, DType.FLOAT32, 70);
    for (Activation act : Activation.values()) {
      Function<Tensor[], Tensor> withBias = t -> LinearAlgebra.dense(t[0], t[1], t[2], act);
      List<float[]> fused = valueAndGradients(withBias, x, w, b);
      List<float[]> plain = unfused(() -> valueAndGradients(withBias, x, w, b));
      for (int i = 0; i < fused.size(); i++) {
        assertThat(fused.get(i)).as("%s output/gradient %d", act, i).isEqualTo(plain.get(i));
      }
      Function<Tensor[], Tensor> noBias = t -> LinearAlgebra.dense(t[0], t[1], null, act);
      List<float[]> fusedNoBias = valueAndGradients(noBias, x, w, b);
      List<float[]> plainNoBias = unfused(() -> valueAndGradients(noBias, x, w, b));
      for (int i = 0; i < 3; i++) {
        assertThat(fusedNoBias.get(i))
            .as("%s without bias %d", act, i)
            .isEqualTo(plainNoBias.get(i));
      }
    }
  }

  @Test
  void dense_runsAsOneOpWhereTheBackendHasTheEpilogue() {
    List<String> names =
        opsRunBy(
            () ->
                LinearAlgebra.dense(
                    normal(1, DType.FLOAT32, 4, 3),
                    normal(2, DType.FLOAT32, 3, 5),
                    normal(3, DType.FLOAT32, 5),
                    Activation.RELU));
    if (Backends.getDefault() instanceof GemmEpilogue) {
      assertThat(names).containsExactly("dense");
    } else {
      assertThat(names).containsExactly("matmul", "add", "relu");
    }
  }

  /**
   * A layer fed by data (its input untracked, as a model's first layer) gets no input gradient
   * product: the tape says it is not wanted. Fused ({@code dense}) and unfused ({@code matmul}):
   * one product (dw) instead of two, and dw, db bit for bit those computed when x is tracked too.
   */
  @Test
  void denseAndMatmul_skipTheInputGradientOfUntrackedData() {
    Tensor x = normal(1, DType.FLOAT32, 37, 50);
    Tensor w = normal(2, DType.FLOAT32, 50, 70);
    Tensor b = normal(3, DType.FLOAT32, 70);
    Function<Tensor[], Tensor> f = t -> LinearAlgebra.dense(t[0], t[1], t[2], Activation.RELU);
    for (boolean fusion : new boolean[] {true, false}) {
      Fusion.setEnabled(fusion);
      List<float[]> all = valueAndGradients(f, x, w, b);
      List<Tensor> grads;
      List<String> backward;
      try (GradientTape tape = GradientTape.open()) {
        tape.watch(w, b);
        Tensor y = f.apply(new Tensor[] {x, w, b});
        Tensor r = normal(99, DType.FLOAT32, y.shape().dims());
        Tensor loss = y.mul(r).sum();
        tape.close(); // recording stops; the gradient below is computed with only the counter on
        List<List<Tensor>> holder = new ArrayList<>();
        backward = opsRunBy(() -> holder.add(tape.gradient(loss, List.of(w, b))));
        grads = holder.get(0);
      }
      List<String> products = backward.stream().filter("matmul"::equals).toList();
      assertThat(products).as("fusion %s: products of the backward pass", fusion).hasSize(1);
      assertThat(grads.get(0).toFloatArray()).as("fusion %s: dw", fusion).isEqualTo(all.get(2));
      assertThat(grads.get(1).toFloatArray()).as("fusion %s: db", fusion).isEqualTo(all.get(3));
    }
  }

  @Test
  void dense_gradientMatchesFiniteDifferences() {
    Tensor x = GradientCheck.uniform(1, -1, 1, 5, 4);
    Tensor w = GradientCheck.uniform(2, -1, 1, 4, 3);
    Tensor b = GradientCheck.uniform(3, -1, 1, 3);
    // Pre-activations of these draws stay at least 1e-3 from the ReLU's kink (checked below), far
    // beyond the finite-difference step of 1e-6.
    Tensor z = x.matmul(w).add(b);
    for (double v : z.toDoubleArray()) assertThat(Math.abs(v)).isGreaterThan(1e-3);
    GradientCheck.check(t -> LinearAlgebra.dense(t[0], t[1], t[2], Activation.RELU), x, w, b);
    GradientCheck.check(t -> LinearAlgebra.dense(t[0], t[1], null, Activation.NONE), x, w);
  }

  @Test
  void dense_badShapesAreErrorsNamingTheOp() {
    Tensor x = normal(1, DType.FLOAT32, 4, 3);
    assertThatThrownBy(
            () -> LinearAlgebra.dense(x, normal(2, DType.FLOAT32, 4, 5), null, Activation.RELU))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("[4, 3]")
        .hasMessageContaining("[4, 5]");
    assertThatThrownBy(
            () ->
                LinearAlgebra.dense(
                    x,
                    normal(2, DType.FLOAT32, 3, 5),
                    normal(3, DType.FLOAT32, 4),
                    Activation.NONE))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("[4]");
  }

  /** Value and weight gradients of a model's loss. */
  private static List<float[]> modelRun(Supplier<dev.sonnet.module.Layer> make, Tensor x) {
    // The same initial weights for both runs: variables of the same path draw from the global
    // seed and their creation count, so start each run from the same seed.
    dev.sonnet.module.Seeds.setGlobalSeed(11);
    dev.sonnet.module.Layer model = make.get();
    List<float[]> out = new ArrayList<>();
    try (GradientTape tape = GradientTape.open()) {
      Tensor y = model.call(x);
      List<Variable> vars = ((dev.sonnet.module.Module) model).trainableVariables();
      List<Tensor> grads = tape.gradient(y.square().sum(), vars);
      out.add(y.toFloatArray());
      for (Tensor g : grads) out.add(g.toFloatArray());
    }
    return out;
  }

  @Test
  void sequentialAndMlp_fuseLinearRelu_bitForBit() {
    Tensor x = normal(7, DType.FLOAT32, 9, 13);
    List<Supplier<dev.sonnet.module.Layer>> models =
        List.of(
            () ->
                Sequential.of(
                    new Linear(17), Layers.relu(), new Linear(5), Layers.relu(), new Linear(3)),
            () -> new MLP(new int[] {17, 5, 3}, Layers.relu(), null));
    for (Supplier<dev.sonnet.module.Layer> make : models) {
      List<float[]> fused = modelRun(make, x);
      List<float[]> plain = unfused(() -> modelRun(make, x));
      assertThat(fused).hasSameSizeAs(plain);
      for (int i = 0; i < fused.size(); i++) {
        assertThat(fused.get(i)).as("output/gradient %d", i).isEqualTo(plain.get(i));
      }
    }
  }

  /** Three steps of {@code opt} on a float32 parameter with fixed random gradients. */
  private static List<float[]> optimize(Supplier<Optimizer> make) {
    Optimizer opt = make.get();
    Variable p = new Variable("p", normal(11, DType.FLOAT32, 3, 333), true);
    for (int step = 0; step < 3; step++) {
      opt.apply(List.of(normal(20 + step, DType.FLOAT32, 3, 333)), List.of(p));
    }
    List<float[]> out = new ArrayList<>();
    out.add(p.peek().toFloatArray());
    for (Variable v : opt.variables()) {
      if (v.dtype() == DType.FLOAT32) {
        out.add(v.peek().toFloatArray());
      }
    }
    return out;
  }

  @Test
  void optimizers_fusedStepIsTheUnfusedFormula() {
    List<Supplier<Optimizer>> exact =
        List.of(
            () -> new SGD(0.1),
            () -> new Momentum(0.1, 0.9),
            () -> Momentum.builder(0.1, 0.9).useNesterov(true).build(),
            () -> new Adam(0.01));
    for (Supplier<Optimizer> make : exact) {
      List<float[]> fused = optimize(make);
      List<float[]> plain = unfused(() -> optimize(make));
      assertThat(fused).hasSameSizeAs(plain);
      for (int i = 0; i < fused.size(); i++) {
        assertThat(fused.get(i)).as("%s value %d", make.get(), i).isEqualTo(plain.get(i));
      }
    }
    List<Supplier<Optimizer>> rsqrt =
        List.of(
            () -> RMSProp.builder(0.01).momentum(0.9).build(),
            () -> RMSProp.builder(0.01).momentum(0.5).centered(true).build());
    for (Supplier<Optimizer> make : rsqrt) {
      List<float[]> fused = optimize(make);
      List<float[]> plain = unfused(() -> optimize(make));
      assertThat(fused).hasSameSizeAs(plain);
      for (int i = 0; i < fused.size(); i++) {
        float[] f = fused.get(i);
        float[] u = plain.get(i);
        for (int e = 0; e < f.length; e++) {
          double tol = 1e-6 * Math.max(1, Math.abs(u[e])); // see the class comment
          assertThat((double) f[e])
              .as("%s value %d element %d", make.get(), i, e)
              .isCloseTo(u[e], org.assertj.core.data.Offset.offset(tol));
        }
      }
    }
  }

  /**
   * Fused softmax cross-entropy against its decomposition. The decomposition rounds after each
   * float operation: z - max (error at most u |z - max|, u = 2^-24), exp (one ulp of each term),
   * the sum over C classes (C u of the sum), log (u of |log|), the final subtraction, and the
   * one-hot product and sum are exact; the fused kernel rounds once from double (u |loss|). So the
   * two differ by at most about (C + 4) u (max|z - max| + |log sum| + |loss|) per example; the test
   * allows four times that. The gradient p - onehot carries the same relative error on p, times
   * |upstream| (1 / rows for the mean).
   */
  @Test
  void softmaxCrossEntropy_fusedAgreesWithTheDecompositionWithinTheRoundingBound() {
    int rows = 23;
    int classes = 10;
    Tensor z = normal(31, DType.FLOAT32, rows, classes).mul(4.0);
    int[] y = new int[rows];
    for (int r = 0; r < rows; r++) y[r] = (r * 7) % classes;
    Tensor labels = Tensor.of(y, rows);
    Supplier<List<float[]>> run =
        () -> {
          try (GradientTape tape = GradientTape.open()) {
            tape.watch(z);
            Tensor loss = dev.sonnet.losses.Losses.softmaxCrossEntropy(z, labels);
            Tensor dz = tape.gradient(loss, z);
            return List.of(loss.toFloatArray(), dz.toFloatArray());
          }
        };
    List<float[]> fused = run.get();
    List<float[]> plain = unfused(run);
    // The fused op really ran (else this compares the decomposition with itself).
    List<String> ops = opsRunBy(run::get);
    if (Backends.getDefault() instanceof dev.sonnet.backend.SoftmaxCrossEntropy) {
      assertThat(ops).contains("softmax_cross_entropy");
    } else {
      assertThat(ops).doesNotContain("softmax_cross_entropy");
    }
    float[] zs = z.toFloatArray();
    double maxSpread = 0;
    for (int r = 0; r < rows; r++) {
      double lo = Double.MAX_VALUE;
      double hi = -Double.MAX_VALUE;
      for (int c = 0; c < classes; c++) {
        lo = Math.min(lo, zs[r * classes + c]);
        hi = Math.max(hi, zs[r * classes + c]);
      }
      maxSpread = Math.max(maxSpread, hi - lo);
    }
    double u = 0x1p-24;
    double lossTol = 4 * (classes + 4) * u * (2 * maxSpread + Math.log(classes) + 1);
    assertThat((double) fused.get(0)[0])
        .isCloseTo(plain.get(0)[0], org.assertj.core.data.Offset.offset(lossTol));
    double gradTol = 4 * (classes + 4) * u / rows;
    float[] gf = fused.get(1);
    float[] gp = plain.get(1);
    for (int i = 0; i < gf.length; i++) {
      assertThat((double) gf[i])
          .as("dz element %d", i)
          .isCloseTo(gp[i], org.assertj.core.data.Offset.offset(gradTol));
    }
  }

  @Test
  void softmaxCrossEntropy_firstAndSecondGradientsMatchFiniteDifferences() {
    Tensor labels = Tensor.of(new int[] {2, 0, 3}, 3);
    Tensor z = GradientCheck.uniform(5, -2, 2, 3, 4);
    GradientCheck.check(
        t -> dev.sonnet.ops.CrossEntropy.sparseSoftmaxCrossEntropy(t[0], labels), z);
    Tensor w = GradientCheck.uniform(6, 0.5, 1.5, 3);
    GradientCheck.check(
        t -> {
          try (GradientTape inner = GradientTape.open()) {
            inner.watch(t[0]);
            Tensor loss = dev.sonnet.ops.CrossEntropy.sparseSoftmaxCrossEntropy(t[0], labels);
            return inner.gradient(loss.mul(w).sum(), t[0]);
          }
        },
        z);
  }
}

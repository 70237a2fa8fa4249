package dev.sonnet.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Checks an operation's gradient against central finite differences, in float64.
 *
 * <p>The scalar being differentiated is {@code L = sum(f(x) * W)} with a fixed random {@code W}, so
 * that every output element contributes with a different weight (a plain sum would hide errors that
 * cancel, e.g. in softmax). For each input element, the numerical derivative is {@code (L(x + h) -
 * L(x - h)) / 2h}.
 *
 * <p>Tolerance, reasoned rather than tuned: with {@code h = 1e-6} the truncation error of the
 * central difference is about {@code h^2 |L'''| / 6 ~ 1e-13} for the smooth, O(1) functions tested,
 * and the rounding error is about {@code eps |L| / h ~ 2e-16 * |L| / 1e-6 = 2e-10 |L|}. Test inputs
 * keep {@code |L|} below about 1e3 (so rounding is below 1e-6) and stay away from kinks (relu at 0,
 * ties in max). A tolerance of {@code 1e-5 * max(1, |numeric|)} leaves a ten-fold margin above both
 * while still catching any wrong formula, whose error is of the order of the gradient itself.
 */
public final class GradientCheck {
  /** Finite-difference step. */
  public static final double STEP = 1e-6;

  /** Relative tolerance (absolute below magnitude 1); see the class comment. */
  public static final double TOLERANCE = 1e-5;

  private GradientCheck() {}

  /** Asserts that the tape's gradients of {@code f} at {@code inputs} match finite differences. */
  public static void check(Function<Tensor[], Tensor> f, Tensor... inputs) {
    for (Tensor in : inputs) {
      assertThat(in.dtype()).as("gradient checks run in float64").isEqualTo(DType.FLOAT64);
    }
    Tensor probe = f.apply(inputs);
    Tensor weights = Tensor.randomUniform(new Rng(1234), DType.FLOAT64, probe.shape(), 0.5, 1.5);

    List<Tensor> analytic;
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(inputs);
      Tensor loss = f.apply(inputs).mul(weights).sum();
      analytic = tape.gradient(loss, Arrays.asList(inputs));
    }

    for (int i = 0; i < inputs.length; i++) {
      double[] base = inputs[i].toDoubleArray();
      Shape shape = inputs[i].shape();
      double[] grad = analytic.get(i).toDoubleArray();
      assertThat(analytic.get(i).shape()).as("gradient shape of input %d", i).isEqualTo(shape);
      for (int e = 0; e < base.length; e++) {
        double numeric =
            (lossWith(f, inputs, i, base, e, STEP, weights)
                    - lossWith(f, inputs, i, base, e, -STEP, weights))
                / (2 * STEP);
        double tol = TOLERANCE * Math.max(1.0, Math.abs(numeric));
        assertThat(grad[e])
            .as("d loss / d input %d element %d (shape %s): analytic vs numeric", i, e, shape)
            .isCloseTo(numeric, org.assertj.core.data.Offset.offset(tol));
      }
    }
  }

  private static double lossWith(
      Function<Tensor[], Tensor> f,
      Tensor[] inputs,
      int which,
      double[] base,
      int element,
      double delta,
      Tensor weights) {
    double[] moved = base.clone();
    moved[element] += delta;
    Tensor[] args = inputs.clone();
    args[which] = Tensor.of(moved, inputs[which].shape().dims());
    return f.apply(args).mul(weights).sum().item();
  }

  /** Uniform float64 samples in {@code [low, high)} of the given shape, from a fixed seed. */
  public static Tensor uniform(long seed, double low, double high, int... shape) {
    return Tensor.randomUniform(new Rng(seed), DType.FLOAT64, Shape.of(shape), low, high);
  }
}

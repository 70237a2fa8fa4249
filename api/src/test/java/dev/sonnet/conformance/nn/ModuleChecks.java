package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.conformance.GradientCheck;
import dev.sonnet.module.Module;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.assertj.core.data.Offset;

/**
 * Helpers for the module tests: deterministic inputs, setting variables, gradient checks through a
 * module (input and every trainable variable, against central differences in float64, with {@link
 * GradientCheck}'s step and tolerance), and variable listings.
 */
public final class ModuleChecks {
  private ModuleChecks() {}

  /** {@code start, start + 1, ...} scaled by {@code scale}, as float64, in {@code shape}. */
  public static Tensor range(double start, double scale, int... shape) {
    double[] v = new double[Shape.of(shape).intSize()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (start + i) * scale;
    }
    return Tensor.of(v, shape);
  }

  /** Uniform float64 samples in {@code [-1, 1)} from {@code seed}. */
  public static Tensor uniform(long seed, int... shape) {
    return Tensor.randomUniform(new Rng(seed), DType.FLOAT64, Shape.of(shape), -1, 1);
  }

  /** Sets {@code v} to uniform samples in {@code [-1, 1)} from {@code seed}. */
  public static void randomize(Variable v, long seed) {
    v.assign(Tensor.randomUniform(new Rng(seed), v.dtype(), v.shape(), -1, 1));
  }

  /** Values of {@code t} as doubles. */
  public static double[] values(Tensor t) {
    return t.toDoubleArray();
  }

  /** Asserts elementwise closeness. */
  public static void assertClose(Tensor actual, double[] expected, double tol) {
    double[] a = actual.toDoubleArray();
    assertThat(a).hasSameSizeAs(expected);
    for (int i = 0; i < a.length; i++) {
      assertThat(a[i])
          .as("element %d of %s", i, actual.shape())
          .isCloseTo(expected[i], Offset.offset(tol * Math.max(1, Math.abs(expected[i]))));
    }
  }

  /** {@code path -> dtype[shape]} per variable, in {@code variables()} order. */
  public static List<String> variableLines(Module m) {
    List<String> out = new ArrayList<>();
    for (Variable v : m.variables()) {
      out.add(
          v.name()
              + " -> "
              + spec(v.dtype(), v.shape())
              + (v.trainable() ? "" : " (non-trainable)"));
    }
    return out;
  }

  /** Like {@code f32[8,3]}. */
  public static String spec(DType dtype, Shape shape) {
    StringBuilder sb = new StringBuilder(dtype.shortName()).append('[');
    int[] d = shape.dims();
    for (int i = 0; i < d.length; i++) {
      sb.append(i == 0 ? "" : ",").append(d[i]);
    }
    return sb.append(']').toString();
  }

  /**
   * Checks the gradients of {@code f} (which calls {@code module}) with respect to {@code x} and to
   * each trainable variable of the module, in float64.
   */
  public static void checkGradients(Module module, Function<Tensor, Tensor> f, Tensor x) {
    GradientCheck.check(in -> f.apply(in[0]), x);
    checkVariableGradients(module, () -> f.apply(x));
  }

  /** Checks the gradient of {@code f}'s output with respect to each trainable variable. */
  public static void checkVariableGradients(Module module, java.util.function.Supplier<Tensor> f) {
    Tensor probe = f.get();
    Tensor weights = Tensor.randomUniform(new Rng(4321), DType.FLOAT64, probe.shape(), 0.5, 1.5);
    List<Variable> vars = module.trainableVariables();
    List<Tensor> analytic;
    try (GradientTape tape = GradientTape.open()) {
      Tensor loss = f.get().mul(weights).sum();
      analytic = tape.gradient(loss, vars);
    }
    for (int k = 0; k < vars.size(); k++) {
      Variable v = vars.get(k);
      Tensor saved = v.peek();
      double[] base = saved.toDoubleArray();
      double[] grad = analytic.get(k).toDoubleArray();
      for (int e = 0; e < base.length; e++) {
        double[] plus = base.clone();
        plus[e] += GradientCheck.STEP;
        v.assign(Tensor.of(plus, v.shape().dims()));
        double lp = f.get().mul(weights).sum().item();
        double[] minus = base.clone();
        minus[e] -= GradientCheck.STEP;
        v.assign(Tensor.of(minus, v.shape().dims()));
        double lm = f.get().mul(weights).sum().item();
        v.assign(saved);
        double numeric = (lp - lm) / (2 * GradientCheck.STEP);
        assertThat(grad[e])
            .as("d loss / d %s element %d", v.name(), e)
            .isCloseTo(
                numeric, Offset.offset(GradientCheck.TOLERANCE * Math.max(1, Math.abs(numeric))));
      }
    }
  }
}

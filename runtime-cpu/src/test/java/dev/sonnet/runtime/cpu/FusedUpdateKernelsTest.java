package dev.sonnet.runtime.cpu;

import static dev.sonnet.runtime.cpu.KernelFixtures.SCALAR;
import static dev.sonnet.runtime.cpu.KernelFixtures.VECTOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sonnet.backend.FusedUpdate.Rule;
import dev.sonnet.ops.Fusion;
import dev.sonnet.ops.OptimizerUpdates;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link UpdateKernels} through {@link OptimizerUpdates} against the rule's decomposition into
 * elementwise ops ({@link Fusion} off), on both CPU kernel sets, for sizes around the vector width
 * and the parallel split, float32 and float64. Bit for bit, except RMSProp: the unfused {@code
 * rsqrt} rounds once from double on the scalar reference backend and in the vector kernel's scalar
 * tail (the last elements that do not fill a vector), while the fused kernel computes {@code 1 /
 * sqrt} in the dtype everywhere: the factor may differ by one ulp ({@code 2^-24} relative in
 * float), so the momentum term {@code (g * lr) * rsqrt} by one ulp of itself plus the rounding of
 * the sum and of {@code p - mom}: {@code 4 * 2^-24 * (|p| + |mom|)} bounds it.
 */
class FusedUpdateKernelsTest {
  private static final double[][] HYPER = {
    {0.1}, // SGD
    {0.1, 0.9}, // MOMENTUM
    {0.1, 0.9}, // NESTEROV
    {0.01, 0.9, 0.1, 0.999, 0.001, 0.19, 0.002, 1e-8}, // ADAM at t = 2
    {0.01, 0.9, 0.1, 0.5, 1e-10}, // RMSPROP
    {0.01, 0.9, 0.1, 0.5, 1e-10}, // RMSPROP_CENTERED
  };

  @AfterEach
  void restore() {
    Fusion.setEnabled(true);
  }

  @Test
  void everyRuleMatchesItsDecomposition() {
    for (CpuBackend backend : new CpuBackend[] {VECTOR, SCALAR}) {
      for (boolean f64 : new boolean[] {false, true}) {
        for (Rule rule : Rule.values()) {
          for (int size : new int[] {1, 17, 1000, 70_001}) {
            List<double[]> fused = run(backend, rule, size, f64, true);
            List<double[]> plain = run(backend, rule, size, f64, false);
            boolean rsqrtDiffers = rule == Rule.RMSPROP || rule == Rule.RMSPROP_CENTERED;
            double u = f64 ? 0x1p-53 : 0x1p-24;
            int outputs = 1 + rule.slots();
            for (int o = 0; o < outputs; o++) {
              double[] a = fused.get(o);
              double[] b = plain.get(o);
              String what = rule + " " + size + (f64 ? " f64" : " f32") + " output " + o;
              if (!rsqrtDiffers) {
                assertThat(a).as("%s on %s", what, backend).isEqualTo(b);
                continue;
              }
              // Inputs follow the outputs: p, g, ms, mom (see run).
              double[] p0 = fused.get(outputs);
              double[] g = fused.get(outputs + 1);
              double[] mom0 = fused.get(outputs + 3);
              for (int i = 0; i < a.length; i++) {
                // |(g lr) rsqrt| <= 0.01 |g| / sqrt(0.45): the one-ulp factor error, the rounding
                // of mom' and of p - mom', each at most u of these magnitudes.
                double scale = Math.abs(p0[i]) + Math.abs(mom0[i]) + 0.02 * Math.abs(g[i]);
                double tol = 4 * u * scale + Double.MIN_VALUE;
                assertThat(a[i])
                    .as("%s element %d on %s", what, i, backend)
                    .isCloseTo(b[i], within(tol));
              }
            }
          }
        }
      }
    }
  }

  /** One step of {@code rule} on random values: the new parameter and slots, then the inputs. */
  private static List<double[]> run(
      CpuBackend backend, Rule rule, int size, boolean f64, boolean fused) {
    Random r = new Random(size * 31L + rule.ordinal());
    Variable p = new Variable("p", random(backend, r, size, f64, false), true);
    Tensor g = random(backend, r, size, f64, false);
    List<Variable> slots = new ArrayList<>();
    for (int s = 0; s < rule.slots(); s++) {
      // Adam's v and RMSProp's ms are means of squares: non-negative, like the real ones.
      boolean positive = (rule == Rule.ADAM && s == 1) || (rule.name().startsWith("RMS") && s == 0);
      Tensor value = random(backend, r, size, f64, positive);
      if (rule == Rule.RMSPROP_CENTERED && s == 2) {
        value = value.mul(0.1); // a small mean gradient keeps ms' - mg'^2 positive
      }
      slots.add(new Variable("s" + s, value, false));
    }
    List<double[]> in = new ArrayList<>();
    in.add(p.peek().toDoubleArray());
    in.add(g.toDoubleArray());
    for (Variable s : slots) in.add(s.peek().toDoubleArray());
    Fusion.setEnabled(fused);
    OptimizerUpdates.apply(rule, HYPER[rule.ordinal()], p, g, slots);
    List<double[]> out = new ArrayList<>();
    out.add(p.peek().toDoubleArray());
    for (Variable s : slots) out.add(s.peek().toDoubleArray());
    out.addAll(in); // the inputs after the outputs, for the tolerance
    return out;
  }

  private static Tensor random(
      CpuBackend backend, Random r, int size, boolean f64, boolean positive) {
    double[] d = new double[size];
    for (int i = 0; i < size; i++) {
      double v = r.nextGaussian();
      d[i] = positive ? v * v + 0.5 : v;
    }
    if (f64) {
      return Tensor.of(d, size).to(backend);
    }
    float[] f = new float[size];
    for (int i = 0; i < size; i++) f[i] = (float) d[i];
    return Tensor.of(f, size).to(backend);
  }
}

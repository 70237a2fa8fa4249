package dev.sonnet.conformance.nets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.conformance.nn.ModuleChecks;
import dev.sonnet.conformance.nn.NnReference;
import dev.sonnet.nets.Dilation;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Sonnet 1's Dilation context module against plain-loop dilated convolutions. */
class DilationTest {
  private static final int[] RATES = {1, 1, 2, 4, 8, 16, 1, 1};

  private static double[] relu(double[] x) {
    double[] y = x.clone();
    for (int i = 0; i < y.length; i++) {
      y[i] = Math.max(0, y[i]);
    }
    return y;
  }

  @Test
  void basic_startsAsTheIdentity_soItsOutputIsTheReluOfItsInput() {
    Dilation d = new Dilation(3);
    Tensor x = ModuleChecks.uniform(1, 2, 6, 5, 3);
    // Each layer passes every channel's centre tap through with weight 1; exact in float64.
    ModuleChecks.assertClose(d.call(x), relu(x.toDoubleArray()), 0);
  }

  @Test
  void large_startsAsANoisyIdentity() {
    Dilation d = Dilation.builder(2).modelSize(Dilation.ModelSize.LARGE).build();
    Tensor x = ModuleChecks.uniform(2, 1, 5, 5, 2);
    // The noise (stddev 1e-8) enters through at most 9 * 64 taps per layer over 8 layers, with
    // activations O(1): far below 1e-5; a wrong spreading of the identity is off by O(0.1).
    ModuleChecks.assertClose(d.call(x), relu(x.toDoubleArray()), 1e-5);
    assertThat(d.layers().get(5).w().shape()).isEqualTo(Shape.of(3, 3, 32, 64));
    assertThat(d.layers().get(7).w().shape()).isEqualTo(Shape.of(3, 3, 64, 2));
  }

  @Test
  void call_isEightDilatedConvolutionsWithReluBetween() {
    Dilation d = new Dilation(2);
    Tensor x = ModuleChecks.uniform(3, 1, 6, 6, 2);
    d.call(x);
    for (int i = 0; i < 8; i++) {
      ModuleChecks.randomize(d.layers().get(i).w(), 70 + i);
      ModuleChecks.randomize(d.layers().get(i).b(), 80 + i);
    }
    double[] h = x.toDoubleArray();
    int[] spatial = {6, 6};
    for (int i = 0; i < 8; i++) {
      Conv2D conv = d.layers().get(i);
      int r = RATES[i];
      int[][] same =
          NnReference.same(spatial, new int[] {3, 3}, new int[] {1, 1}, new int[] {r, r});
      h =
          NnReference.addBias(
              NnReference.conv(
                  h,
                  1,
                  spatial,
                  2,
                  conv.w().peek().toDoubleArray(),
                  new int[] {3, 3},
                  2,
                  new int[] {1, 1},
                  new int[] {r, r},
                  same[0],
                  same[1]),
              conv.b().peek().toDoubleArray());
      if (i < 7) {
        h = relu(h);
      }
    }
    // float64 throughout; values grow to O(10) over 8 layers of 18-tap sums: 1e-9 relative.
    ModuleChecks.assertClose(d.call(x), h, 1e-9);
  }

  @Test
  void identityKernel_valuesAndErrors() {
    Tensor k = Dilation.identityKernel().apply(Shape.of(3, 3, 2, 2), DType.FLOAT32, new Rng(1));
    float[] v = k.toFloatArray();
    for (int i = 0; i < v.length; i++) {
      int o = i % 2;
      int in = i / 2 % 2;
      int tap = i / 4;
      assertThat(v[i]).isEqualTo(tap == 4 && in == o ? 1f : 0f);
    }
    assertThatThrownBy(
            () -> Dilation.identityKernel().apply(Shape.of(3, 3, 2, 3), DType.FLOAT32, new Rng(1)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("in_channels must equal out_channels");
    assertThatThrownBy(
            () -> Dilation.identityKernel().apply(Shape.of(2, 2, 2, 2), DType.FLOAT32, new Rng(1)))
        .hasMessageContaining("odd size");
    assertThatThrownBy(() -> new Dilation(3).call(Tensor.zeros(DType.FLOAT32, 4, 4, 3)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("dilation: images must have shape [batch, height, width, depth]");
  }

  @Test
  void noisyIdentityKernel_spreadsEachInputGroupOverItsOutputGroup() {
    Tensor k =
        Dilation.noisyIdentityKernel(2, 0).apply(Shape.of(1, 1, 2, 4), DType.FLOAT64, new Rng(1));
    // in 2, out 4, base 2: input i feeds outputs o with i * 2 / 2 == o * 2 / 4, weight 2 / 4.
    assertThat(k.toDoubleArray()).containsExactly(0.5, 0.5, 0, 0, 0, 0, 0.5, 0.5);
  }

  @Test
  void gradients_matchFiniteDifferences() {
    Dilation d = new Dilation(1);
    Tensor x = ModuleChecks.uniform(4, 1, 3, 3, 1);
    d.call(x);
    // Positive biases keep every pre-activation away from relu's kink at 0, where a finite
    // difference and the (sub)gradient 0 legitimately disagree.
    for (int i = 0; i < 8; i++) {
      ModuleChecks.randomize(d.layers().get(i).w(), 90 + i);
      var b = d.layers().get(i).b();
      b.assign(Tensor.randomUniform(new Rng(100 + i), b.dtype(), b.shape(), 0.5, 1.5));
    }
    ModuleChecks.checkGradients(d, d::call, x);
  }
}

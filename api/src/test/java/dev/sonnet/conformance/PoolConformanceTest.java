package dev.sonnet.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.ops.Convolution;
import dev.sonnet.ops.DataFormat;
import dev.sonnet.ops.Padding;
import dev.sonnet.ops.PoolOptions;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Convolution#maxPool} and {@link Convolution#avgPool} against direct loops, over 1-d to 3-d
 * inputs, strides, the three paddings and both data formats; their gradients against finite
 * differences; and their errors.
 */
class PoolConformanceTest {

  /** One configuration; {@code stride} null means the window. */
  record Case(
      String name,
      int batch,
      int[] in,
      int channels,
      int[] window,
      int[] stride,
      String padding,
      int[][] explicit,
      DataFormat format) {

    PoolOptions options() {
      PoolOptions o =
          PoolOptions.DEFAULT
              .withPadding(ConvConformanceTest.paddingOf(padding, explicit))
              .withDataFormat(format);
      return stride == null ? o : o.withStride(stride);
    }

    int[] xShape() {
      return ConvReference.shape(batch, in, channels);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static final DataFormat LAST = DataFormat.CHANNELS_LAST;
  private static final DataFormat FIRST = DataFormat.CHANNELS_FIRST;

  private static int[] a(int... v) {
    return v;
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case("1d_default", 2, a(7), 3, a(2), null, "VALID", null, LAST),
        new Case("1d_same_stride2", 1, a(7), 2, a(3), a(2), "SAME", null, LAST),
        new Case("1d_explicit", 2, a(5), 1, a(3), a(1), "EXPLICIT", new int[][] {{2, 1}}, LAST),
        new Case("2d_valid", 2, a(6, 5), 3, a(2, 2), a(2), "VALID", null, LAST),
        new Case("2d_same_stride2_window3", 1, a(7, 6), 2, a(3, 3), a(2), "SAME", null, LAST),
        new Case("2d_same_stride1", 2, a(4, 5), 2, a(3, 2), a(1), "SAME", null, LAST),
        new Case("2d_overlapping_valid", 1, a(6, 6), 5, a(3, 3), a(1, 2), "VALID", null, LAST),
        new Case(
            "2d_explicit",
            1,
            a(5, 4),
            2,
            a(3, 2),
            a(2, 1),
            "EXPLICIT",
            new int[][] {{1, 2}, {0, 1}},
            LAST),
        new Case("2d_channelsFirst", 2, a(5, 5), 3, a(2, 3), a(2), "SAME", null, FIRST),
        new Case("2d_size1", 1, a(1, 4), 1, a(1, 2), null, "VALID", null, LAST),
        new Case("3d_same", 1, a(3, 4, 5), 2, a(2, 2, 3), a(2), "SAME", null, LAST),
        new Case(
            "3d_valid_channelsFirst", 2, a(4, 3, 4), 3, a(2), a(1, 2, 1), "VALID", null, FIRST));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void maxPool_matchesDirectLoops(Case c) {
    checkForward(true, c, DType.FLOAT64, 0);
    checkForward(true, c, DType.FLOAT32, 0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void avgPool_matchesDirectLoops_withoutCountingPadding(Case c) {
    checkForward(false, c, DType.FLOAT64, 1e-14);
    checkForward(false, c, DType.FLOAT32, 1e-6);
  }

  private static void checkForward(boolean max, Case c, DType dtype, double tolerance) {
    int n = c.in.length;
    double[] x = ConvReference.random(51, ConvReference.product(c.xShape()));
    if (dtype == DType.FLOAT32) {
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) x[i];
      }
    }
    int[] window = ConvReference.replicate(c.window, n);
    int[] stride = c.stride == null ? window : ConvReference.replicate(c.stride, n);
    int[] ones = ConvReference.replicate(a(1), n);
    ConvReference.Resolved r =
        ConvReference.resolve(c.padding, c.in, window, stride, ones, c.explicit);
    double[] expected = ConvReference.pool(max, x, c.xShape(), window, stride, r.before(), r.out());
    int[] yShape = ConvReference.shape(c.batch, r.out(), c.channels);

    Tensor xt =
        c.format == FIRST
            ? Tensor.of(
                ConvReference.toChannelsFirst(x, c.xShape()),
                ConvReference.channelsFirstShape(c.xShape()))
            : Tensor.of(x, c.xShape());
    xt = xt.cast(dtype);
    Tensor y =
        max
            ? Convolution.maxPool(xt, c.window, c.options())
            : Convolution.avgPool(xt, c.window, c.options());

    assertThat(y.dtype()).isEqualTo(dtype);
    double[] actual = y.toDoubleArray();
    if (c.format == FIRST) {
      assertThat(y.shape().dims()).isEqualTo(ConvReference.channelsFirstShape(yShape));
      actual = ConvReference.toChannelsLast(actual, y.shape().dims());
    } else {
      assertThat(y.shape().dims()).isEqualTo(yShape);
    }
    ConvConformanceTest.assertClose(actual, expected, tolerance);
  }

  /** Distinct values (a shuffled ramp), so that no window has tied maxima. */
  private static Tensor distinct(long seed, int... shape) {
    int size = ConvReference.product(shape);
    double[] v = new double[size];
    for (int i = 0; i < size; i++) {
      v[i] = (i - size / 2.0) * 0.1;
    }
    Random r = new Random(seed);
    for (int i = size - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      double t = v[i];
      v[i] = v[j];
      v[j] = t;
    }
    return Tensor.of(v, shape);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void maxPool_gradient_matchesFiniteDifferences_withoutTies(Case c) {
    Tensor x =
        distinct(61, c.format == FIRST ? ConvReference.channelsFirstShape(c.xShape()) : c.xShape());
    GradientCheck.check(in -> Convolution.maxPool(in[0], c.window, c.options()), x);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void avgPool_gradient_matchesFiniteDifferences(Case c) {
    Tensor x =
        GradientCheck.uniform(
            62,
            -1,
            1,
            c.format == FIRST ? ConvReference.channelsFirstShape(c.xShape()) : c.xShape());
    GradientCheck.check(in -> Convolution.avgPool(in[0], c.window, c.options()), x);
  }

  @Test
  void maxPool_tiedMaxima_sendGradientToFirstOnly() {
    Tensor x = Tensor.of(new double[] {1, 3, 3, 2}, 1, 4, 1);
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(x);
      Tensor y = Convolution.maxPool(x, new int[] {4});
      assertThat(y.toDoubleArray()).containsExactly(3);
      assertThat(tape.gradient(y.sum(), x).toDoubleArray()).containsExactly(0, 1, 0, 0);
    }
  }

  @Test
  void avgPool_secondDerivative_matchesFiniteDifferences() {
    PoolOptions o = PoolOptions.DEFAULT.withStride(1).withPadding(Padding.SAME);
    Tensor x = GradientCheck.uniform(63, -1, 1, 1, 4, 3, 2);
    GradientCheck.check(
        in -> {
          try (GradientTape tape = GradientTape.open()) {
            tape.watch(in[0]);
            Tensor y = Convolution.avgPool(in[0], new int[] {2, 2}, o);
            return tape.gradient(y.mul(y).sum(), in[0]);
          }
        },
        x);
  }

  @Test
  void maxPool_secondDerivative_matchesFiniteDifferences_withoutTies() {
    PoolOptions o = PoolOptions.DEFAULT.withStride(2, 1).withPadding(Padding.SAME);
    Tensor x = distinct(64, 2, 5, 4, 3);
    Tensor v = GradientCheck.uniform(65, 0.5, 1.5, 2, 3, 4, 3);
    // f(x) = d/dx sum(maxPool(x)^2 * v) = route(2 * maxPool(x) * v): its derivative needs the
    // gradient of max pooling's gradient.
    GradientCheck.check(
        in -> {
          try (GradientTape tape = GradientTape.open()) {
            tape.watch(in[0]);
            Tensor y = Convolution.maxPool(in[0], new int[] {3, 2}, o);
            return tape.gradient(y.mul(y).mul(v).sum(), in[0]);
          }
        },
        x);
  }

  @Test
  void maxPool_thirdOrderChain_reusesGradientOps() {
    // d/dx of <maxPoolGrad(x, dy), g> w.r.t. dy is g read at each window's maximum; check it on a
    // padded window where all values are negative, so padding (read as 0) must never win.
    PoolOptions o = PoolOptions.DEFAULT.withStride(1).withPadding(Padding.SAME);
    Tensor x = Tensor.of(new double[] {-3, -1, -2, -5}, 1, 4, 1);
    Tensor dy = Tensor.of(new double[] {1, 1, 1, 1}, 1, 4, 1);
    Tensor g = Tensor.of(new double[] {10, 20, 30, 40}, 1, 4, 1);
    try (GradientTape outer = GradientTape.open()) {
      outer.watch(dy);
      Tensor dx;
      try (GradientTape inner = GradientTape.open()) {
        inner.watch(x);
        Tensor y = Convolution.maxPool(x, new int[] {3}, o);
        dx = inner.gradient(y.mul(dy).sum(), x);
      }
      // Windows (SAME, k=3): [pad,-3,-1] -> -1, [-3,-1,-2] -> -1, [-1,-2,-5] -> -1,
      // [-2,-5,pad] -> -2.
      assertThat(dx.toDoubleArray()).containsExactly(0, 3, 1, 0);
      assertThat(outer.gradient(dx.mul(g).sum(), dy).toDoubleArray())
          .containsExactly(20, 20, 20, 30);
    }
  }

  @Test
  void pool_inputOfRank2_isRejected() {
    assertThatThrownBy(() -> Convolution.maxPool(Tensor.zeros(DType.FLOAT32, 4, 4), new int[] {2}))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("max_pool")
        .hasMessageContaining("[4, 4]")
        .hasMessageContaining("rank 3 to 5");
  }

  @Test
  void pool_paddingAsLargeAsWindow_isRejected() {
    PoolOptions o = PoolOptions.DEFAULT.withPadding(Padding.explicit(2, 0));
    assertThatThrownBy(
            () -> Convolution.avgPool(Tensor.zeros(DType.FLOAT32, 1, 5, 1), new int[] {2}, o))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("avg_pool1d")
        .hasMessageContaining("smaller than the window");
  }

  @Test
  void pool_windowLargerThanValidInput_isRejected() {
    assertThatThrownBy(
            () -> Convolution.maxPool(Tensor.zeros(DType.FLOAT32, 1, 3, 3, 1), new int[] {4, 4}))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("max_pool2d")
        .hasMessageContaining("window of 4");
  }

  @Test
  void poolOptions_toString_omitsDefaults() {
    assertThat(PoolOptions.DEFAULT.toString()).isEqualTo("PoolOptions()");
    assertThat(PoolOptions.DEFAULT.withStride(2).withPadding(Padding.SAME).toString())
        .isEqualTo("PoolOptions(stride=2, padding=SAME)");
  }
}

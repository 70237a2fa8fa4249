package dev.sonnet.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.ops.ConvOptions;
import dev.sonnet.ops.Convolution;
import dev.sonnet.ops.DataFormat;
import dev.sonnet.ops.Padding;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.DTypeException;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Convolution#conv} and {@link Convolution#depthwiseConv} against a direct convolution
 * written in plain loops ({@link ConvReference}), over 1-d, 2-d and 3-d inputs, strides, dilations,
 * the three paddings, groups, both data formats and odd sizes; their gradients against finite
 * differences; and their error messages.
 */
class ConvConformanceTest {

  /** One convolution configuration; {@code cg} is the filters' input channels per group. */
  record Case(
      String name,
      int batch,
      int[] in,
      int channels,
      int[] kernel,
      int cg,
      int outChannels,
      int[] stride,
      int[] dilation,
      String padding,
      int[][] explicit,
      DataFormat format) {

    ConvOptions options() {
      return ConvOptions.DEFAULT
          .withStride(stride)
          .withDilation(dilation)
          .withPadding(paddingOf(padding, explicit))
          .withDataFormat(format);
    }

    int[] xShape() {
      return ConvReference.shape(batch, in, channels);
    }

    int[] wShape() {
      return ConvReference.filterShape(kernel, cg, outChannels);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Padding paddingOf(String kind, int[][] explicit) {
    return switch (kind) {
      case "SAME" -> Padding.SAME;
      case "VALID" -> Padding.VALID;
      default -> Padding.explicit(explicit);
    };
  }

  private static final DataFormat LAST = DataFormat.CHANNELS_LAST;
  private static final DataFormat FIRST = DataFormat.CHANNELS_FIRST;

  private static int[] a(int... v) {
    return v;
  }

  static Stream<Case> cases() {
    return Stream.of(
        // 1-d
        new Case("1d_same", 2, a(7), 3, a(3), 3, 4, a(1), a(1), "SAME", null, LAST),
        new Case("1d_valid_stride2", 3, a(8), 2, a(3), 2, 3, a(2), a(1), "VALID", null, LAST),
        new Case(
            "1d_same_stride2_evenKernel", 1, a(9), 2, a(2), 2, 2, a(2), a(1), "SAME", null, LAST),
        new Case("1d_dilation2_same", 2, a(9), 3, a(3), 3, 2, a(1), a(2), "SAME", null, LAST),
        new Case(
            "1d_explicit",
            1,
            a(6),
            2,
            a(3),
            2,
            3,
            a(1),
            a(1),
            "EXPLICIT",
            new int[][] {{2, 1}},
            LAST),
        new Case(
            "1d_groups2_channelsFirst", 2, a(7), 4, a(3), 2, 6, a(2), a(1), "SAME", null, FIRST),
        new Case("1d_size1", 1, a(1), 1, a(1), 1, 1, a(1), a(1), "VALID", null, LAST),
        // 2-d
        new Case("2d_same", 2, a(5, 6), 3, a(3, 2), 3, 4, a(1), a(1), "SAME", null, LAST),
        new Case("2d_valid_stride2", 1, a(7, 6), 2, a(3, 3), 2, 5, a(2), a(1), "VALID", null, LAST),
        new Case("2d_same_stride2", 3, a(7, 5), 3, a(3, 3), 3, 2, a(2), a(1), "SAME", null, LAST),
        new Case("2d_dilation2_same", 1, a(7, 6), 2, a(3, 2), 2, 3, a(1), a(2), "SAME", null, LAST),
        new Case(
            "2d_dilation2_stride2_valid",
            2,
            a(9, 8),
            1,
            a(2, 3),
            1,
            2,
            a(2, 1),
            a(2, 2),
            "VALID",
            null,
            LAST),
        new Case(
            "2d_explicit_mixedStride",
            1,
            a(6, 5),
            2,
            a(3, 3),
            2,
            3,
            a(2, 1),
            a(1),
            "EXPLICIT",
            new int[][] {{1, 0}, {2, 1}},
            LAST),
        new Case("2d_groups2", 2, a(5, 5), 4, a(3, 3), 2, 6, a(1), a(1), "SAME", null, LAST),
        new Case(
            "2d_groups3_stride2_explicit",
            1,
            a(6, 7),
            6,
            a(2, 3),
            2,
            3,
            a(2),
            a(1),
            "EXPLICIT",
            new int[][] {{0, 1}, {1, 1}},
            LAST),
        new Case("2d_depthwise", 2, a(5, 4), 3, a(3, 3), 1, 6, a(1), a(1), "SAME", null, LAST),
        new Case(
            "2d_depthwise_dilated_channelsFirst",
            1,
            a(7, 7),
            4,
            a(3, 3),
            1,
            4,
            a(1),
            a(2),
            "SAME",
            null,
            FIRST),
        new Case(
            "2d_channelsFirst_stride2",
            2,
            a(6, 5),
            3,
            a(3, 3),
            3,
            4,
            a(2),
            a(1),
            "SAME",
            null,
            FIRST),
        new Case("2d_size1Dims", 1, a(1, 5), 2, a(1, 3), 2, 3, a(1), a(1), "SAME", null, LAST),
        new Case(
            "2d_kernelLargerThanInput_same",
            1,
            a(2, 2),
            2,
            a(3, 3),
            2,
            2,
            a(1),
            a(1),
            "SAME",
            null,
            LAST),
        new Case("2d_pointwise", 2, a(4, 3), 5, a(1, 1), 5, 3, a(1), a(1), "VALID", null, LAST),
        new Case(
            "2d_pointwise_groups", 1, a(3, 3), 4, a(1, 1), 2, 4, a(1), a(1), "SAME", null, LAST),
        new Case(
            "2d_pointwise_stride2", 1, a(5, 5), 3, a(1, 1), 3, 2, a(2), a(1), "SAME", null, LAST),
        // 3-d
        new Case("3d_same", 1, a(3, 4, 5), 2, a(2, 3, 2), 2, 3, a(1), a(1), "SAME", null, LAST),
        new Case(
            "3d_valid_stride2",
            2,
            a(5, 4, 5),
            1,
            a(2, 2, 3),
            1,
            2,
            a(2),
            a(1),
            "VALID",
            null,
            LAST),
        new Case(
            "3d_dilation_groups2_explicit",
            1,
            a(4, 5, 4),
            4,
            a(2, 2, 2),
            2,
            2,
            a(1),
            a(1, 2, 1),
            "EXPLICIT",
            new int[][] {{1, 0}, {0, 1}, {1, 1}},
            LAST),
        new Case(
            "3d_channelsFirst",
            2,
            a(3, 3, 4),
            2,
            a(3, 1, 2),
            2,
            2,
            a(1, 1, 2),
            a(1),
            "SAME",
            null,
            FIRST));
  }

  // ---- forward -------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void conv_matchesDirectConvolution_inFloat64(Case c) {
    double[] x = ConvReference.random(1, ConvReference.product(c.xShape()));
    double[] w = ConvReference.random(2, ConvReference.product(c.wShape()));
    Expected e = expected(c, x, w);

    Tensor y = Convolution.conv(input(c, x), Tensor.of(w, c.wShape()), c.options());

    assertThat(y.shape().dims()).isEqualTo(e.shape);
    assertClose(y.toDoubleArray(), e.values, 1e-12);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void conv_matchesDirectConvolution_inFloat32(Case c) {
    double[] x = ConvReference.random(3, ConvReference.product(c.xShape()));
    double[] w = ConvReference.random(4, ConvReference.product(c.wShape()));
    Expected e = expected(c, x, w);

    Tensor y =
        Convolution.conv(
            input(c, x).cast(DType.FLOAT32),
            Tensor.of(w, c.wShape()).cast(DType.FLOAT32),
            c.options());

    assertThat(y.dtype()).isEqualTo(DType.FLOAT32);
    assertThat(y.shape().dims()).isEqualTo(e.shape);
    assertClose(y.toDoubleArray(), e.values, 1e-5);
  }

  @Test
  void depthwiseConv_equalsGroupedConvWithOneChannelPerGroup() {
    int[] xShape = {2, 5, 6, 3};
    int[] wShape = {3, 2, 3, 2}; // multiplier 2
    double[] x = ConvReference.random(5, ConvReference.product(xShape));
    double[] w = ConvReference.random(6, ConvReference.product(wShape));
    ConvOptions o = ConvOptions.DEFAULT.withStride(2, 1);
    ConvReference.Resolved r =
        ConvReference.resolve("SAME", a(5, 6), a(3, 2), a(2, 1), a(1, 1), null);
    double[] expected =
        ConvReference.conv(x, xShape, w, a(3, 2, 1, 6), a(2, 1), a(1, 1), r.before(), r.out());

    Tensor y = Convolution.depthwiseConv(Tensor.of(x, xShape), Tensor.of(w, wShape), o);

    assertThat(y.shape().dims()).containsExactly(2, 3, 6, 6);
    assertClose(y.toDoubleArray(), expected, 1e-12);
  }

  @Test
  void conv_defaultOptions_keepSpatialSize() {
    Tensor y =
        Convolution.conv(
            Tensor.zeros(DType.FLOAT32, 1, 8, 8, 3), Tensor.zeros(DType.FLOAT32, 3, 3, 3, 16));
    assertThat(y.shape().dims()).containsExactly(1, 8, 8, 16);
  }

  @Test
  void outputSpatialShape_followsTensorFlowSizes() {
    assertThat(Convolution.outputSpatialShape(a(7, 8), a(3, 3), ConvOptions.DEFAULT.withStride(2)))
        .containsExactly(4, 4);
    assertThat(
            Convolution.outputSpatialShape(
                a(7, 8), a(3, 3), ConvOptions.DEFAULT.withStride(2).withPadding(Padding.VALID)))
        .containsExactly(3, 3);
    assertThat(
            Convolution.outputSpatialShape(
                a(7), a(3), ConvOptions.DEFAULT.withDilation(2).withPadding(Padding.VALID)))
        .containsExactly(3);
  }

  record Expected(int[] shape, double[] values) {}

  /** The reference output, in the case's data format. */
  static Expected expected(Case c, double[] x, double[] w) {
    ConvReference.Resolved r =
        ConvReference.resolve(
            c.padding,
            c.in,
            c.kernel,
            ConvReference.replicate(c.stride, c.in.length),
            ConvReference.replicate(c.dilation, c.in.length),
            c.explicit);
    double[] y =
        ConvReference.conv(
            x,
            c.xShape(),
            w,
            c.wShape(),
            ConvReference.replicate(c.stride, c.in.length),
            ConvReference.replicate(c.dilation, c.in.length),
            r.before(),
            r.out());
    int[] yShape = ConvReference.shape(c.batch, r.out(), c.outChannels);
    if (c.format == FIRST) {
      return new Expected(
          ConvReference.channelsFirstShape(yShape), ConvReference.toChannelsFirst(y, yShape));
    }
    return new Expected(yShape, y);
  }

  /** {@code x} (channels-last values) as a tensor in the case's data format. */
  static Tensor input(Case c, double[] x) {
    if (c.format == FIRST) {
      return Tensor.of(
          ConvReference.toChannelsFirst(x, c.xShape()),
          ConvReference.channelsFirstShape(c.xShape()));
    }
    return Tensor.of(x, c.xShape());
  }

  static void assertClose(double[] actual, double[] expected, double tolerance) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < actual.length; i++) {
      double tol = tolerance * Math.max(1, Math.abs(expected[i]));
      assertThat(actual[i])
          .as("element %d of %d", i, actual.length)
          .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(tol));
    }
  }

  // ---- gradients -----------------------------------------------------------------------------

  static Stream<Case> gradientCases() {
    return Stream.of(
        new Case("1d_stride2_same", 2, a(7), 2, a(3), 2, 3, a(2), a(1), "SAME", null, LAST),
        new Case(
            "2d_groups2_explicit",
            1,
            a(4, 5),
            4,
            a(2, 3),
            2,
            4,
            a(1, 2),
            a(1),
            "EXPLICIT",
            new int[][] {{1, 0}, {0, 2}},
            LAST),
        new Case(
            "2d_depthwise_dilated", 1, a(5, 5), 2, a(2, 2), 1, 4, a(1), a(2), "SAME", null, LAST),
        new Case(
            "2d_channelsFirst_valid",
            2,
            a(4, 4),
            2,
            a(3, 2),
            2,
            2,
            a(1),
            a(1),
            "VALID",
            null,
            FIRST),
        new Case("2d_pointwise", 2, a(3, 2), 3, a(1, 1), 3, 2, a(1), a(1), "SAME", null, LAST),
        new Case(
            "3d_stride2_same", 1, a(3, 4, 3), 2, a(2, 2, 2), 2, 2, a(2), a(1), "SAME", null, LAST));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("gradientCases")
  void conv_gradientsForInputAndFilters_matchFiniteDifferences(Case c) {
    Tensor x = input(c, ConvReference.random(7, ConvReference.product(c.xShape())));
    Tensor w = Tensor.of(ConvReference.random(8, ConvReference.product(c.wShape())), c.wShape());
    GradientCheck.check(in -> Convolution.conv(in[0], in[1], c.options()), x, w);
  }

  @Test
  void conv_secondDerivative_ofInputGradientForFilters_matchesFiniteDifferences() {
    Case c = gradientCases().toList().get(1);
    Tensor x = input(c, ConvReference.random(9, ConvReference.product(c.xShape())));
    Tensor w = Tensor.of(ConvReference.random(10, ConvReference.product(c.wShape())), c.wShape());
    Tensor probe = Convolution.conv(x, w, c.options());
    Tensor v = GradientCheck.uniform(11, -1, 1, probe.shape().dims());
    // f(x, w) = d/dx sum(conv(x, w)^2 * v): depends on both, through every conv op's backward.
    GradientCheck.check(
        in -> {
          try (GradientTape tape = GradientTape.open()) {
            tape.watch(in[0]);
            Tensor y = Convolution.conv(in[0], in[1], c.options());
            return tape.gradient(y.mul(y).mul(v).sum(), in[0]);
          }
        },
        x,
        w);
  }

  // ---- errors --------------------------------------------------------------------------------

  @Test
  void conv_channelMismatch_namesShapesAndFix() {
    assertThatThrownBy(
            () ->
                Convolution.conv(
                    Tensor.zeros(DType.FLOAT32, 8, 32, 32, 3),
                    Tensor.zeros(DType.FLOAT32, 3, 3, 4, 16)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("conv2d")
        .hasMessageContaining("[8, 32, 32, 3]")
        .hasMessageContaining("3 channels")
        .hasMessageContaining("[3, 3, 4, 16]")
        .hasMessageContaining("expect 4")
        .hasMessageContaining("[3, 3, 3, 16]");
  }

  @Test
  void conv_inputWithoutBatchAxis_saysAddOne() {
    assertThatThrownBy(
            () ->
                Convolution.conv(
                    Tensor.zeros(DType.FLOAT32, 32, 32, 3),
                    Tensor.zeros(DType.FLOAT32, 3, 3, 3, 16)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("conv2d")
        .hasMessageContaining("rank 3")
        .hasMessageContaining("rank-4")
        .hasMessageContaining("[batch, height, width, channels]")
        .hasMessageContaining("expandDims(0)");
  }

  @Test
  void conv_filtersOfWrongRank_areRejected() {
    assertThatThrownBy(
            () ->
                Convolution.conv(
                    Tensor.zeros(DType.FLOAT32, 1, 4, 3), Tensor.zeros(DType.FLOAT32, 3, 16)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("filters [3, 16]")
        .hasMessageContaining("rank 3 to 5");
  }

  @Test
  void conv_outputChannelsNotDivisibleByGroups_isRejected() {
    assertThatThrownBy(
            () ->
                Convolution.conv(
                    Tensor.zeros(DType.FLOAT32, 1, 5, 5, 4),
                    Tensor.zeros(DType.FLOAT32, 3, 3, 2, 5)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("5 output channels")
        .hasMessageContaining("2 groups");
  }

  @Test
  void conv_explicitPaddingWithWrongPairCount_isRejected() {
    ConvOptions o =
        ConvOptions.DEFAULT.withPadding(Padding.explicit(new int[][] {{1, 1}, {1, 1}, {1, 1}}));
    assertThatThrownBy(
            () ->
                Convolution.conv(
                    Tensor.zeros(DType.FLOAT32, 1, 5, 5, 2),
                    Tensor.zeros(DType.FLOAT32, 3, 3, 2, 2),
                    o))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("3 (before, after) pairs")
        .hasMessageContaining("2 spatial dimensions");
  }

  @Test
  void explicitPadding_negative_isRejected() {
    assertThatThrownBy(() -> Padding.explicit(-1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(">= 0");
  }

  @Test
  void conv_validInputSmallerThanDilatedKernel_saysWindowSize() {
    ConvOptions o = ConvOptions.DEFAULT.withPadding(Padding.VALID).withDilation(2);
    assertThatThrownBy(
            () ->
                Convolution.conv(
                    Tensor.zeros(DType.FLOAT32, 1, 4, 2), Tensor.zeros(DType.FLOAT32, 3, 2, 2), o))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("conv1d")
        .hasMessageContaining("size 4")
        .hasMessageContaining("window of 5")
        .hasMessageContaining("Padding.SAME");
  }

  @Test
  void conv_mixedDtypes_areRejected() {
    assertThatThrownBy(
            () ->
                Convolution.conv(
                    Tensor.zeros(DType.FLOAT32, 1, 4, 2), Tensor.zeros(DType.FLOAT64, 3, 2, 2)))
        .isInstanceOf(DTypeException.class)
        .hasMessageContaining("f32")
        .hasMessageContaining("f64");
  }

  @Test
  void conv_strideWithWrongLength_isRejected() {
    ConvOptions o = ConvOptions.DEFAULT.withStride(1, 2, 3);
    assertThatThrownBy(
            () ->
                Convolution.conv(
                    Tensor.zeros(DType.FLOAT32, 1, 4, 4, 2),
                    Tensor.zeros(DType.FLOAT32, 3, 3, 2, 2),
                    o))
        .hasMessageContaining("stride [1, 2, 3]")
        .hasMessageContaining("2 spatial dimensions");
  }

  @Test
  void convOptions_toString_omitsDefaults() {
    assertThat(ConvOptions.DEFAULT.toString()).isEqualTo("ConvOptions()");
    assertThat(ConvOptions.DEFAULT.withStride(2).withPadding(Padding.VALID).toString())
        .isEqualTo("ConvOptions(stride=2, padding=VALID)");
    assertThat(Arrays.toString(ConvOptions.DEFAULT.withStride(1, 2).stride())).isEqualTo("[1, 2]");
  }
}

package dev.sonnet.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.ops.ConvOptions;
import dev.sonnet.ops.Convolution;
import dev.sonnet.ops.DataFormat;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Convolution#convTranspose} against a direct scatter written in plain loops, for default
 * and given output shapes; its gradients against finite differences; its adjointness to {@link
 * Convolution#conv}; and its errors.
 */
class ConvTransposeConformanceTest {

  /**
   * One configuration: input {@code [batch, in..., inC]}, filters {@code [kernel..., outC, inC]};
   * {@code output} null means the default size.
   */
  record Case(
      String name,
      int batch,
      int[] in,
      int inC,
      int[] kernel,
      int outC,
      int[] stride,
      int[] dilation,
      String padding,
      int[][] explicit,
      int[] output,
      DataFormat format) {

    ConvOptions options() {
      return ConvOptions.DEFAULT
          .withStride(stride)
          .withDilation(dilation)
          .withPadding(ConvConformanceTest.paddingOf(padding, explicit))
          .withDataFormat(format);
    }

    int[] xShape() {
      return ConvReference.shape(batch, in, inC);
    }

    int[] wShape() {
      return ConvReference.filterShape(kernel, outC, inC);
    }

    /** The output spatial shape, the default computed by TensorFlow's formulas. */
    int[] outSpatial() {
      if (output != null) {
        return output;
      }
      int n = in.length;
      int[] s = ConvReference.replicate(stride, n);
      int[] d = ConvReference.replicate(dilation, n);
      int[] out = new int[n];
      for (int i = 0; i < n; i++) {
        int kEff = (kernel[i] - 1) * d[i] + 1;
        out[i] =
            switch (padding) {
              case "SAME" -> in[i] * s[i];
              case "VALID" -> (in[i] - 1) * s[i] + kEff;
              default -> (in[i] - 1) * s[i] + kEff - explicit[i][0] - explicit[i][1];
            };
      }
      return out;
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
        new Case("1d_same_stride2", 2, a(4), 3, a(3), 2, a(2), a(1), "SAME", null, null, LAST),
        new Case("1d_valid_stride2", 1, a(5), 2, a(3), 3, a(2), a(1), "VALID", null, null, LAST),
        new Case(
            "1d_valid_stride2_largestOutput",
            1,
            a(5),
            2,
            a(3),
            3,
            a(2),
            a(1),
            "VALID",
            null,
            a(12),
            LAST),
        new Case("1d_dilated_same", 2, a(6), 2, a(3), 2, a(1), a(2), "SAME", null, null, LAST),
        new Case(
            "2d_same_stride2", 2, a(3, 4), 3, a(3, 3), 2, a(2), a(1), "SAME", null, null, LAST),
        new Case(
            "2d_same_stride2_oddOutput",
            1,
            a(3, 4),
            2,
            a(3, 2),
            3,
            a(2),
            a(1),
            "SAME",
            null,
            a(5, 7),
            LAST),
        new Case(
            "2d_valid_stride3",
            1,
            a(3, 2),
            2,
            a(2, 4),
            2,
            a(3, 2),
            a(1),
            "VALID",
            null,
            null,
            LAST),
        new Case(
            "2d_explicit",
            2,
            a(4, 3),
            2,
            a(3, 3),
            3,
            a(2, 1),
            a(1),
            "EXPLICIT",
            new int[][] {{1, 1}, {0, 2}},
            null,
            LAST),
        new Case(
            "2d_channelsFirst", 1, a(3, 3), 3, a(2, 2), 2, a(2), a(1), "SAME", null, null, FIRST),
        new Case("2d_size1", 1, a(1, 1), 1, a(1, 1), 1, a(1), a(1), "VALID", null, null, LAST),
        new Case(
            "3d_same_stride2",
            1,
            a(2, 3, 2),
            2,
            a(2, 3, 2),
            2,
            a(2, 1, 2),
            a(1),
            "SAME",
            null,
            null,
            LAST),
        new Case(
            "3d_valid_channelsFirst",
            2,
            a(2, 2, 3),
            1,
            a(2, 2, 2),
            2,
            a(1),
            a(1),
            "VALID",
            null,
            null,
            FIRST));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void convTranspose_matchesDirectScatter(Case c) {
    double[] x = ConvReference.random(21, ConvReference.product(c.xShape()));
    double[] w = ConvReference.random(22, ConvReference.product(c.wShape()));
    int n = c.in.length;
    int[] out = c.outSpatial();
    ConvReference.Resolved r =
        ConvReference.resolve(
            c.padding,
            out,
            c.kernel,
            ConvReference.replicate(c.stride, n),
            ConvReference.replicate(c.dilation, n),
            c.explicit);
    assertThat(r.out()).as("test case is consistent").isEqualTo(c.in);
    double[] expected =
        ConvReference.convTranspose(
            x,
            c.xShape(),
            w,
            c.wShape(),
            ConvReference.replicate(c.stride, n),
            ConvReference.replicate(c.dilation, n),
            r.before(),
            out);
    int[] yShape = ConvReference.shape(c.batch, out, c.outC);

    Tensor xt =
        c.format == FIRST
            ? Tensor.of(
                ConvReference.toChannelsFirst(x, c.xShape()),
                ConvReference.channelsFirstShape(c.xShape()))
            : Tensor.of(x, c.xShape());
    Tensor y = Convolution.convTranspose(xt, Tensor.of(w, c.wShape()), c.output, c.options());

    if (c.format == FIRST) {
      assertThat(y.shape().dims()).isEqualTo(ConvReference.channelsFirstShape(yShape));
      ConvConformanceTest.assertClose(
          ConvReference.toChannelsLast(y.toDoubleArray(), y.shape().dims()), expected, 1e-12);
    } else {
      assertThat(y.shape().dims()).isEqualTo(yShape);
      ConvConformanceTest.assertClose(y.toDoubleArray(), expected, 1e-12);
    }
  }

  @Test
  void convTranspose_isAdjointOfConv() {
    // <conv(x, w), y> == <x, convTranspose(y, w)> for filters [k, in, out] read both ways.
    ConvOptions o = ConvOptions.DEFAULT.withStride(2);
    Tensor x = GradientCheck.uniform(31, -1, 1, 2, 7, 5, 3);
    Tensor w = GradientCheck.uniform(32, -1, 1, 3, 3, 3, 4);
    Tensor y = GradientCheck.uniform(33, -1, 1, 2, 4, 3, 4);
    double lhs = Convolution.conv(x, w, o).mul(y).sum().item();
    double rhs = x.mul(Convolution.convTranspose(y, w, new int[] {7, 5}, o)).sum().item();
    assertThat(lhs).isCloseTo(rhs, org.assertj.core.data.Offset.offset(1e-10));
  }

  @Test
  void convTranspose_gradients_matchFiniteDifferences() {
    Case c = new Case("2d", 2, a(3, 2), 2, a(3, 2), 3, a(2), a(1), "SAME", null, a(5, 4), LAST);
    Tensor x = Tensor.of(ConvReference.random(41, ConvReference.product(c.xShape())), c.xShape());
    Tensor w = Tensor.of(ConvReference.random(42, ConvReference.product(c.wShape())), c.wShape());
    GradientCheck.check(in -> Convolution.convTranspose(in[0], in[1], c.output, c.options()), x, w);
  }

  @Test
  void convTranspose_gradients_validDilated1d_matchFiniteDifferences() {
    Case c = new Case("1d", 1, a(4), 2, a(2), 2, a(2), a(2), "VALID", null, null, LAST);
    Tensor x = Tensor.of(ConvReference.random(43, ConvReference.product(c.xShape())), c.xShape());
    Tensor w = Tensor.of(ConvReference.random(44, ConvReference.product(c.wShape())), c.wShape());
    GradientCheck.check(in -> Convolution.convTranspose(in[0], in[1], null, c.options()), x, w);
  }

  @Test
  void convTranspose_inconsistentOutputShape_listsSizesThatFit() {
    ConvOptions o = ConvOptions.DEFAULT.withStride(2);
    assertThatThrownBy(
            () ->
                Convolution.convTranspose(
                    Tensor.zeros(DType.FLOAT32, 1, 4, 4, 3),
                    Tensor.zeros(DType.FLOAT32, 3, 3, 2, 3),
                    new int[] {9, 8},
                    o))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("conv2d_transpose")
        .hasMessageContaining("[9, 8]")
        .hasMessageContaining("gives [5, 4]")
        .hasMessageContaining("7..8");
  }

  @Test
  void convTranspose_filtersWithWrongInputChannels_explainLayout() {
    assertThatThrownBy(
            () ->
                Convolution.convTranspose(
                    Tensor.zeros(DType.FLOAT32, 1, 4, 4, 3),
                    Tensor.zeros(DType.FLOAT32, 3, 3, 3, 2),
                    null,
                    ConvOptions.DEFAULT))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("3 channels")
        .hasMessageContaining("expect 2")
        .hasMessageContaining("[kernel..., out_channels, in_channels]");
  }
}

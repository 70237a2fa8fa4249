package dev.sonnet.ops;

import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.DirectConvolution;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@link FusedConvOp}'s {@code activation(conv(x, w) + bias)} for a 3x3, stride-1, 2-d convolution,
 * computed by Winograd's F(2x2, 3x3) algorithm from a filter transformed once ({@link
 * #transformFilter}): inputs {@code [x, w, u, bias?]} with {@code u = transformFilter(w)}. The
 * inference optimizer of a loaded graph makes it for convolutions whose filter is a variable, so
 * that {@code u} is computed once per variable value and cached with the graph's other
 * variable-only values.
 *
 * <p>Where the backend has the kernel ({@link DirectConvolution#convolveWinograd}: the CPU runtime,
 * float32, at least 8 input channels, output channels in whole vectors) it multiplies 2.25x less
 * than the direct convolution; elsewhere it is exactly {@link FusedConvOp} on {@code [x, w,
 * bias?]}, which is also its {@link #decompose decomposition} and its gradient (for {@code u}:
 * zero, as the result does not depend on it beyond {@code w}).
 *
 * <p>Not bit for bit the direct convolution where the kernel runs: the same sum regrouped through
 * the transforms. With the filter transform's own rounding (a float sum of nine exact products: 8
 * more roundings), each output is within {@code (C + 16) · 2⁻²⁴} times the algorithm run on
 * absolute values plus {@code |bias|} of the exact value, the algorithm's part at most {@code 64 C
 * · max|x| · max|w|} (see {@link DirectConvolution#convolveWinograd}).
 *
 * @param params the convolution's attributes: 2 spatial dimensions, stride and dilation 1, 1 group
 * @param hasBias whether the last input is a bias of one value per output channel
 * @param activation relu, sigmoid, tanh, or null for none
 */
public record WinogradConvOp(ConvParams params, boolean hasBias, UnaryKind activation)
    implements FusedOp {

  /**
   * {@code G ⊗ G} as a 16x9 matrix: row {@code 4i + j}, column {@code 3a + b} holds {@code G[i][a]
   * · G[j][b]}, every entry 0, ±1/4, ±1/2 or 1 (exact in float).
   */
  private static final float[] KRONECKER_G = kroneckerG();

  public WinogradConvOp {
    Epilogue.checkActivation("winograd_conv", activation);
    if (!isEligible(params)) {
      throw new IllegalArgumentException(
          "winograd_conv: needs a 2-d convolution with stride 1, dilation 1 and 1 group, got "
              + params);
    }
  }

  /** Whether a convolution with {@code params} and a 3x3 filter can be computed this way. */
  public static boolean isEligible(ConvParams params) {
    return params.rank() == 2
        && params.groups() == 1
        && Arrays.stream(params.stride()).allMatch(s -> s == 1)
        && Arrays.stream(params.dilation()).allMatch(d -> d == 1);
  }

  private static float[] kroneckerG() {
    double[][] g = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
    float[] k = new float[16 * 9];
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) {
        for (int a = 0; a < 3; a++) {
          for (int b = 0; b < 3; b++) {
            k[(4 * i + j) * 9 + 3 * a + b] = (float) (g[i][a] * g[j][b]);
          }
        }
      }
    }
    return k;
  }

  /**
   * The transformed filter {@code u [16, C, O]} of a float32 3x3 filter {@code w [3, 3, C, O]}:
   * {@code u[4i + j, c, o] = (G w[., ., c, o] Gᵀ)[i, j]}, one dispatched product {@code (G ⊗ G)
   * [16, 9] @ w [9, C·O]} (each entry a float sum of at most nine exact products).
   */
  public static Tensor transformFilter(Tensor w) {
    if (w.dtype() != DType.FLOAT32 || w.rank() != 4 || w.dim(0) != 3 || w.dim(1) != 3) {
      throw new ShapeException(
          "winograd_filter: needs a float32 filter [3, 3, in_channels, out_channels], got "
              + w.dtype()
              + " "
              + w.shape());
    }
    int c = w.dim(2);
    int o = w.dim(3);
    Tensor k = Tensor.of(KRONECKER_G, 16, 9).to(w.backend());
    return k.matmul(w.reshape(9, c * o)).reshape(16, c, o);
  }

  @Override
  public String name() {
    return "winograd_conv"
        + (activation == null ? "" : "_" + activation.name().toLowerCase(Locale.ROOT));
  }

  private FusedConvOp direct() {
    return new FusedConvOp(params, hasBias, activation);
  }

  /** {@code [x, w, bias?]}: the inputs of the equivalent {@link FusedConvOp}. */
  private Tensor[] directInputs(Tensor[] inputs) {
    checkArity(inputs);
    return hasBias
        ? new Tensor[] {inputs[0], inputs[1], inputs[3]}
        : new Tensor[] {inputs[0], inputs[1]};
  }

  @Override
  public Tensor[] forward(Tensor[] inputs) {
    checkArity(inputs);
    Tensor x = inputs[0];
    Tensor w = inputs[1];
    Tensor u = inputs[2];
    ConvGeometry g = ConvOp.geometry(name(), params, x, w);
    int outChannels = w.dim(-1);
    checkTransformedFilter(name(), g, w, u);
    Tensor bias = hasBias ? inputs[3] : null;
    if (hasBias) {
      Epilogue.checkBias(name(), w, bias, outChannels);
    }
    boolean relu = activation == UnaryKind.RELU;
    if (g.kernel()[0] == 3
        && g.kernel()[1] == 3
        && x.backend() instanceof DirectConvolution kernels) {
      Shape yShape = ConvSupport.channelsLast(g.batch(), g.outSpatial(), outChannels);
      DeviceBuffer y = x.backend().allocateUninitialized(x.dtype(), yShape.size());
      if (kernels.convolveWinograd(
          g,
          outChannels,
          x.buffer(),
          u.buffer(),
          bias == null ? null : bias.buffer(),
          relu,
          false,
          y)) {
        Tensor out = Tensor.wrap(y, yShape);
        if (!relu) {
          Epilogue.activate(out, activation);
        }
        return new Tensor[] {out};
      }
      y.release();
    }
    return direct().forward(directInputs(inputs));
  }

  /**
   * Checks that {@code u} has the shape and dtype of {@code w}'s transformed filter ({@code [16, C,
   * O]}, {@code w}'s dtype); else a {@link ShapeException} naming {@code op} and both shapes.
   */
  static void checkTransformedFilter(String op, ConvGeometry g, Tensor w, Tensor u) {
    Shape uShape = Shape.of(16, g.channels(), w.dim(-1));
    if (!u.shape().equals(uShape) || u.dtype() != w.dtype()) {
      throw new ShapeException(
          op
              + ": the transformed filter must be "
              + w.dtype()
              + " "
              + uShape
              + " for filters "
              + w.shape()
              + ", got "
              + u.dtype()
              + " "
              + u.shape());
    }
  }

  private void checkArity(Tensor[] inputs) {
    int want = hasBias ? 4 : 3;
    if (inputs.length != want) {
      throw new IllegalArgumentException(
          name()
              + ": takes "
              + want
              + " inputs (x, w, u"
              + (hasBias ? ", bias" : "")
              + "), got "
              + inputs.length);
    }
  }

  /** {@link FusedConvOp}'s decomposition on {@code [x, w, bias?]}. */
  @Override
  public Tensor[] decompose(Tensor[] inputs) {
    return direct().decompose(directInputs(inputs));
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    return backward(inputs, outputs, upstream, new boolean[] {true, true, true, true});
  }

  /** {@link FusedConvOp}'s gradients for {@code x}, {@code w} and the bias; zero for {@code u}. */
  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream, boolean[] wanted) {
    boolean[] directWanted =
        hasBias
            ? new boolean[] {wanted[0], wanted[1], wanted[3]}
            : new boolean[] {wanted[0], wanted[1]};
    Tensor[] g = direct().backward(directInputs(inputs), outputs, upstream, directWanted);
    Tensor u = inputs[2];
    Tensor du = wanted[2] ? Tensor.full(u.backend(), u.dtype(), u.shape(), 0) : null;
    return hasBias ? new Tensor[] {g[0], g[1], du, g[2]} : new Tensor[] {g[0], g[1], du};
  }
}

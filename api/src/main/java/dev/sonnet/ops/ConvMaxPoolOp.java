package dev.sonnet.ops;

import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.DirectConvolution;
import dev.sonnet.backend.PoolKind;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.Locale;

/**
 * {@code max_pool_2x2(activation(conv(x, w) + bias))} as one op, for inference: a 2-d convolution
 * ({@link FusedConvOp}'s, or {@link WinogradConvOp}'s when {@code winograd}) followed by max
 * pooling over 2x2 windows with stride 2 and no padding, the usual ConvNet block. Where the backend
 * has the kernel ({@link DirectConvolution#convolveDirectPooled}, {@link
 * DirectConvolution#convolveWinograd} with {@code maxPool}: the CPU runtime, float32, even output
 * sizes) only the pooled output is written: the convolution's own output, four times larger, is
 * neither written nor read back. Elsewhere it runs the convolution op and then {@link PoolOp}.
 * Either way bit for bit the two ops: the same convolution values, then the same maximum (window
 * order, a later value replacing only where strictly greater).
 *
 * <p>The inference optimizer of a loaded graph makes it; its gradient (and its {@link #decompose
 * decomposition}) is that of the two ops, the convolution's output recomputed.
 *
 * @param params the convolution's attributes (2 spatial dimensions)
 * @param hasBias whether the last input is a bias of one value per output channel
 * @param activation relu or null for none
 * @param winograd whether the inputs are {@code [x, w, u, bias?]} ({@link WinogradConvOp}) rather
 *     than {@code [x, w, bias?]}
 */
public record ConvMaxPoolOp(
    ConvParams params, boolean hasBias, UnaryKind activation, boolean winograd) implements FusedOp {

  /** The pooling: 2x2 windows, stride 2, no padding. */
  private static final PoolOp POOL =
      new PoolOp(
          PoolKind.MAX,
          new int[] {2, 2},
          new ConvParams(new int[] {2, 2}, new int[] {1, 1}, new int[2], new int[2], 1));

  public ConvMaxPoolOp {
    if (activation != null && activation != UnaryKind.RELU) {
      throw new IllegalArgumentException(
          "conv_max_pool: the activation must be relu or none, got " + activation);
    }
    if (params.rank() != 2) {
      throw new IllegalArgumentException(
          "conv_max_pool: needs a 2-d convolution, got " + params.rank() + " spatial dimensions");
    }
  }

  /** The pooling this op applies, as a separate op. */
  public static PoolOp pool() {
    return POOL;
  }

  @Override
  public String name() {
    return (winograd ? "winograd_conv" : "fused_conv")
        + (activation == null ? "" : "_" + activation.name().toLowerCase(Locale.ROOT))
        + "_max_pool";
  }

  /** The convolution alone, on this op's inputs. */
  private FusedOp conv() {
    return winograd
        ? new WinogradConvOp(params, hasBias, activation)
        : new FusedConvOp(params, hasBias, activation);
  }

  @Override
  public Tensor[] forward(Tensor[] inputs) {
    int want = (winograd ? 3 : 2) + (hasBias ? 1 : 0);
    if (inputs.length != want) {
      throw new IllegalArgumentException(
          name() + ": takes " + want + " inputs, got " + inputs.length);
    }
    Tensor x = inputs[0];
    Tensor w = inputs[1];
    ConvGeometry g = ConvOp.geometry(name(), params, x, w);
    int outChannels = w.dim(-1);
    int[] out = g.outSpatial();
    Tensor bias = hasBias ? inputs[want - 1] : null;
    if (hasBias) {
      Epilogue.checkBias(name(), w, bias, outChannels);
    }
    if (winograd) {
      WinogradConvOp.checkTransformedFilter(name(), g, w, inputs[2]);
    }
    if (out[0] % 2 == 0 && out[1] % 2 == 0 && x.backend() instanceof DirectConvolution kernels) {
      Shape pooledShape =
          ConvSupport.channelsLast(g.batch(), new int[] {out[0] / 2, out[1] / 2}, outChannels);
      DeviceBuffer y = x.backend().allocateUninitialized(x.dtype(), pooledShape.size());
      DeviceBuffer b = bias == null ? null : bias.buffer();
      boolean relu = activation == UnaryKind.RELU;
      // Where the Winograd kernel declines (too few channels), WinogradConvOp computes the direct
      // convolution, so the direct pooled kernel gives its bits too.
      boolean done =
          (winograd
                  && g.kernel()[0] == 3
                  && g.kernel()[1] == 3
                  && kernels.convolveWinograd(
                      g, outChannels, x.buffer(), inputs[2].buffer(), b, relu, true, y))
              || kernels.convolveDirectPooled(g, outChannels, x.buffer(), w.buffer(), b, relu, y);
      if (done) {
        return new Tensor[] {Tensor.wrap(y, pooledShape)};
      }
      y.release();
    }
    Tensor unpooled = conv().forward(inputs)[0];
    Tensor pooled = POOL.forward(new Tensor[] {unpooled})[0];
    unpooled.release();
    return new Tensor[] {pooled};
  }

  /** The convolution's decomposition, then the pooling, each dispatched. */
  @Override
  public Tensor[] decompose(Tensor[] inputs) {
    Tensor y = conv().decompose(inputs)[0];
    return new Tensor[] {Dispatch.run1(POOL, y)};
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    boolean[] all = new boolean[inputs.length];
    java.util.Arrays.fill(all, true);
    return backward(inputs, outputs, upstream, all);
  }

  /**
   * The pooling's gradient on the recomputed (dispatched, so differentiable) convolution output,
   * then the convolution's.
   */
  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream, boolean[] wanted) {
    FusedOp conv = conv();
    Tensor y = Dispatch.run1(conv, inputs);
    Tensor dy = POOL.backward(new Tensor[] {y}, outputs, upstream)[0];
    return conv.backward(inputs, new Tensor[] {y}, new Tensor[] {dy}, wanted);
  }
}

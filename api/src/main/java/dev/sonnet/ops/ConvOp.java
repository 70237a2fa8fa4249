package dev.sonnet.ops;

import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;

/**
 * The convolution primitive on channels-last data: inputs {@code x [batch, in..., C]} and filters
 * {@code w [kernel..., C / groups, O]}; output {@code [batch, out..., O]}. Computed as {@code
 * im2col} followed by one grouped matrix product.
 *
 * <p>Gradients: for {@code x}, {@link ConvBackpropInputOp} (a transposed convolution); for {@code
 * w}, {@link ConvBackpropFilterOp}. The three ops are each other's gradients, so derivatives of any
 * order exist.
 */
public record ConvOp(ConvParams params) implements Op {

  @Override
  public String name() {
    return ConvSupport.name("conv", params.rank());
  }

  @Override
  public Tensor[] forward(Tensor[] inputs) {
    return new Tensor[] {convolve(name(), params, inputs[0], inputs[1])};
  }

  /**
   * Checks {@code x} and {@code w} and convolves them: the forward of this op and of fused ones.
   */
  static Tensor convolve(String op, ConvParams params, Tensor x, Tensor w) {
    return ConvSupport.forward(geometry(op, params, x, w), w.dim(-1), x, w);
  }

  /** Checks {@code x} and {@code w} against {@code params}; returns the convolution's geometry. */
  static ConvGeometry geometry(String op, ConvParams params, Tensor x, Tensor w) {
    int n = params.rank();
    if (w.rank() != n + 2) {
      throw new ShapeException(
          op
              + ": filters "
              + w.shape()
              + " have rank "
              + w.rank()
              + " but "
              + n
              + " spatial dimensions need rank "
              + (n + 2)
              + " [kernel..., in_channels / groups, out_channels]");
    }
    ConvSupport.checkInputRank(op, x.shape(), n, DataFormat.CHANNELS_LAST, "filters " + w.shape());
    ConvSupport.checkFloating(op, "input", x.dtype(), "filters", w.dtype());
    ConvSupport.checkChannels(op, x.shape(), x.dim(-1), w.shape(), params.groups());
    return params.geometry(op, x.shape(), ConvSupport.kernel(w.shape()));
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    return gradients(params, inputs[0], inputs[1], upstream[0]);
  }

  /**
   * Only the wanted gradients: a first layer's input gradient (a whole transposed convolution) is
   * not computed when nothing tracks the input.
   */
  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream, boolean[] wanted) {
    return gradients(params, inputs[0], inputs[1], upstream[0], wanted[0], wanted[1]);
  }

  /** The gradients for {@code x} and {@code w} given {@code dy}: of this op and of fused ones. */
  static Tensor[] gradients(ConvParams params, Tensor x, Tensor w, Tensor dy) {
    return gradients(params, x, w, dy, true, true);
  }

  /**
   * {@link #gradients(ConvParams, Tensor, Tensor, Tensor)}, with null for a gradient not wanted
   * (never computed).
   */
  static Tensor[] gradients(
      ConvParams params, Tensor x, Tensor w, Tensor dy, boolean wantX, boolean wantW) {
    Tensor dx =
        wantX
            ? Dispatch.run1(new ConvBackpropInputOp(params, ConvSupport.spatial(x.shape())), dy, w)
            : null;
    Tensor dw =
        wantW
            ? Dispatch.run1(new ConvBackpropFilterOp(params, ConvSupport.kernel(w.shape())), x, dy)
            : null;
    return new Tensor[] {dx, dw};
  }
}

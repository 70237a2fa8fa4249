package dev.sonnet.ops;

import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;

/**
 * The gradient of {@link ConvOp} with respect to its input, which is also the transposed
 * convolution: inputs {@code dy [batch, out..., O]} and filters {@code w [kernel..., C / groups,
 * O]}; output {@code [batch, inputSpatial..., C]}. Computed as a grouped matrix product {@code dy
 * w^T} followed by {@code col2im}.
 *
 * <p>It is linear in each input; its gradients are a {@link ConvOp} (for {@code dy}) and a {@link
 * ConvBackpropFilterOp} (for {@code w}).
 *
 * @param inputSpatial the spatial sizes of the convolution input being reconstructed, which {@code
 *     dy} alone does not determine when the stride exceeds 1
 */
public record ConvBackpropInputOp(ConvParams params, int[] inputSpatial) implements Op {

  public ConvBackpropInputOp {
    inputSpatial = inputSpatial.clone();
  }

  @Override
  public int[] inputSpatial() {
    return inputSpatial.clone();
  }

  @Override
  public String name() {
    return ConvSupport.name("conv", params.rank()) + "_backprop_input";
  }

  @Override
  public Tensor[] forward(Tensor[] inputs) {
    Tensor dy = inputs[0];
    Tensor w = inputs[1];
    String op = name();
    int n = params.rank();
    if (w.rank() != n + 2 || inputSpatial.length != n) {
      throw new ShapeException(
          op
              + ": filters "
              + w.shape()
              + " and input spatial shape "
              + Arrays.toString(inputSpatial)
              + " do not have "
              + n
              + " spatial dimensions");
    }
    ConvSupport.checkInputRank(op, dy.shape(), n, DataFormat.CHANNELS_LAST, "filters " + w.shape());
    ConvSupport.checkFloating(op, "input", dy.dtype(), "filters", w.dtype());
    int outChannels = w.dim(-1);
    if (dy.dim(-1) != outChannels || outChannels % params.groups() != 0) {
      throw new ShapeException(
          op
              + ": input "
              + dy.shape()
              + " has "
              + dy.dim(-1)
              + " channels but filters "
              + w.shape()
              + " produce "
              + outChannels
              + " (the last filter axis, split into "
              + params.groups()
              + " groups)");
    }
    int channels = w.dim(-2) * params.groups();
    Shape xShape = ConvSupport.channelsLast(dy.dim(0), inputSpatial, channels);
    ConvGeometry g = params.geometry(op, xShape, ConvSupport.kernel(w.shape()));
    if (!Arrays.equals(g.outSpatial(), ConvSupport.spatial(dy.shape()))) {
      throw new ShapeException(
          op
              + ": input "
              + dy.shape()
              + " has spatial shape "
              + Arrays.toString(ConvSupport.spatial(dy.shape()))
              + " but a convolution of "
              + Arrays.toString(inputSpatial)
              + " with "
              + params
              + " and kernel "
              + Arrays.toString(ConvSupport.kernel(w.shape()))
              + " gives "
              + Arrays.toString(g.outSpatial()));
    }
    return new Tensor[] {ConvSupport.backpropInput(g, outChannels, dy, w)};
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    Tensor dy = inputs[0];
    Tensor w = inputs[1];
    Tensor up = upstream[0];
    Tensor gradDy = Dispatch.run1(new ConvOp(params), up, w);
    Tensor gradW =
        Dispatch.run1(new ConvBackpropFilterOp(params, ConvSupport.kernel(w.shape())), up, dy);
    return new Tensor[] {gradDy, gradW};
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConvBackpropInputOp other
        && other.params.equals(params)
        && Arrays.equals(other.inputSpatial, inputSpatial);
  }

  @Override
  public int hashCode() {
    return params.hashCode() * 31 + Arrays.hashCode(inputSpatial);
  }

  @Override
  public String toString() {
    return "ConvBackpropInputOp("
        + params
        + ", inputSpatial="
        + Arrays.toString(inputSpatial)
        + ")";
  }
}

package dev.sonnet.ops;

import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;

/**
 * The gradient of {@link ConvOp} with respect to its filters: inputs {@code x [batch, in..., C]}
 * and {@code dy [batch, out..., O]}; output {@code [kernel..., C / groups, O]}. Computed as {@code
 * im2col(x)^T dy}, one matrix product per group.
 *
 * <p>It is linear in each input; its gradients are a {@link ConvBackpropInputOp} (for {@code x})
 * and a {@link ConvOp} (for {@code dy}).
 */
public record ConvBackpropFilterOp(ConvParams params, int[] kernel) implements Op {

  public ConvBackpropFilterOp {
    kernel = kernel.clone();
  }

  @Override
  public int[] kernel() {
    return kernel.clone();
  }

  @Override
  public String name() {
    return ConvSupport.name("conv", params.rank()) + "_backprop_filter";
  }

  @Override
  public Tensor[] forward(Tensor[] inputs) {
    Tensor x = inputs[0];
    Tensor dy = inputs[1];
    String op = name();
    int n = params.rank();
    if (kernel.length != n) {
      throw new ShapeException(
          op
              + ": kernel "
              + Arrays.toString(kernel)
              + " does not have "
              + n
              + " spatial dimensions");
    }
    ConvSupport.checkInputRank(op, x.shape(), n, DataFormat.CHANNELS_LAST, "a " + n + "-d kernel");
    ConvSupport.checkInputRank(op, dy.shape(), n, DataFormat.CHANNELS_LAST, "a " + n + "-d kernel");
    ConvSupport.checkFloating(op, "input", x.dtype(), "output gradient", dy.dtype());
    int groups = params.groups();
    if (x.dim(-1) % groups != 0 || dy.dim(-1) % groups != 0 || x.dim(0) != dy.dim(0)) {
      throw new ShapeException(
          op
              + ": input "
              + x.shape()
              + " and output gradient "
              + dy.shape()
              + " need the same batch and channel counts divisible by "
              + groups
              + " groups");
    }
    ConvGeometry g = params.geometry(op, x.shape(), kernel);
    if (!Arrays.equals(g.outSpatial(), ConvSupport.spatial(dy.shape()))) {
      throw new ShapeException(
          op
              + ": output gradient "
              + dy.shape()
              + " has spatial shape "
              + Arrays.toString(ConvSupport.spatial(dy.shape()))
              + " but the convolution of input "
              + x.shape()
              + " gives "
              + Arrays.toString(g.outSpatial()));
    }
    return new Tensor[] {ConvSupport.backpropFilter(g, dy.dim(-1), x, dy)};
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    Tensor x = inputs[0];
    Tensor dy = inputs[1];
    Tensor up = upstream[0];
    Tensor gradX =
        Dispatch.run1(new ConvBackpropInputOp(params, ConvSupport.spatial(x.shape())), dy, up);
    Tensor gradDy = Dispatch.run1(new ConvOp(params), x, up);
    return new Tensor[] {gradX, gradDy};
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConvBackpropFilterOp other
        && other.params.equals(params)
        && Arrays.equals(other.kernel, kernel);
  }

  @Override
  public int hashCode() {
    return params.hashCode() * 31 + Arrays.hashCode(kernel);
  }

  @Override
  public String toString() {
    return "ConvBackpropFilterOp(" + params + ", kernel=" + Arrays.toString(kernel) + ")";
  }
}

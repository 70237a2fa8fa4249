package dev.sonnet.ops;

import dev.sonnet.backend.Backend;
import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.PoolKind;
import dev.sonnet.backend.ReduceKind;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.DTypeException;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;

/**
 * The gradient of max pooling's gradient with respect to the output gradient: inputs {@code x
 * [batch, in..., C]} (the pooled input) and {@code g} shaped like {@code x}; output {@code [batch,
 * out..., C]} where each element is {@code g} at the position max pooling selected in its window
 * (the first maximal one). It is the adjoint of {@link PoolGradOp} for {@code MAX}, which in turn
 * is its gradient, so max pooling has derivatives of any order.
 *
 * <p>Built from backend kernels: {@code im2col} unfolds the windows of {@code x} and of {@code g};
 * padding is masked to {@code -inf} (so it never wins), an {@code ARGMAX} reduction over each
 * window picks the element, and a gather reads it from {@code g}'s windows.
 */
public record PoolGradGradOp(int[] window, ConvParams params) implements Op {

  public PoolGradGradOp {
    window = window.clone();
  }

  @Override
  public int[] window() {
    return window.clone();
  }

  @Override
  public String name() {
    return ConvSupport.name("max_pool", params.rank()) + "_grad_grad";
  }

  @Override
  public Tensor[] forward(Tensor[] inputs) {
    Tensor x = inputs[0];
    Tensor g = inputs[1];
    String op = name();
    ConvGeometry geo = PoolOp.geometry(op, window, params, x);
    if (!g.shape().equals(x.shape()) || g.dtype() != x.dtype()) {
      throw DTypeException.shapeOrDtype(
          g.shape().equals(x.shape()),
          op
              + ": gradient is "
              + g.dtype()
              + g.shape()
              + " but the pooled "
              + "input is "
              + x.dtype()
              + x.shape()
              + "; they must match");
    }
    Backend b = x.backend();
    DType dtype = x.dtype();
    int rows = geo.batch() * geo.outVolume();
    int k = geo.kernelVolume();
    int c = geo.channels();
    Shape outShape = ConvSupport.channelsLast(geo.batch(), geo.outSpatial(), c);
    DeviceBuffer out = b.allocate(dtype, outShape.size());
    long n = (long) rows * k * c;
    if (n == 0) {
      return new Tensor[] {Tensor.wrap(out, outShape)};
    }
    if (n > Integer.MAX_VALUE - 8) {
      throw new ShapeException(
          op
              + ": the unfolded windows of "
              + x.shape()
              + " hold "
              + n
              + " elements, too many for one buffer; pool a smaller batch");
    }
    int[] shape = {rows, k, c};
    long[] dense = {(long) k * c, c, 1};
    // Which window elements lie inside the input: im2col of ones reads 0 in the padding.
    DeviceBuffer ones = b.allocate(dtype, x.size());
    b.fill(ones, 1);
    DeviceBuffer colsOne = b.allocate(dtype, n);
    b.im2col(geo, ones, colsOne);
    DeviceBuffer inside = b.allocate(DType.BOOL, n);
    b.cast(colsOne, inside);
    // The windows of x with padding at -inf, and the first maximum of each.
    DeviceBuffer colsX = b.allocate(dtype, n);
    b.im2col(geo, x.buffer(), colsX);
    DeviceBuffer negInf = b.allocate(dtype, 1);
    b.fill(negInf, Double.NEGATIVE_INFINITY);
    DeviceBuffer masked = b.allocate(dtype, n);
    b.where(inside, dense, colsX, dense, negInf, new long[3], masked, shape);
    DeviceBuffer arg = b.allocate(DType.INT64, (long) rows * c);
    b.reduce(ReduceKind.ARGMAX, masked, shape, new boolean[] {false, true, false}, arg);
    // Flat index into the windows of g: row * k * c + arg * c + channel.
    long[] base = new long[rows * c];
    for (int r = 0; r < rows; r++) {
      for (int ch = 0; ch < c; ch++) {
        base[r * c + ch] = (long) r * k * c + ch;
      }
    }
    int[] flatShape = {rows * c};
    long[] unit = {1};
    DeviceBuffer scaled = b.allocate(DType.INT64, (long) rows * c);
    b.binary(
        BinaryKind.MUL, arg, unit, b.upload(new long[] {c}), new long[] {0}, scaled, flatShape);
    DeviceBuffer flat = b.allocate(DType.INT64, (long) rows * c);
    b.binary(BinaryKind.ADD, scaled, unit, b.upload(base), unit, flat, flatShape);
    DeviceBuffer colsG = b.allocate(dtype, n);
    b.im2col(geo, g.buffer(), colsG);
    b.gather(colsG, flat, out, 1, (int) n, 1);
    return new Tensor[] {Tensor.wrap(out, outShape)};
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    Tensor gradG =
        Dispatch.run1(new PoolGradOp(PoolKind.MAX, window, params), inputs[0], upstream[0]);
    return new Tensor[] {null, gradG};
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PoolGradGradOp p
        && Arrays.equals(p.window, window)
        && p.params.equals(params);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(window) * 31 + params.hashCode();
  }

  @Override
  public String toString() {
    return "PoolGradGradOp(window=" + Arrays.toString(window) + ", " + params + ")";
  }
}

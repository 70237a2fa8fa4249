package dev.sonnet.ops;

import dev.sonnet.backend.Backend;
import dev.sonnet.backend.GemmEpilogue;
import dev.sonnet.backend.GemmEpilogue.Activation;
import dev.sonnet.backend.GemmSpec;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;

/**
 * A dense layer's forward in one product: {@code y = activation(x @ w + b)} for {@code x [m, k]},
 * {@code w [k, n]}, {@code b [n]} (inputs {@code [x, w, b]}, or {@code [x, w]} without a bias). On
 * a backend with the {@link GemmEpilogue} capability the bias and the activation are applied while
 * the product's output is written ({@link LinearAlgebra#dense}); without it, the op runs the three
 * kernels in turn.
 *
 * <p><b>Decomposition</b> ({@link #decompose}): {@code matmul(x, w)}, then {@code add(·, b)}, then
 * {@code relu(·)} (for {@link Activation#RELU}). The fused result is bit-for-bit the
 * decomposition's: the epilogue adds the bias to, and takes the ReLU of, the same rounded product
 * (see {@link GemmEpilogue}).
 *
 * <p><b>Gradient.</b> With {@code g = where(y > 0, dy, 0)} for a ReLU ({@code y > 0} exactly where
 * the pre-activation is, NaN included), else {@code dy}: {@code dx = g @ wᵀ}, {@code dw = xᵀ @ g},
 * {@code db = sum of g over rows}, the same dispatched operations (so the same bits, and
 * differentiable again) as the decomposition's gradient; only those a tape wants are computed (see
 * {@link #backward(Tensor[], Tensor[], Tensor[], boolean[])}).
 */
record DenseOp(Activation activation, boolean withBias) implements FusedOp {

  @Override
  public String name() {
    return "dense";
  }

  /** Throws unless {@code x [m, k]}, {@code w [k, n]}, {@code b [n]} share one floating dtype. */
  void check(Tensor[] in) {
    int expected = withBias ? 3 : 2;
    if (in.length != expected) {
      throw new IllegalArgumentException(
          "dense: expected "
              + expected
              + " inputs (x, w"
              + (withBias ? ", b" : "")
              + "), got "
              + in.length);
    }
    Tensor x = in[0];
    Tensor w = in[1];
    OpSupport.requireFloating("dense", x);
    OpSupport.requireSameDtype("dense", x, w);
    if (x.rank() != 2 || w.rank() != 2 || x.dim(1) != w.dim(0)) {
      throw new ShapeException(
          "dense: x " + x.shape() + " and w " + w.shape() + " must be [m, k] and [k, n]");
    }
    if (withBias) {
      Tensor b = in[2];
      OpSupport.requireSameDtype("dense", x, b);
      if (b.rank() != 1 || b.dim(0) != w.dim(1)) {
        throw new ShapeException(
            "dense: bias " + b.shape() + " must be [" + w.dim(1) + "], w's columns");
      }
    }
  }

  @Override
  public Tensor[] forward(Tensor[] in) {
    check(in);
    Tensor x = in[0];
    Tensor w = in[1];
    int m = x.dim(0);
    int k = x.dim(1);
    int n = w.dim(1);
    Backend backend = x.backend();
    Shape outShape = Shape.of(m, n);
    if (m == 0 || n == 0) {
      return new Tensor[] {OpSupport.allocate(backend, x.dtype(), outShape)};
    }
    GemmSpec spec = GemmSpec.dense(1, m, n, k, 0, 0);
    Tensor out =
        k > 0
            ? OpSupport.allocateUninitialized(backend, x.dtype(), outShape)
            : OpSupport.allocate(backend, x.dtype(), outShape);
    Epilogue.product(
        spec,
        x,
        w,
        out,
        withBias ? in[2] : null,
        activation == Activation.RELU ? UnaryKind.RELU : null);
    return new Tensor[] {out};
  }

  @Override
  public Tensor[] decompose(Tensor[] in) {
    check(in);
    Tensor y = in[0].matmul(in[1]);
    if (withBias) {
      y = y.add(in[2]);
    }
    return new Tensor[] {activation == Activation.RELU ? y.relu() : y};
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    boolean[] all = new boolean[inputs.length];
    Arrays.fill(all, true);
    return backward(inputs, outputs, upstream, all);
  }

  /**
   * The gradients {@code wanted}: a dense layer fed by data (the first layer of a model, whose
   * input the tape does not track) skips {@code dx = g @ wᵀ}, a product as costly as its forward;
   * likewise {@code dw} and {@code db} of a frozen layer. Each gradient computed is the same
   * dispatched operation as when all are wanted, so the same bits.
   */
  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream, boolean[] wanted) {
    Tensor[] grads = new Tensor[inputs.length];
    boolean any = false;
    for (boolean w : wanted) {
      any |= w;
    }
    if (!any) {
      return grads;
    }
    Tensor x = inputs[0];
    Tensor w = inputs[1];
    Tensor g = upstream[0];
    if (activation == Activation.RELU) {
      Tensor y = outputs[0];
      g = Elementwise.where(y.greater(OpSupport.scalarLike(y, 0)), g, OpSupport.scalarLike(g, 0));
    }
    if (wanted[0]) {
      grads[0] = LinearAlgebra.matmul(g, w, false, true);
    }
    if (wanted[1]) {
      grads[1] = LinearAlgebra.matmul(x, g, true, false);
    }
    if (withBias && wanted[2]) {
      grads[2] = Broadcasting.reduceTo(g, inputs[2].shape());
    }
    return grads;
  }
}

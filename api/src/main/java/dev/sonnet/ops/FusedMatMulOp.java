package dev.sonnet.ops;

import dev.sonnet.backend.UnaryKind;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.Locale;

/**
 * {@code activation(a @ op(w) + bias)} as one op, for graph-level inference (the fusion pass of
 * {@code dev.sonnet.export}): {@code a [..., k]} (rank >= 2), {@code w [k, n]} ({@code [n, k]} when
 * {@code transposeW}), {@code bias [n]} when {@code hasBias}; output {@code [..., n]}.
 *
 * <p>Against three ops it saves two output allocations and one pass over the result: the product
 * writes the output once (through one matrix product over the flattened leading axes), the bias is
 * added and the activation applied in place (package-private {@code Epilogue}). Same result as the
 * unfused ops up to the rounding of the sum order, which is the same GEMM's.
 *
 * @param transposeW whether {@code w} is stored {@code [n, k]}
 * @param hasBias whether input 2 is a bias
 * @param activation relu, sigmoid, tanh, or null for none
 * @param packedWeights where {@code w}'s packed copy is kept between calls ({@link PackedWeights}),
 *     or null to pack it per call; the results are the same bits either way
 */
public record FusedMatMulOp(
    boolean transposeW, boolean hasBias, UnaryKind activation, PackedWeights packedWeights)
    implements Op {

  /** Packs {@code w} per call: eager dense layers, whose weights may change between calls. */
  public FusedMatMulOp(boolean transposeW, boolean hasBias, UnaryKind activation) {
    this(transposeW, hasBias, activation, null);
  }

  public FusedMatMulOp {
    Epilogue.checkActivation("fused_matmul", activation);
  }

  @Override
  public String name() {
    return "fused_matmul"
        + (activation == null ? "" : "_" + activation.name().toLowerCase(Locale.ROOT));
  }

  @Override
  public Tensor[] forward(Tensor[] inputs) {
    String op = name();
    if (inputs.length != (hasBias ? 3 : 2)) {
      throw new IllegalArgumentException(
          op + ": takes " + (hasBias ? 3 : 2) + " inputs, got " + inputs.length);
    }
    Tensor a = inputs[0];
    Tensor w = inputs[1];
    OpSupport.requireSameDtype(op, a, w);
    OpSupport.requireFloating(op, a);
    if (a.rank() < 2 || w.rank() != 2) {
      throw new ShapeException(
          op + ": needs a of rank >= 2 and a matrix w, got " + a.shape() + " and " + w.shape());
    }
    int k = a.dim(-1);
    int wk = transposeW ? w.dim(1) : w.dim(0);
    int n = transposeW ? w.dim(0) : w.dim(1);
    if (wk != k) {
      throw new ShapeException(
          op
              + ": shapes "
              + a.shape()
              + " and "
              + w.shape()
              + (transposeW ? " (transposed)" : "")
              + " are incompatible: inner dimensions "
              + k
              + " and "
              + wk
              + " differ");
    }
    if (hasBias) {
      Epilogue.checkBias(op, a, inputs[2], n);
    }
    int[] outDims = a.shape().dims();
    outDims[outDims.length - 1] = n;
    Shape outShape = Shape.of(outDims);
    int m = (int) (a.size() / Math.max(1, k));
    if (k == 0 || m == 0) { // no product: zeros, then the tail
      Tensor y = OpSupport.allocate(a.backend(), a.dtype(), outShape);
      if (hasBias) {
        Epilogue.addBias(y, inputs[2]);
      }
      Epilogue.activate(y, activation);
      return new Tensor[] {y};
    }
    Tensor y = OpSupport.allocateUninitialized(a.backend(), a.dtype(), outShape);
    Epilogue.product(
        new dev.sonnet.backend.GemmSpec(
            1, m, n, k, false, 0, k, 0, transposeW, 0, transposeW ? k : n, 0, 0, n, 0, false),
        a,
        w,
        y,
        hasBias ? inputs[2] : null,
        activation,
        packedWeights);
    return new Tensor[] {y};
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    Tensor a = inputs[0];
    Tensor w = inputs[1];
    Tensor dz = Epilogue.preActivationGradient(activation, outputs[0], upstream[0]);
    int k = a.dim(-1);
    int n = dz.dim(-1);
    Tensor da = LinearAlgebra.matmul(dz, w, false, !transposeW);
    Tensor a2 = ShapeOps.reshape(a, -1, k);
    Tensor dz2 = ShapeOps.reshape(dz, -1, n);
    Tensor dw =
        transposeW
            ? LinearAlgebra.matmul(dz2, a2, true, false)
            : LinearAlgebra.matmul(a2, dz2, true, false);
    return hasBias ? new Tensor[] {da, dw, Epilogue.biasGradient(dz)} : new Tensor[] {da, dw};
  }
}

package dev.sonnet.ops;

import dev.sonnet.backend.Backend;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.GemmSpec;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;

/**
 * NumPy's {@code matmul} with optional transposition of the operands' last two axes; see {@link
 * LinearAlgebra#matmul(dev.sonnet.tensor.Operand, dev.sonnet.tensor.Operand, boolean, boolean)}.
 */
record MatMulOp(boolean transposeA, boolean transposeB) implements Op {

  @Override
  public String name() {
    return "matmul";
  }

  /** The resolved geometry of one product. */
  private record Plan(
      boolean vecA,
      boolean vecB,
      boolean tA,
      boolean tB,
      int[] aDims,
      int[] bDims,
      Shape batch,
      int m,
      int n,
      int k) {

    /** The output shape with promoted vector axes kept. */
    Shape fullShape() {
      int[] bd = batch.dims();
      int[] out = Arrays.copyOf(bd, bd.length + 2);
      out[bd.length] = m;
      out[bd.length + 1] = n;
      return Shape.of(out);
    }

    /** The output shape as NumPy gives it: promoted vector axes removed. */
    Shape outputShape() {
      int[] bd = batch.dims();
      int[] out = Arrays.copyOf(bd, bd.length + (vecA ? 0 : 1) + (vecB ? 0 : 1));
      int i = bd.length;
      if (!vecA) {
        out[i++] = m;
      }
      if (!vecB) {
        out[i] = n;
      }
      return Shape.of(out);
    }
  }

  private Plan plan(Tensor a, Tensor b) {
    Shape as = a.shape();
    Shape bs = b.shape();
    if (as.rank() == 0 || bs.rank() == 0) {
      throw new ShapeException(
          "matmul: shapes "
              + as
              + " and "
              + bs
              + " include a scalar; "
              + "matmul needs rank >= 1 (multiply scalars with mul)");
    }
    OpSupport.requireSameDtype("matmul", a, b);
    OpSupport.requireFloating("matmul", a);
    boolean vecA = as.rank() == 1;
    boolean vecB = bs.rank() == 1;
    int[] ad = vecA ? new int[] {1, as.dim(0)} : as.dims();
    int[] bd = vecB ? new int[] {bs.dim(0), 1} : bs.dims();
    boolean tA = transposeA && !vecA;
    boolean tB = transposeB && !vecB;
    int ar = ad[ad.length - 2];
    int ac = ad[ad.length - 1];
    int br = bd[bd.length - 2];
    int bc = bd[bd.length - 1];
    int m = tA ? ac : ar;
    int ka = tA ? ar : ac;
    int kb = tB ? bc : br;
    int n = tB ? br : bc;
    if (ka != kb) {
      throw new ShapeException(
          "matmul: shapes "
              + as
              + " and "
              + bs
              + " are incompatible: "
              + "inner dimensions "
              + ka
              + " (of a"
              + (tA ? ", transposed" : "")
              + ") and "
              + kb
              + " (of b"
              + (tB ? ", transposed" : "")
              + ") differ; a's columns must equal b's rows"
              + (tA || tB ? "" : " (transpose an operand with transposeA/transposeB if needed)"));
    }
    Shape batchA = Shape.of(Arrays.copyOf(ad, ad.length - 2));
    Shape batchB = Shape.of(Arrays.copyOf(bd, bd.length - 2));
    Shape batch;
    try {
      batch = Shape.broadcast("matmul", batchA, batchB);
    } catch (ShapeException e) {
      throw new ShapeException(
          "matmul: shapes "
              + as
              + " and "
              + bs
              + " have batch dimensions "
              + batchA
              + " and "
              + batchB
              + " that cannot be broadcast; each pair must be equal or 1");
    }
    return new Plan(vecA, vecB, tA, tB, ad, bd, batch, m, n, ka);
  }

  @Override
  public Tensor[] forward(Tensor[] inputs) {
    Tensor a = inputs[0];
    Tensor b = inputs[1];
    Plan p = plan(a, b);
    Backend backend = a.backend();
    Shape outShape = p.outputShape();
    if (outShape.size() == 0 || p.k == 0) {
      return new Tensor[] {OpSupport.allocate(backend, a.dtype(), outShape)};
    }
    // A non-accumulating product with k > 0 writes every element of C.
    Tensor out = OpSupport.allocateUninitialized(backend, a.dtype(), outShape);
    int batch = Math.toIntExact(p.batch.size());
    int ac = p.aDims[p.aDims.length - 1];
    int bc = p.bDims[p.bDims.length - 1];
    long aMatrix = (long) p.aDims[p.aDims.length - 2] * ac;
    long bMatrix = (long) p.bDims[p.bDims.length - 2] * bc;
    DeviceBuffer aBuf = batchOperand(a, p.aDims, p.batch, batch);
    DeviceBuffer bBuf = batchOperand(b, p.bDims, p.batch, batch);
    boolean aSingle = OpSupport.product(p.aDims, 0, p.aDims.length - 2) == 1;
    boolean bSingle = OpSupport.product(p.bDims, 0, p.bDims.length - 2) == 1;
    long aStride = aSingle ? 0 : aMatrix;
    long bStride = bSingle ? 0 : bMatrix;
    GemmSpec spec =
        new GemmSpec(
            batch,
            p.m,
            p.n,
            p.k,
            p.tA,
            0,
            ac,
            aStride,
            p.tB,
            0,
            bc,
            bStride,
            0,
            p.n,
            (long) p.m * p.n,
            false);
    backend.gemm(spec, aBuf, bBuf, out.buffer());
    return new Tensor[] {out};
  }

  /**
   * The operand's buffer if its matrices can be addressed with one batch stride (its batch dims
   * equal the broadcast ones, or it holds a single matrix); otherwise a copy broadcast to every
   * batch item.
   */
  private static DeviceBuffer batchOperand(Tensor x, int[] dims, Shape batch, int batchCount) {
    long matrices = OpSupport.product(dims, 0, dims.length - 2);
    if (matrices == batchCount || matrices == 1) {
      return x.buffer();
    }
    int[] bd = batch.dims();
    int[] full = Arrays.copyOf(bd, bd.length + 2);
    full[bd.length] = dims[dims.length - 2];
    full[bd.length + 1] = dims[dims.length - 1];
    Shape target = Shape.of(full);
    DeviceBuffer copy = x.backend().allocate(x.dtype(), target.size());
    x.backend()
        .copy(
            x.buffer(),
            0,
            Shape.of(dims).broadcastStrides(target),
            copy,
            0,
            target.strides(),
            full);
    return copy;
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    return backward(inputs, outputs, upstream, new boolean[] {true, true});
  }

  /**
   * Only the gradients {@code wanted}: {@code x @ w} with {@code x} data (untracked) skips {@code
   * dx}, a product as costly as the forward. Each one computed is the same as when both are.
   */
  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream, boolean[] wanted) {
    Tensor a = inputs[0];
    Tensor b = inputs[1];
    Plan p = plan(a, b);
    Tensor ap = ShapeOps.reshapeTo(a, Shape.of(p.aDims));
    Tensor bp = ShapeOps.reshapeTo(b, Shape.of(p.bDims));
    Tensor g = ShapeOps.reshapeTo(upstream[0], p.fullShape());
    Tensor da = null;
    Tensor db = null;
    if (!p.tA && !p.tB) {
      da = wanted[0] ? LinearAlgebra.matmul(g, bp, false, true) : null;
      db = wanted[1] ? LinearAlgebra.matmul(ap, g, true, false) : null;
    } else if (!p.tA) {
      da = wanted[0] ? LinearAlgebra.matmul(g, bp, false, false) : null;
      db = wanted[1] ? LinearAlgebra.matmul(g, ap, true, false) : null;
    } else if (!p.tB) {
      da = wanted[0] ? LinearAlgebra.matmul(bp, g, false, true) : null;
      db = wanted[1] ? LinearAlgebra.matmul(ap, g, false, false) : null;
    } else {
      da = wanted[0] ? LinearAlgebra.matmul(bp, g, true, true) : null;
      db = wanted[1] ? LinearAlgebra.matmul(g, ap, true, true) : null;
    }
    if (da != null) {
      da = ShapeOps.reshapeTo(Broadcasting.reduceTo(da, ap.shape()), a.shape());
    }
    if (db != null) {
      db = ShapeOps.reshapeTo(Broadcasting.reduceTo(db, bp.shape()), b.shape());
    }
    return new Tensor[] {da, db};
  }
}

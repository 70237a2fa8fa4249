package dev.sonnet.ops;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.DTypeException;
import dev.sonnet.tensor.Tensor;

/**
 * How operations run on 16-bit floats ({@link DType#BFLOAT16}, {@link DType#FLOAT16}): backends
 * store them and convert them ({@link CastOp}), and every other op runs as three dispatched steps:
 * cast the 16-bit inputs to float32, run the op in float32, cast its float32 outputs back to the
 * 16-bit type. Each step is an ordinary dispatched op, so tapes differentiate through the casts
 * (gradients come back in 16 bits, as the inputs were) and tracers see plain float32 ops.
 *
 * <p>So each op's result is its float32 result rounded once to 16 bits, which is what hardware with
 * 16-bit storage and float32 accumulation computes. Integer and bool outputs (comparisons, argmax)
 * stay as they are.
 */
final class ReducedPrecision {
  private static final CastOp TO_FLOAT32 = new CastOp(DType.FLOAT32);

  private ReducedPrecision() {}

  /** True when {@code op} must run widened: it is not a cast and an input is 16-bit. */
  static boolean needsWidening(Op op, Tensor[] inputs) {
    if (op instanceof CastOp) {
      return false;
    }
    for (Tensor t : inputs) {
      if (t.dtype().isReducedPrecision()) {
        return true;
      }
    }
    return false;
  }

  /** Runs {@code op} in float32 on widened inputs and narrows its float32 outputs. */
  static Tensor[] run(Op op, Tensor[] inputs) {
    DType narrow = null;
    for (Tensor t : inputs) {
      if (t.dtype().isReducedPrecision()) {
        narrow = t.dtype();
        break;
      }
    }
    Tensor[] wide = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      Tensor t = inputs[i];
      if (t.dtype().isFloating() && t.dtype() != narrow) {
        throw new DTypeException(
            op.name()
                + ": inputs of dtypes "
                + narrow
                + " and "
                + t.dtype()
                + "; operations do not promote dtypes. Cast one first, e.g. x.cast(DType."
                + narrow.name()
                + ")");
      }
      wide[i] = t.dtype() == narrow ? Dispatch.run1(TO_FLOAT32, t) : t;
    }
    // A new array: recorders may keep the one the float32 op returned.
    Tensor[] wideOutputs = Dispatch.run(op, wide);
    Tensor[] outputs = new Tensor[wideOutputs.length];
    CastOp back = new CastOp(narrow);
    for (int o = 0; o < outputs.length; o++) {
      Tensor t = wideOutputs[o];
      outputs[o] = t.dtype() == DType.FLOAT32 ? Dispatch.run1(back, t) : t;
    }
    return outputs;
  }
}

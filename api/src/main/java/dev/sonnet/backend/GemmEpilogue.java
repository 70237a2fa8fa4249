package dev.sonnet.backend;

import java.util.Objects;

/**
 * An optional capability of a {@link Backend}: a matrix product whose output is finished (bias
 * added, activation applied, a ReLU mask applied) while it is being written, instead of in separate
 * passes over memory after {@link Backend#gemm}. A graph executor or the op layer fuses {@code
 * matmul -> add(bias) -> relu} (a dense layer's forward) and {@code matmul -> where(mask > 0, .,
 * 0)} (the input gradient of a layer whose input went through a ReLU) into one call.
 *
 * <p><b>Semantics: exactly the unfused sequence.</b> For every batch item and every element {@code
 * (i, j)} of C, with {@code v} the value {@link Backend#gemm} would store for {@code spec}:
 *
 * <ol>
 *   <li>{@code v = v + bias[j]} when {@link Epilogue#bias} is set: one float (or double) addition,
 *       as {@link Backend#binary} {@link BinaryKind#ADD} computes it with the bias broadcast along
 *       the rows;
 *   <li>{@code v = relu(v)} when {@link Epilogue#activation} is {@link Activation#RELU}: as {@link
 *       Backend#unary} {@link UnaryKind#RELU} computes it ({@code max(v, 0)}, NaN stays NaN);
 *   <li>{@code v = mask[i, j] > 0 ? v : 0} when {@link Epilogue#reluMask} is set, the mask laid out
 *       exactly like C (same offset, leading dimension and batch stride as {@code spec}'s C): as
 *       {@link Backend#where} of {@link BinaryKind#GREATER} against zero computes it.
 * </ol>
 *
 * Each step is one IEEE operation on the already rounded product, so a fused result is bit-for-bit
 * the unfused one, and callers (and tests) may rely on that. Every buffer has C's dtype; the bias
 * holds {@code spec.n()} elements, dense.
 *
 * <p><b>Declining.</b> A backend may return false, having touched nothing, for any call it has no
 * kernel for (a dtype, an accumulating spec, a layout); the caller then runs the unfused sequence
 * with the kernels every backend has. When it returns true every element of C has been written, so
 * C may come from {@link Backend#allocateUninitialized} (for a non-accumulating spec with {@code k
 * > 0}).
 *
 * <p><b>Decomposition.</b> Whoever records or exports a fused call can always describe it as {@code
 * MatMul}, {@code Add} (bias broadcast over rows), {@code Relu}, and {@code Where(Greater(mask, 0),
 * ., 0)}: the capability adds speed, never meaning. The CPU runtime implements it (applying the
 * epilogue to each strip of rows of C while it is still in the L1 cache); OpenCL does not yet.
 *
 * <p>This interface is a published extension point (graph executors merge against it): new epilogue
 * steps are added as new factory methods and components of {@link Epilogue} only together with a
 * default that keeps every existing call's meaning.
 */
public interface GemmEpilogue {

  /** The activation applied after the bias. */
  enum Activation {
    /** No activation: {@code v}. */
    NONE,
    /** {@code max(v, 0)}, as {@link UnaryKind#RELU}. */
    RELU
  }

  /**
   * What to do to each element of C after the product: add {@code bias} (null: none), apply {@code
   * activation}, then zero where {@code reluMask} (null: none) is not positive.
   *
   * @param bias {@code n} elements of C's dtype added to every row of C, or null
   * @param activation never null; {@link Activation#NONE} for none
   * @param reluMask a buffer laid out like C (C's offset, leading dimension and batch stride), or
   *     null: where it is {@code <= 0} (or NaN) the element becomes 0. For a ReLU's gradient, the
   *     ReLU's output (or input) is the mask.
   */
  record Epilogue(DeviceBuffer bias, Activation activation, DeviceBuffer reluMask) {
    public Epilogue {
      Objects.requireNonNull(activation, "activation (use Activation.NONE for none)");
    }

    /** {@code act(C + bias)}: a dense layer's forward; {@code bias} may be null. */
    public static Epilogue biasActivation(DeviceBuffer bias, Activation activation) {
      return new Epilogue(bias, activation, null);
    }

    /** {@code mask > 0 ? C : 0}: a product followed by a ReLU's gradient. */
    public static Epilogue reluMask(DeviceBuffer mask) {
      return new Epilogue(null, Activation.NONE, Objects.requireNonNull(mask, "mask"));
    }

    /** True when the epilogue changes nothing (the plain product). */
    public boolean isIdentity() {
      return bias == null && activation == Activation.NONE && reluMask == null;
    }
  }

  /**
   * {@code C = epilogue(op(A) @ op(B) (+ C if spec.accumulate()))} for every batch item; see the
   * class comment for the exact meaning. The op layer has checked shapes and dtypes.
   *
   * @return true when C holds the finished result; false when the backend declined, having touched
   *     nothing
   */
  boolean gemmEpilogue(
      GemmSpec spec, DeviceBuffer a, DeviceBuffer b, DeviceBuffer c, Epilogue epilogue);

  /**
   * op(B) of a one-item {@code spec} copied into this backend's own product layout, for {@link
   * #gemmEpiloguePacked} to reuse across many products (a loaded graph's weights, whose values
   * never change in place): the per-call packing of op(B) is then skipped. The copy does not see
   * later writes to {@code b}. Null declines (the default): use {@link #gemmEpilogue} with {@code
   * b} as it is.
   */
  default DeviceBuffer packRightOperand(GemmSpec spec, DeviceBuffer b) {
    return null;
  }

  /**
   * {@link #gemmEpilogue} with op(B) read from {@code packedB}, which {@link #packRightOperand}
   * made for a spec of the same {@code k}, {@code n}, transposition and B layout (any {@code m}):
   * the same products in the same order, so the same bits. False declines, having touched nothing
   * (a backend may do so for some shapes, such as very few rows); the default always declines.
   */
  default boolean gemmEpiloguePacked(
      GemmSpec spec, DeviceBuffer a, DeviceBuffer packedB, DeviceBuffer c, Epilogue epilogue) {
    return false;
  }
}

package dev.sonnet.ops;

import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.DTypeException;
import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.Tensor;

/**
 * Elementwise operations with NumPy broadcasting.
 *
 * <p><b>Broadcasting.</b> Binary operations align shapes from the right; each pair of dimensions
 * must be equal or one of them 1, and the result takes the larger. {@code [4, 1, 3]} and {@code [5,
 * 1]} give {@code [4, 5, 3]}. Gradients are summed back over the broadcast axes, so each has
 * exactly its input's shape.
 *
 * <p><b>Dtypes.</b> Both operands of a binary operation must have the same dtype (no promotion);
 * the error names the operation and both dtypes. Transcendental functions need f32 or f64; {@code
 * neg}, {@code abs}, {@code sign}, {@code square} and the arithmetic operators also take integers;
 * comparisons return bool and have no gradient.
 */
public final class Elementwise {
  private Elementwise() {}

  /** One op record per kind: records are values, so sharing them saves an object per call. */
  private static final UnaryOp[] UNARY_OPS = new UnaryOp[UnaryKind.values().length];

  private static final BinaryOp[] BINARY_OPS = new BinaryOp[BinaryKind.values().length];

  static {
    for (UnaryKind k : UnaryKind.values()) {
      UNARY_OPS[k.ordinal()] = new UnaryOp(k);
    }
    for (BinaryKind k : BinaryKind.values()) {
      BINARY_OPS[k.ordinal()] = new BinaryOp(k);
    }
  }

  /** {@code kind} applied to each element of {@code x}: the primitive behind each named method. */
  public static Tensor unary(UnaryKind kind, Operand x) {
    UnaryOp op = UNARY_OPS[kind.ordinal()];
    return Dispatch.run1(op, Operands.tensor(x, op.name(), 1));
  }

  /**
   * {@code kind} of {@code a} and {@code b} elementwise with broadcasting (one dtype): the
   * primitive behind each named method.
   */
  public static Tensor binary(BinaryKind kind, Operand a, Operand b) {
    BinaryOp op = BINARY_OPS[kind.ordinal()];
    return Dispatch.run1(op, Operands.tensor(a, op.name(), 1), Operands.tensor(b, op.name(), 2));
  }

  /** {@code -x}. */
  public static Tensor neg(Operand x) {
    return unary(UnaryKind.NEG, x);
  }

  /** {@code |x|}; the gradient is {@code sign(x)} (0 at 0). */
  public static Tensor abs(Operand x) {
    return unary(UnaryKind.ABS, x);
  }

  /** {@code e^x}. */
  public static Tensor exp(Operand x) {
    return unary(UnaryKind.EXP, x);
  }

  /** The natural logarithm. */
  public static Tensor log(Operand x) {
    return unary(UnaryKind.LOG, x);
  }

  /** {@code log(1 + x)}, accurate for small {@code x}. */
  public static Tensor log1p(Operand x) {
    return unary(UnaryKind.LOG1P, x);
  }

  /** The square root. */
  public static Tensor sqrt(Operand x) {
    return unary(UnaryKind.SQRT, x);
  }

  /** {@code 1 / sqrt(x)}. */
  public static Tensor rsqrt(Operand x) {
    return unary(UnaryKind.RSQRT, x);
  }

  /** {@code x * x}. */
  public static Tensor square(Operand x) {
    return unary(UnaryKind.SQUARE, x);
  }

  /** The hyperbolic tangent. */
  public static Tensor tanh(Operand x) {
    return unary(UnaryKind.TANH, x);
  }

  /** The logistic function {@code 1 / (1 + e^-x)}. */
  public static Tensor sigmoid(Operand x) {
    return unary(UnaryKind.SIGMOID, x);
  }

  /** {@code max(x, 0)}; the gradient is 1 where {@code x > 0} and 0 elsewhere (also at 0). */
  public static Tensor relu(Operand x) {
    return unary(UnaryKind.RELU, x);
  }

  /**
   * The exact GELU {@code x * Phi(x)}, with {@code Phi} the standard normal CDF (TensorFlow's
   * {@code gelu(approximate=False)}); its gradient is {@code Phi(x) + x * phi(x)}.
   */
  public static Tensor gelu(Operand x) {
    return unary(UnaryKind.GELU, x);
  }

  /** The standard normal CDF {@code Phi(x) = (1 + erf(x / sqrt 2)) / 2}. */
  public static Tensor normalCdf(Operand x) {
    return unary(UnaryKind.NORMAL_CDF, x);
  }

  /** {@code log(1 + e^x)}, computed without overflow; its gradient is {@code sigmoid(x)}. */
  public static Tensor softplus(Operand x) {
    return unary(UnaryKind.SOFTPLUS, x);
  }

  /** -1, 0 or 1; its gradient is zero. */
  public static Tensor sign(Operand x) {
    return unary(UnaryKind.SIGN, x);
  }

  public static Tensor sin(Operand x) {
    return unary(UnaryKind.SIN, x);
  }

  public static Tensor cos(Operand x) {
    return unary(UnaryKind.COS, x);
  }

  /** {@code 1 / x}. */
  public static Tensor reciprocal(Operand x) {
    return unary(UnaryKind.RECIPROCAL, x);
  }

  /** Logical negation of a bool tensor. */
  public static Tensor logicalNot(Operand x) {
    return unary(UnaryKind.LOGICAL_NOT, x);
  }

  /** {@code a + b}, broadcasting. */
  public static Tensor add(Operand a, Operand b) {
    return binary(BinaryKind.ADD, a, b);
  }

  /** {@code a - b}, broadcasting. */
  public static Tensor sub(Operand a, Operand b) {
    return binary(BinaryKind.SUB, a, b);
  }

  /** {@code a * b}, broadcasting. */
  public static Tensor mul(Operand a, Operand b) {
    return binary(BinaryKind.MUL, a, b);
  }

  /** {@code a / b}, broadcasting; integer division truncates toward zero. */
  public static Tensor div(Operand a, Operand b) {
    return binary(BinaryKind.DIV, a, b);
  }

  /**
   * {@code a^b}, broadcasting, floating dtypes only. The gradient with respect to {@code b}, {@code
   * a^b log(a)}, is taken as 0 where {@code a <= 0} (as TensorFlow).
   */
  public static Tensor pow(Operand a, Operand b) {
    return binary(BinaryKind.POW, a, b);
  }

  /**
   * The larger of {@code a} and {@code b}, broadcasting. Where they are equal the whole gradient
   * goes to {@code a}, the first operand (so {@code maximum(x, x)} has gradient 1 for {@code x}).
   */
  public static Tensor maximum(Operand a, Operand b) {
    return binary(BinaryKind.MAXIMUM, a, b);
  }

  /** The smaller of {@code a} and {@code b}; on ties the gradient goes to {@code a}. */
  public static Tensor minimum(Operand a, Operand b) {
    return binary(BinaryKind.MINIMUM, a, b);
  }

  /** {@code a == b} as bool. */
  public static Tensor equal(Operand a, Operand b) {
    return binary(BinaryKind.EQUAL, a, b);
  }

  /** {@code a != b} as bool. */
  public static Tensor notEqual(Operand a, Operand b) {
    return binary(BinaryKind.NOT_EQUAL, a, b);
  }

  /** {@code a < b} as bool. */
  public static Tensor less(Operand a, Operand b) {
    return binary(BinaryKind.LESS, a, b);
  }

  /** {@code a <= b} as bool. */
  public static Tensor lessEqual(Operand a, Operand b) {
    return binary(BinaryKind.LESS_EQUAL, a, b);
  }

  /** {@code a > b} as bool. */
  public static Tensor greater(Operand a, Operand b) {
    return binary(BinaryKind.GREATER, a, b);
  }

  /** {@code a >= b} as bool. */
  public static Tensor greaterEqual(Operand a, Operand b) {
    return binary(BinaryKind.GREATER_EQUAL, a, b);
  }

  /** {@code a && b} on bool tensors. */
  public static Tensor logicalAnd(Operand a, Operand b) {
    return binary(BinaryKind.LOGICAL_AND, a, b);
  }

  /**
   * Bool, true where {@code x} is neither NaN nor an infinity (always true for integer and bool
   * tensors), as NumPy's {@code isfinite}. Written as two comparisons against the dtype's largest
   * finite value, so it never outputs a NaN itself and is safe under {@link CheckNumerics}.
   */
  public static Tensor isFinite(Operand x) {
    Tensor t = x.asTensor();
    if (!t.dtype().isFloating()) {
      return Tensor.full(t.backend(), DType.BOOL, t.shape(), 1);
    }
    double max = t.dtype() == DType.FLOAT32 ? Float.MAX_VALUE : Double.MAX_VALUE;
    Tensor lowest = Tensor.scalar(t.backend(), t.dtype(), -max);
    Tensor highest = Tensor.scalar(t.backend(), t.dtype(), max);
    return logicalAnd(greaterEqual(t, lowest), lessEqual(t, highest));
  }

  /** {@code a || b} on bool tensors. */
  public static Tensor logicalOr(Operand a, Operand b) {
    return binary(BinaryKind.LOGICAL_OR, a, b);
  }

  /**
   * {@code condition ? a : b} elementwise; the three shapes broadcast together. The gradient flows
   * to {@code a} where the condition holds and to {@code b} elsewhere (then summed over each
   * operand's broadcast axes); the condition gets none.
   */
  public static Tensor where(Operand condition, Operand a, Operand b) {
    return Dispatch.run1(WhereOp.INSTANCE, Dispatch.values(condition, a, b));
  }

  /**
   * Limits every element to {@code [min, max]}, as {@code minimum(maximum(x, min), max)}. The
   * gradient is 1 inside the interval, including its ends, and 0 outside.
   */
  public static Tensor clip(Operand x, double min, double max) {
    if (!(min <= max)) {
      throw new IllegalArgumentException(
          "clip: min (" + min + ") must not exceed max (" + max + ")");
    }
    Tensor t = x.asTensor();
    return t.maximum(min).minimum(max);
  }

  /**
   * Converts to {@code dtype} (floats to integers truncate toward zero; nonzero is true in bool).
   * Casting to the tensor's own dtype returns it unchanged. The gradient flows back between
   * floating dtypes (cast to the input's dtype) and stops at integer or bool ends.
   */
  public static Tensor cast(Operand x, DType dtype) {
    if (x.dtype() == dtype) {
      return x.asTensor();
    }
    if (dtype == null) {
      throw new DTypeException("cast: target dtype is null");
    }
    return Dispatch.run1(new CastOp(dtype), x.asTensor());
  }
}

package dev.sonnet.ops;

import dev.sonnet.backend.UnaryKind;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.DTypeException;
import dev.sonnet.tensor.Tensor;
import java.util.Locale;

/** An elementwise function of one tensor ({@link UnaryKind}); output has the input's shape. */
record UnaryOp(UnaryKind kind) implements Op {
  /** {@code 1 / sqrt(2 pi)}, the standard normal density at 0. */
  private static final double INV_SQRT_2PI = 0.3989422804014327;

  @Override
  public String name() {
    return NAMES[kind.ordinal()];
  }

  /** Each kind's name, made once: ops are named on every dispatch (errors, recorders). */
  private static final String[] NAMES = new String[UnaryKind.values().length];

  static {
    for (UnaryKind k : UnaryKind.values()) {
      NAMES[k.ordinal()] = k.name().toLowerCase(Locale.ROOT);
    }
  }

  @Override
  public Tensor[] forward(Tensor[] inputs) {
    Tensor x = inputs[0];
    DType dt = x.dtype();
    if (kind == UnaryKind.LOGICAL_NOT) {
      if (dt != DType.BOOL) {
        throw new DTypeException(
            "logical_not: needs a bool tensor, got "
                + dt
                + x.shape()
                + "; compare first, e.g. x.notEqual(zero)");
      }
    } else if (!dt.isFloating() && !(dt.isInteger() && kind.acceptsIntegers())) {
      throw new DTypeException(
          name()
              + ": not defined for "
              + dt
              + x.shape()
              + (kind.acceptsIntegers()
                  ? "; it takes floating or integer tensors"
                  : "; it needs f32 or f64. Cast first, e.g. x.cast(DType.FLOAT32)"));
    }
    Tensor out = OpSupport.allocateUninitialized(x.backend(), dt, x.shape());
    if (x.size() > 0) {
      x.backend().unary(kind, x.buffer(), out.buffer());
    }
    return new Tensor[] {out};
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    Tensor x = inputs[0];
    Tensor y = outputs[0];
    Tensor g = upstream[0];
    Tensor dx =
        switch (kind) {
          case NEG -> g.neg();
          case ABS -> g.mul(x.sign());
          case EXP -> g.mul(y);
          case LOG -> g.div(x);
          case LOG1P -> g.div(x.add(1.0));
          case SQRT -> g.div(y.mul(2.0));
          // d/dx x^(-1/2) = -x^(-3/2) / 2 = -y^3 / 2
          case RSQRT -> g.mul(y.mul(y).mul(y)).mul(-0.5);
          case SQUARE -> g.mul(x.mul(2.0));
          case TANH -> g.mul(y.square().neg().add(1.0));
          case SIGMOID -> g.mul(y.mul(y.neg().add(1.0)));
          case RELU ->
              Elementwise.where(
                  x.greater(OpSupport.scalarLike(x, 0)), g, OpSupport.scalarLike(g, 0));
          // d/dx x Phi(x) = Phi(x) + x phi(x)
          case GELU -> g.mul(Elementwise.normalCdf(x).add(x.mul(normalPdf(x))));
          case NORMAL_CDF -> g.mul(normalPdf(x));
          case SOFTPLUS -> g.mul(x.sigmoid());
          case SIGN -> g.zerosLike();
          case SIN -> g.mul(x.cos());
          case COS -> g.mul(x.sin()).neg();
          case RECIPROCAL -> g.mul(y.square()).neg();
          case LOGICAL_NOT -> null;
        };
    return new Tensor[] {dx};
  }

  /** The standard normal density {@code exp(-x^2 / 2) / sqrt(2 pi)}. */
  private static Tensor normalPdf(Tensor x) {
    return x.square().mul(-0.5).exp().mul(INV_SQRT_2PI);
  }
}

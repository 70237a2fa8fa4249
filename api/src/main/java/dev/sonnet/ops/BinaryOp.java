package dev.sonnet.ops;

import dev.sonnet.backend.BinaryKind;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.DTypeException;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.Locale;

/**
 * An elementwise function of two tensors of one dtype ({@link BinaryKind}), with NumPy
 * broadcasting. Gradients are summed back over broadcast axes.
 */
record BinaryOp(BinaryKind kind) implements Op {

  @Override
  public String name() {
    return NAMES[kind.ordinal()];
  }

  /** Each kind's name, made once: ops are named on every dispatch (errors, recorders). */
  private static final String[] NAMES = new String[BinaryKind.values().length];

  static {
    for (BinaryKind k : BinaryKind.values()) {
      NAMES[k.ordinal()] = k.name().toLowerCase(Locale.ROOT);
    }
  }

  @Override
  public Tensor[] forward(Tensor[] inputs) {
    Tensor a = inputs[0];
    Tensor b = inputs[1];
    OpSupport.requireSameDtype(name(), a, b);
    checkDtype(a.dtype(), a, b);
    Shape shape = Shape.broadcast(name(), a.shape(), b.shape());
    DType outType = kind.returnsBool() ? DType.BOOL : a.dtype();
    Tensor out = OpSupport.allocateUninitialized(a.backend(), outType, shape);
    if (shape.size() > 0) {
      if (a.shape().equals(b.shape())) {
        // The common case: one shared, cached layout and no per-call arrays.
        OpSupport.DenseLayout l = OpSupport.denseLayout(shape);
        a.backend()
            .binary(kind, a.buffer(), l.strides(), b.buffer(), l.strides(), out.buffer(), l.dims());
      } else {
        a.backend()
            .binary(
                kind,
                a.buffer(),
                a.shape().broadcastStrides(shape),
                b.buffer(),
                b.shape().broadcastStrides(shape),
                out.buffer(),
                shape.dims());
      }
    }
    return new Tensor[] {out};
  }

  private void checkDtype(DType dt, Tensor a, Tensor b) {
    boolean ok =
        switch (kind) {
          case LOGICAL_AND, LOGICAL_OR -> dt == DType.BOOL;
          case EQUAL, NOT_EQUAL -> true;
          case POW -> dt.isFloating();
          default -> dt != DType.BOOL;
        };
    if (!ok) {
      String need =
          switch (kind) {
            case LOGICAL_AND, LOGICAL_OR -> "bool tensors";
            case POW -> "f32 or f64 tensors; cast first, e.g. x.cast(DType.FLOAT32)";
            default -> "numeric tensors; cast bool first, e.g. mask.cast(DType.FLOAT32)";
          };
      throw new DTypeException(
          name()
              + ": not defined for "
              + dt
              + " (shapes "
              + a.shape()
              + " and "
              + b.shape()
              + "); it needs "
              + need);
    }
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    if (kind.returnsBool()) {
      return new Tensor[] {null, null};
    }
    Tensor a = inputs[0];
    Tensor b = inputs[1];
    Tensor y = outputs[0];
    Tensor g = upstream[0];
    Tensor ga;
    Tensor gb;
    switch (kind) {
      case ADD -> {
        ga = g;
        gb = g;
      }
      case SUB -> {
        ga = g;
        gb = g.neg();
      }
      case MUL -> {
        ga = g.mul(b);
        gb = g.mul(a);
      }
      case DIV -> {
        ga = g.div(b);
        gb = g.mul(y).div(b).neg();
      }
      case POW -> {
        // d/da a^b = b a^(b-1); d/db a^b = a^b log(a), taken as 0 where a <= 0 (as TensorFlow),
        // with log evaluated on a safe value there so that second derivatives stay finite.
        ga = g.mul(b).mul(a.pow(b.sub(1.0)));
        Tensor positive = a.greater(OpSupport.scalarLike(a, 0));
        Tensor safeA = Elementwise.where(positive, a, OpSupport.scalarLike(a, 1));
        Tensor logA = Elementwise.where(positive, safeA.log(), OpSupport.scalarLike(a, 0));
        gb = g.mul(y).mul(logA);
      }
      case MAXIMUM, MINIMUM -> {
        // Ties send the whole gradient to the first operand.
        Tensor first = kind == BinaryKind.MAXIMUM ? a.greaterEqual(b) : a.lessEqual(b);
        Tensor zero = OpSupport.scalarLike(g, 0);
        ga = Elementwise.where(first, g, zero);
        gb = Elementwise.where(first, zero, g);
      }
      default -> throw new IllegalStateException("no gradient for " + kind);
    }
    return new Tensor[] {
      Broadcasting.reduceTo(ga, a.shape()), Broadcasting.reduceTo(gb, b.shape())
    };
  }
}

package dev.sonnet.ops;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.List;

/** Elementwise operations with NumPy broadcasting. */
public final class Elementwise {
  private Elementwise() {}

  public static Tensor neg(Operand x) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor abs(Operand x) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor exp(Operand x) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor log(Operand x) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor log1p(Operand x) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor sqrt(Operand x) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor rsqrt(Operand x) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor square(Operand x) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor tanh(Operand x) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor sigmoid(Operand x) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor relu(Operand x) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor gelu(Operand x) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor softplus(Operand x) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor sign(Operand x) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor sin(Operand x) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor cos(Operand x) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor reciprocal(Operand x) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor logicalNot(Operand x) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor add(Operand a, Operand b) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor sub(Operand a, Operand b) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor mul(Operand a, Operand b) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor div(Operand a, Operand b) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor pow(Operand a, Operand b) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor maximum(Operand a, Operand b) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor minimum(Operand a, Operand b) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor equal(Operand a, Operand b) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor notEqual(Operand a, Operand b) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor less(Operand a, Operand b) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor lessEqual(Operand a, Operand b) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor greater(Operand a, Operand b) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor greaterEqual(Operand a, Operand b) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor logicalAnd(Operand a, Operand b) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor logicalOr(Operand a, Operand b) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor where(Operand condition, Operand a, Operand b) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor clip(Operand x, double min, double max) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor cast(Operand x, DType dtype) {
    throw new UnsupportedOperationException("TODO");
  }
}

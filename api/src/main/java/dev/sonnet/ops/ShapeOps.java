package dev.sonnet.ops;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.List;

/** Operations that move, select and combine elements. */
public final class ShapeOps {
  private ShapeOps() {}

  public static Tensor reshape(Operand x, int... shape) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor transpose(Operand x) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor permute(Operand x, int... axes) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor expandDims(Operand x, int axis) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor squeeze(Operand x, int... axes) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor broadcastTo(Operand x, Shape shape) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor concat(int axis, Operand... xs) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor concat(List<? extends Operand> xs, int axis) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor stack(int axis, Operand... xs) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor stack(List<? extends Operand> xs, int axis) {
    throw new UnsupportedOperationException("TODO");
  }

  public static List<Tensor> split(Operand x, int count, int axis) {
    throw new UnsupportedOperationException("TODO");
  }

  public static List<Tensor> split(Operand x, int[] sizes, int axis) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor slice(Operand x, int[] begin, int[] end, int[] strides) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor gather(Operand x, Operand indices, int axis) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor scatterAdd(Operand x, Operand indices, Operand updates, int axis) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor oneHot(Operand indices, int depth, DType dtype) {
    throw new UnsupportedOperationException("TODO");
  }

  public static Tensor pad(Operand x, int[][] paddings, PadMode mode, double constant) {
    throw new UnsupportedOperationException("TODO");
  }
}

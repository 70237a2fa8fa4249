package dev.sonnet.export;

import dev.sonnet.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * A shape whose dimensions are {@link DimExpr}s: constants where the size is known, expressions of
 * the function's unknown input dimensions elsewhere.
 *
 * @param dims one expression per axis
 */
public record SymbolicShape(List<DimExpr> dims) {
  public SymbolicShape {
    dims = List.copyOf(dims);
  }

  /** A fully known shape. */
  public static SymbolicShape of(Shape shape) {
    List<DimExpr> d = new ArrayList<>(shape.rank());
    for (int i = 0; i < shape.rank(); i++) {
      d.add(DimExpr.constant(shape.dim(i)));
    }
    return new SymbolicShape(d);
  }

  /** The number of axes. */
  public int rank() {
    return dims.size();
  }

  /** The expression of axis {@code axis}. */
  public DimExpr dim(int axis) {
    return dims.get(axis);
  }

  /** Whether every dimension is known. */
  public boolean isConstant() {
    for (DimExpr d : dims) {
      if (!d.isConstant()) {
        return false;
      }
    }
    return true;
  }

  /**
   * The concrete shape for symbol values {@code values}.
   *
   * @throws IllegalArgumentException if a dimension comes out negative or beyond {@code int}
   */
  public Shape evaluate(ToLongFunction<String> values) {
    int[] out = new int[dims.size()];
    for (int i = 0; i < out.length; i++) {
      long v = dims.get(i).evaluate(values);
      if (v < 0 || v > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "dimension " + i + " (" + dims.get(i) + ") evaluates to " + v);
      }
      out[i] = (int) v;
    }
    return Shape.of(out);
  }

  /** Like {@code [batch, 784]}. */
  @Override
  public String toString() {
    return dims.toString();
  }
}

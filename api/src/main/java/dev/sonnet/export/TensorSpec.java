package dev.sonnet.export;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The dtype and shape a function input must have, where a dimension may be unknown ({@code -1}):
 * {@code TensorSpec.of(FLOAT32, -1, 784)} is "any number of 784-long float rows", as Sonnet's
 * {@code tf.TensorSpec([None, 784])}.
 *
 * <p>Each unknown dimension is a named symbol. By default the symbol of an unknown axis 0 is {@code
 * batch} and that of an unknown axis {@code i > 0} is {@code dim<i>}; {@link #withSymbol} renames
 * one. Unknown dimensions with the same symbol, in one input or across the inputs of a function,
 * must have equal sizes in a call (so two inputs with an unknown batch share it by default), and
 * the traced graph may rely on that (an {@code add} of the two).
 *
 * @param name the input's name in signatures and error messages ({@code input<i>} when null is
 *     given to {@link #of})
 * @param dtype the element type
 * @param dims each dimension's size, or {@code -1} where unknown
 * @param symbols per axis, the symbol of an unknown dimension, or null where the size is known
 */
public record TensorSpec(String name, DType dtype, List<Integer> dims, List<String> symbols) {
  /** The symbol of an unknown axis 0 unless renamed. */
  public static final String BATCH = "batch";

  public TensorSpec {
    Objects.requireNonNull(dtype, "dtype");
    dims = List.copyOf(dims);
    if (symbols.size() != dims.size()) {
      throw new IllegalArgumentException(
          "TensorSpec: " + symbols.size() + " symbols for " + dims.size() + " dimensions");
    }
    List<String> s = new ArrayList<>(symbols);
    for (int i = 0; i < dims.size(); i++) {
      int d = dims.get(i);
      if (d < -1) {
        throw new IllegalArgumentException(
            "TensorSpec: dimension " + i + " is " + d + "; a size is >= 0, or -1 where unknown");
      }
      if (d == -1 && (s.get(i) == null || !DimExpr.isSymbolName(s.get(i)))) {
        throw new IllegalArgumentException(
            "TensorSpec: unknown dimension "
                + i
                + " needs a symbol of letters, digits and '_' starting with a letter, got "
                + s.get(i));
      }
      if (d != -1) {
        s.set(i, null);
      }
    }
    symbols = Collections.unmodifiableList(s);
  }

  /** A spec of {@code dtype} and {@code dims} ({@code -1}: unknown), with default symbols. */
  public static TensorSpec of(DType dtype, int... dims) {
    List<Integer> d = new ArrayList<>(dims.length);
    List<String> s = new ArrayList<>(dims.length);
    for (int i = 0; i < dims.length; i++) {
      d.add(dims[i]);
      s.add(dims[i] == -1 ? defaultSymbol(i) : null);
    }
    return new TensorSpec(null, dtype, d, s);
  }

  /** A spec fitting exactly {@code shape}. */
  public static TensorSpec of(DType dtype, Shape shape) {
    return of(dtype, shape.dims());
  }

  /** The default symbol of an unknown dimension at {@code axis}. */
  public static String defaultSymbol(int axis) {
    return axis == 0 ? BATCH : "dim" + axis;
  }

  /** This spec with the input named {@code name}. */
  public TensorSpec named(String name) {
    return new TensorSpec(name, dtype, dims, symbols);
  }

  /** This spec with the unknown dimension at {@code axis} called {@code symbol}. */
  public TensorSpec withSymbol(int axis, String symbol) {
    if (axis < 0 || axis >= dims.size() || dims.get(axis) != -1) {
      throw new IllegalArgumentException(
          "TensorSpec.withSymbol: axis " + axis + " of " + this + " is not an unknown dimension");
    }
    List<String> s = new ArrayList<>(symbols);
    s.set(axis, symbol);
    return new TensorSpec(name, dtype, dims, s);
  }

  /** The number of dimensions. */
  public int rank() {
    return dims.size();
  }

  /** The shape as symbolic dimensions: constants where known, symbols where unknown. */
  public SymbolicShape symbolicShape() {
    List<DimExpr> out = new ArrayList<>(dims.size());
    for (int i = 0; i < dims.size(); i++) {
      out.add(dims.get(i) == -1 ? DimExpr.symbol(symbols.get(i)) : DimExpr.constant(dims.get(i)));
    }
    return new SymbolicShape(out);
  }

  /** Whether {@code shape} fits: the same rank and every known dimension equal. */
  public boolean accepts(Shape shape) {
    if (shape.rank() != dims.size()) {
      return false;
    }
    for (int i = 0; i < dims.size(); i++) {
      if (dims.get(i) != -1 && dims.get(i) != shape.dim(i)) {
        return false;
      }
    }
    return true;
  }

  /** Like {@code float32[batch, 784]}. */
  @Override
  public String toString() {
    String[] parts = new String[dims.size()];
    for (int i = 0; i < parts.length; i++) {
      parts[i] = dims.get(i) == -1 ? symbols.get(i) : String.valueOf(dims.get(i));
    }
    return (name == null ? "" : name + ": ")
        + dtype.name().toLowerCase(java.util.Locale.ROOT)
        + Arrays.toString(parts);
  }
}

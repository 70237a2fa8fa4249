package dev.sonnet.export;

import java.util.List;
import java.util.function.ToLongFunction;

/**
 * One dimension of a traced graph, as a function of the function's unknown input dimensions
 * (symbols): {@code coefficient * (product of symbols) + constant}.
 *
 * <p>That form covers what models compute from an unknown batch or sequence length: the batch
 * itself ({@code 1 * batch + 0}), a flattened batch of sequences ({@code 1 * batch * time}), the
 * rows of a batch folded with a constant ({@code 3 * batch}), the last index of a sequence ({@code
 * 1 * time - 1}). A dimension with no symbols is a constant ({@code coefficient} is then 0). The
 * tracer finds each expression by tracing at several sizes and refuses an attribute that varies in
 * any other way, so a saved graph never silently holds a size that was only true for the traced
 * batch.
 *
 * @param coefficient the factor of the product; 0 when {@code symbols} is empty
 * @param symbols the symbols multiplied, sorted, possibly repeated never (each at most once)
 * @param constant the term added
 */
public record DimExpr(long coefficient, List<String> symbols, long constant) {
  public DimExpr {
    symbols = List.copyOf(symbols);
    if (symbols.isEmpty() && coefficient != 0) {
      throw new IllegalArgumentException("DimExpr: a coefficient needs symbols");
    }
    if (!symbols.isEmpty() && coefficient == 0) {
      throw new IllegalArgumentException("DimExpr: symbols need a nonzero coefficient");
    }
    for (int i = 0; i < symbols.size(); i++) {
      if (!isSymbolName(symbols.get(i))) {
        throw new IllegalArgumentException("DimExpr: bad symbol name " + symbols.get(i));
      }
      if (i > 0 && symbols.get(i - 1).compareTo(symbols.get(i)) >= 0) {
        throw new IllegalArgumentException(
            "DimExpr: symbols must be sorted and distinct, got " + symbols);
      }
    }
  }

  /** A known size. */
  public static DimExpr constant(long value) {
    return new DimExpr(0, List.of(), value);
  }

  /** Exactly the symbol {@code name}. */
  public static DimExpr symbol(String name) {
    return new DimExpr(1, List.of(name), 0);
  }

  /**
   * Whether {@code s} can name a symbol: ASCII letters, digits and '_', a letter first, at most 64.
   */
  public static boolean isSymbolName(String s) {
    if (s == null || s.isEmpty() || s.length() > 64) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      boolean ok = letter || (i > 0 && ((c >= '0' && c <= '9') || c == '_'));
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Whether the size is known. */
  public boolean isConstant() {
    return symbols.isEmpty();
  }

  /** Whether this is one symbol exactly ({@code 1 * s + 0}): ONNX's {@code dim_param}. */
  public boolean isSymbol() {
    return coefficient == 1 && symbols.size() == 1 && constant == 0;
  }

  /** The size for symbol values {@code values} (in {@code long}, so no product overflows int). */
  public long evaluate(ToLongFunction<String> values) {
    long p = coefficient;
    for (String s : symbols) {
      p = Math.multiplyExact(p, values.applyAsLong(s));
    }
    return Math.addExact(p, constant);
  }

  /** Like {@code 7}, {@code batch}, {@code 3*batch*time}, {@code time-1}. */
  @Override
  public String toString() {
    if (symbols.isEmpty()) {
      return String.valueOf(constant);
    }
    StringBuilder sb = new StringBuilder();
    if (coefficient != 1) {
      sb.append(coefficient).append('*');
    }
    sb.append(String.join("*", symbols));
    if (constant > 0) {
      sb.append('+').append(constant);
    } else if (constant < 0) {
      sb.append(constant);
    }
    return sb.toString();
  }
}

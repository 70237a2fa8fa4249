package dev.sonnet.ops;

import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.Tensor;
import java.util.function.BiFunction;

/**
 * Turns an operand into its tensor, with a message that names the cause when it is null.
 *
 * <p>A null operand is almost always a module's {@code @Param} variable read before the module was
 * built: its {@code call} forgot {@code build(x)}. The module package installs a diagnosis that
 * names that module (so this package does not depend on it); without one, or outside a module, the
 * error names the operation and the argument.
 */
public final class Operands {
  private static volatile BiFunction<String, Integer, RuntimeException> nullDiagnosis;

  private Operands() {}

  /**
   * Installs what explains a null operand of an operation (its name, the argument's position from
   * 1), returning the exception to throw or null to fall back to the plain message. For {@code
   * dev.sonnet.module} only.
   */
  public static void diagnoseNullWith(BiFunction<String, Integer, RuntimeException> diagnosis) {
    nullDiagnosis = diagnosis;
  }

  /**
   * {@code operand}'s tensor.
   *
   * @param op the operation's name, for the message
   * @param position the argument's position, from 1
   * @throws RuntimeException naming the module not built, or a {@link NullPointerException} naming
   *     the operation and argument, if {@code operand} is null
   */
  public static Tensor tensor(Operand operand, String op, int position) {
    if (operand == null) {
      throw nullOperand(op, position);
    }
    return operand.asTensor();
  }

  /**
   * Checks that {@code operand} is not null, for operations that read its shape before its tensor.
   *
   * @throws RuntimeException as {@link #tensor} does
   */
  public static void requireNonNull(Operand operand, String op, int position) {
    if (operand == null) {
      throw nullOperand(op, position);
    }
  }

  private static RuntimeException nullOperand(String op, int position) {
    BiFunction<String, Integer, RuntimeException> d = nullDiagnosis;
    RuntimeException e = d != null ? d.apply(op, position) : null;
    return e != null ? e : new NullPointerException(op + ": argument " + position + " is null");
  }
}

package dev.sonnet.module;

import dev.sonnet.ops.Operands;
import java.util.Optional;

/**
 * Explains a null operand met inside a module's code: the module whose frame is innermost on the
 * stack is named, since a {@code @Param} variable is null until its module is built, and the usual
 * cause is a {@code call} that forgot {@code build(x)}. Runs only when an operation is given null,
 * never on a working call.
 */
final class NotBuiltDiagnosis {
  private static final StackWalker WALKER =
      StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

  private NotBuiltDiagnosis() {}

  /** Installs the diagnosis in the op layer; called once, when {@link Module} is initialized. */
  static void install() {
    Operands.diagnoseNullWith(NotBuiltDiagnosis::diagnose);
  }

  private static RuntimeException diagnose(String op, int position) {
    Optional<StackWalker.StackFrame> frame =
        WALKER.walk(
            frames ->
                frames
                    .filter(f -> Module.class.isAssignableFrom(f.getDeclaringClass()))
                    .filter(f -> f.getDeclaringClass() != Module.class)
                    .findFirst());
    if (frame.isEmpty()) {
      return null;
    }
    StackWalker.StackFrame f = frame.get();
    String cls = f.getDeclaringClass().getSimpleName();
    return new NotBuiltException(
        op
            + ": argument "
            + position
            + " is null, in "
            + cls
            + "."
            + f.getMethodName()
            + " ("
            + f.getFileName()
            + ":"
            + f.getLineNumber()
            + "). Module not built: "
            + cls
            + "'s @Param variables are null until its @Build method has run. Call build(x) at the"
            + " start of "
            + f.getMethodName()
            + "(x), before reading them. (If that argument is not one of its variables, it was null"
            + " when passed.)");
  }
}

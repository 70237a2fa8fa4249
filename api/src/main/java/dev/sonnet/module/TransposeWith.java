package dev.sonnet.module;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a constructor parameter of a {@link Transposable} module: in the transpose, this argument is
 * the value of the named no-argument method of the original, read when the transpose is first
 * called (after the original has been built).
 *
 * <pre>{@code
 * public Dense(@TransposeWith("inputSize") int outputSize) { ... }
 * public int inputSize() { ... }   // known once the module is built
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.PARAMETER)
public @interface TransposeWith {
  /** The name of a non-private, no-argument method of the module returning the parameter's type. */
  String value();
}

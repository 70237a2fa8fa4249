package dev.sonnet.module;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a field of a {@link Module} as one of its variables.
 *
 * <p>The field's type must be {@link dev.sonnet.tensor.Variable}; it must be neither {@code
 * static}, {@code final} (it is assigned when the module is built) nor {@code private} (the
 * generated {@code <Module>_Meta} class reads it). Assign it in a {@link Build} method with {@link
 * Module#variable}:
 *
 * <pre>{@code
 * @Param Variable w;
 * @Param(trainable = false) Variable movingMean;
 * }</pre>
 *
 * <p>The annotation processor finds these fields at compile time, so {@link Module#variables()}
 * needs no reflection.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface Param {
  /**
   * False for state that optimizers must not update, such as moving averages. A variable counts as
   * trainable when both this flag and {@link dev.sonnet.tensor.Variable#trainable()} say so.
   */
  boolean trainable() default true;
}

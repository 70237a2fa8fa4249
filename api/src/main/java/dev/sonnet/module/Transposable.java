package dev.sonnet.module;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares that a module has a transpose: a new module of the same class, with its own variables,
 * that maps the original's outputs back to the shape of its inputs (as Sonnet 1's {@code
 * Transposable}).
 *
 * <p>The processor generates the code that constructs it: each constructor argument is copied from
 * the original, except those annotated {@link TransposeWith}, whose value comes from a method of
 * the original that may need the original to be built (for example its input size). The transposed
 * module is created at once but constructed lazily, on its first call, so a transpose can be made
 * before the original has been called; see {@link Transpose#of(Module)}.
 *
 * <p>Transposing twice gives a fresh module with the original's specification (the same constructor
 * arguments); no two of these share variables.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Transposable {}

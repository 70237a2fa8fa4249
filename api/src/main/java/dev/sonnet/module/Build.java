package dev.sonnet.module;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the method of a {@link Module} that creates its variables, once, from the first inputs.
 *
 * <p>Variables usually depend on the input's shape, which is unknown until the module is first
 * called. A {@code @Build} method receives those first inputs; the module runs it through {@link
 * Module#build(Object)} at the start of each call, and it runs exactly once per instance:
 *
 * <pre>{@code
 * @Build void initialize(Tensor x) {
 *   w = variable("w", Initializers.truncatedNormal(1 / Math.sqrt(x.dim(-1))), x.dim(-1), outputSize);
 * }
 *
 * public Tensor call(Tensor x) {
 *   build(x);                       // runs initialize(x) the first time only
 *   return x.matmul(w).add(b);
 * }
 * }</pre>
 *
 * <p>Rules, checked at compile time: the method is not {@code static} or {@code private}, returns
 * {@code void}, and takes the inputs it needs (at least one parameter). A module may have several
 * build methods that each own some of its variables and may be called in any order (an
 * auto-encoder's {@code encode} and {@code decode}); run them with {@link Module#buildNamed(String,
 * Object...)}. Two build methods must not assign the same {@link Param} field.
 *
 * <p>Building is thread-safe: concurrent first calls build once, the others wait. If the method
 * throws, the module is not marked built, the variables it created are forgotten, and the next call
 * tries again.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Build {}

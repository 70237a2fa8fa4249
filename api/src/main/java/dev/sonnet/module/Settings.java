package dev.sonnet.module;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a module's one full constructor as the description of its configuration: each parameter is
 * a setting, in order. From it the processor generates {@code <Module>Builder}, with one named
 * method per optional setting, and the repr, which shows only settings that differ from their
 * defaults.
 *
 * <ul>
 *   <li>A setting with a {@code DEFAULT_<SETTING>} constant in the class (or a superclass) is
 *       <b>optional</b>, and that constant is its one default; its Javadoc says why. A constant
 *       that is {@code null} means "chosen on the first call" (for example an initializer scaled by
 *       the fan-in). An {@code int[]} setting's default is a {@code List<Integer>} constant (or a
 *       null {@code int[]}).
 *   <li>The {@code String name} parameter is the module name, optional ({@code null}: the class
 *       name in snake_case).
 *   <li>Every other setting is <b>required</b> and is a parameter of the builder's constructor.
 * </ul>
 *
 * <p>Setting types are a closed set so that configurations can later be written and read back:
 * primitives and their boxes, {@code String}, enums, {@code int[]}, {@code List} of those, records
 * of those (nested configurations), {@code Initializer}, {@code Pad}, {@code Layer}, {@code
 * Tensor}. Anything else is a compile error ({@code [SntSettingType]}).
 *
 * <p>The constructor is usually package-private: users call the short public constructors or the
 * builder, so no call site passes positional nulls.
 *
 * <pre>{@code
 * public static final Pad DEFAULT_PADDING = Pad.SAME;     // why, in its Javadoc
 *
 * @Settings
 * Conv2D(int outputChannels, int[] kernelShape, Pad padding, String name) { ... }
 *
 * public static Conv2DBuilder builder(int outputChannels, int... kernelShape) {
 *   return new Conv2DBuilder(outputChannels, kernelShape);
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.CONSTRUCTOR)
public @interface Settings {}

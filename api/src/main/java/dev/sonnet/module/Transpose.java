package dev.sonnet.module;

/**
 * Transposes of {@link Transposable} modules.
 *
 * <pre>{@code
 * var encoder = new Dense(64);
 * Layer decoder = Transpose.layer(encoder);   // may come before encoder's first call
 * Tensor back = decoder.call(encoder.call(x)); // decoder is built here, from encoder's input size
 * }</pre>
 */
public final class Transpose {
  private Transpose() {}

  /**
   * The transpose of {@code module}: a new module with its own variables whose sizes come from
   * {@code module} once built. The transpose of a transpose is a fresh module with the original's
   * constructor arguments.
   *
   * @throws ModuleException if the class is not {@link Transposable}
   */
  public static Module of(Module module) {
    if (module instanceof Deferred<?> d && d.origin() != null) {
      Module origin = d.origin();
      return meta(origin).respecify(origin);
    }
    return Deferred.transposeOf(module, meta(module));
  }

  /** {@link #of(Module)} for a module that is a {@link Layer}; the transpose is one too. */
  public static Layer layer(Layer module) {
    if (!(module instanceof Module m)) {
      throw new ModuleException("Only modules can be transposed; " + module + " is a function");
    }
    return (Layer) of(m);
  }

  private static ModuleMeta<Module> meta(Module module) {
    ModuleMeta<Module> meta = module.chain().own;
    if (meta == null || !meta.transposable()) {
      throw new ModuleException(module.getClass().getSimpleName() + " cannot be transposed: mark"
          + " the class @Transposable and say where each size of the transpose comes from with"
          + " @TransposeWith(\"inputSize\") on its constructor parameters");
    }
    return meta;
  }
}

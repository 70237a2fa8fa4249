package dev.sonnet.module;

/**
 * How a {@link Transposable} module makes its transpose: the one way to transpose a module is its
 * {@code transpose()} method, and a transposable class implements it with this.
 *
 * <pre>{@code
 * @Transposable
 * public final class Dense extends Module implements Layer {
 *   ...
 *   public Deferred<Dense> transpose() { return Transpose.of(this); }
 * }
 *
 * var encoder = new Dense(64);
 * Deferred<Dense> decoder = encoder.transpose();   // may come before encoder's first call
 * Tensor back = decoder.call(encoder.call(x));     // decoder is built here, from encoder's input
 * }</pre>
 *
 * <p>Every transposable module of the library has {@code transpose()}: {@code Linear}, {@code
 * Bias}, {@code BatchReshape}, {@code MLP} (Sonnet 2's {@code reverse()}) and the convolutions
 * (whose transposes are the transposed convolutions, and back). The transpose of a transpose
 * ({@link Deferred#transpose()}) is a fresh module with the original's settings.
 */
public final class Transpose {
  private Transpose() {}

  /**
   * The transpose of {@code module}: a new module of the same class with its own variables, whose
   * sizes come from {@code module} once built; constructed on its first call.
   *
   * @throws ModuleException if the class is not {@link Transposable}, or {@code module} is itself a
   *     transpose (call its {@link Deferred#transpose()})
   */
  public static <M extends Module> Deferred<M> of(M module) {
    if (module instanceof Deferred<?>) {
      throw new ModuleException(
          "Transpose.of: '"
              + module.path()
              + "' is itself a transpose;"
              + " transpose it with its own transpose() method, which gives the original's settings");
    }
    @SuppressWarnings("unchecked") // the processor's transpose constructs the module's own class
    Deferred<M> transpose = (Deferred<M>) Deferred.transposeOf(module, meta(module));
    return transpose;
  }

  /** A fresh module with {@code origin}'s settings: the transpose of {@code origin}'s transpose. */
  static Module respecify(Module origin) {
    return meta(origin).respecify(origin);
  }

  private static ModuleMeta<Module> meta(Module module) {
    ModuleMeta<Module> meta = module.chain().own;
    if (meta == null || !meta.transposable()) {
      throw new ModuleException(
          module.getClass().getSimpleName()
              + " cannot be transposed: mark"
              + " the class @Transposable and say where each size of the transpose comes from with"
              + " @TransposeWith(\"inputSize\") on its constructor parameters");
    }
    return meta;
  }
}

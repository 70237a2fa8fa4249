package dev.sonnet.module;

import dev.sonnet.tensor.Variable;

/**
 * What the annotation processor knows about one module class, as code: its {@link Param} fields,
 * its submodule fields, its {@link Build} methods, its constructor call (for the repr) and, for a
 * {@link Transposable} class, how to build the transpose.
 *
 * <p>The processor writes one implementation per module class, named {@code <Class>_Meta} in the
 * class's package, and lists it in {@code META-INF/services/dev.sonnet.module.ModuleMeta}; {@link
 * Module} finds it there the first time it needs it, so no reflection on fields is ever used. Each
 * meta describes only the fields and methods its class declares; a subclass's module walks the
 * metas of its superclasses first. Not for users: the methods take the module as an argument and do
 * no checking of their own.
 *
 * @param <M> the module class described
 */
public interface ModuleMeta<M extends Module> {
  /** The class this meta describes. */
  Class<M> moduleClass();

  /** Visits the {@link Param} fields declared by the class, in declaration order. */
  void visitParams(M module, ParamVisitor visitor);

  /**
   * Visits the fields declared by the class that hold modules (directly, or in a list, array or
   * map), in declaration order; elements of a list or array in order, of a map in key order.
   */
  void visitChildren(M module, ChildVisitor visitor);

  /** Assigns a {@link Param} field; false if the class declares no such field. For checkpoints. */
  boolean setParam(M module, String field, Variable value);

  /** The names of the {@link Build} methods the class declares, in declaration order. */
  String[] buildMethods();

  /**
   * Runs the class's build method number {@code index} on {@code inputs}.
   *
   * @throws ClassCastException if an input has the wrong type ({@link Module} reports it)
   * @throws IndexOutOfBoundsException if there are too few inputs
   */
  void build(M module, int index, Object[] inputs);

  /** The parameter list of build method {@code index}, as in {@code (Tensor x)}, for messages. */
  String buildSignature(int index);

  /** The constructor call, defaults left out; null for an abstract class. */
  Repr repr(M module);

  /** True if the class is {@link Transposable}. */
  default boolean transposable() {
    return false;
  }

  /**
   * A new, unbuilt module for the transpose of {@code module}; throws for a class that is not
   * {@link Transposable}. Called on the transpose's first call, so methods named by {@link
   * TransposeWith} may read the original's built state.
   */
  default Module transpose(M module) {
    throw new ModuleException(module.getClass().getSimpleName() + " is not @Transposable");
  }

  /** A new, unbuilt module with {@code module}'s constructor arguments; for transposing twice. */
  default Module respecify(M module) {
    throw new ModuleException(module.getClass().getSimpleName() + " is not @Transposable");
  }

  /**
   * True if the class has a {@code @Settings} constructor, so it can be written out and read back.
   */
  default boolean hasSettings() {
    return false;
  }

  /**
   * Writes the value of each {@code @Settings} constructor parameter, read back from the module's
   * fields or accessors; see {@link ModuleConfig}.
   */
  default void writeSettings(M module, SettingsWriter out) {
    throw new ModuleConfigException(module.getClass().getName() + " has no @Settings constructor");
  }

  /** A new, unbuilt module from settings {@link #writeSettings} wrote, via its constructor. */
  default M readSettings(SettingsReader in) {
    throw new ModuleConfigException(moduleClass().getName() + " has no @Settings constructor");
  }

  /** Receives each {@link Param} field. */
  @FunctionalInterface
  interface ParamVisitor {
    /**
     * @param field the field's name
     * @param value the variable, or null before the module is built
     * @param trainable the field's {@link Param#trainable()}
     */
    void param(String field, Variable value, boolean trainable);
  }

  /** Receives each value held by a submodule field. */
  @FunctionalInterface
  interface ChildVisitor {
    /**
     * @param field the field's name
     * @param key null for a plain field, the index for a list or array element, the key for a map
     * @param value the value; it may be null, or (for fields typed as {@link Layer} or a function)
     *     not a module, which the visitor skips
     */
    void child(String field, String key, Object value);
  }
}

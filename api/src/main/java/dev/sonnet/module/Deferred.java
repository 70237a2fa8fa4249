package dev.sonnet.module;

import dev.sonnet.tensor.Tensor;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A module constructed on its first call (Sonnet 2's {@code snt.Deferred}): for modules whose
 * constructor arguments are only known later, such as a transpose, whose sizes come from the
 * original module once that has been built (see {@link Transpose}).
 *
 * <p>The target takes this module's name and path: its variables are {@code <path>/w}, not {@code
 * <path>/<target name>/w}. Calling a deferred {@link Layer} calls the target; for other methods use
 * {@link #target()}.
 *
 * @param <M> the target's class
 */
public final class Deferred<M extends Module> extends Module implements Layer {
  private final Supplier<? extends M> constructor;
  private final Module origin;
  private volatile M target;

  private Deferred(String name, Supplier<? extends M> constructor, Module origin) {
    super(name);
    this.constructor = Objects.requireNonNull(constructor, "constructor");
    this.origin = origin;
  }

  /**
   * A module named {@code name} (or {@code deferred}) that runs {@code constructor} when first
   * used.
   */
  public static <M extends Module> Deferred<M> of(String name, Supplier<? extends M> constructor) {
    return new Deferred<>(name, constructor, null);
  }

  /** The transpose of {@code origin}, named {@code <origin name>_transpose}. */
  static Deferred<Module> transposeOf(Module origin, ModuleMeta<Module> meta) {
    return new Deferred<>(null, () -> meta.transpose(origin), origin);
  }

  /** The module this one transposes, or null if it is not a transpose. */
  Module origin() {
    return origin;
  }

  /** The target, constructed now if it was not yet. */
  public M target() {
    M t = target;
    if (t == null) {
      runOnce(0, "construct", () -> target = constructor.get());
      t = target;
    }
    return t;
  }

  /**
   * The transpose of this transpose: a fresh module with the original's settings and its own
   * variables (for a transposed convolution made by {@code conv.transpose()}, use that module's own
   * {@code transpose()} once built).
   *
   * @throws ModuleException if this deferred module is not a transpose
   */
  public Module transpose() {
    if (origin == null) {
      throw new ModuleException(
          "Deferred '"
              + path()
              + "' is not a transpose made by"
              + " Transpose.of; transpose its target instead: d.target().transpose()");
    }
    return Transpose.respecify(origin);
  }

  /** Constructs the target if needed and calls it; the target must be a {@link Layer}. */
  @Override
  public Tensor call(Tensor x) {
    M t = target();
    if (t instanceof Layer layer) {
      return layer.call(x);
    }
    throw new ModuleException(
        "Deferred '"
            + path()
            + "' holds a "
            + t.getClass().getSimpleName()
            + ", which is not a Layer; call its methods through target(), e.g. d.target().encode(x)");
  }

  @Override
  String baseName() {
    if (explicitName() == null && origin != null) {
      return origin.name() + "_transpose";
    }
    return super.baseName();
  }

  @Override
  boolean transparent() {
    return true;
  }

  @Override
  void visitParams(ModuleMeta.ParamVisitor visitor) {}

  @Override
  void visitChildren(ModuleMeta.ChildVisitor visitor) {
    visitor.child("target", null, target);
  }

  @Override
  Repr repr() {
    if (origin != null) {
      return Repr.of("Transpose").positional(origin);
    }
    M t = target;
    return t != null ? Repr.of("Deferred").positional(t) : Repr.of("Deferred");
  }
}

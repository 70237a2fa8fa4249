package dev.sonnet.module;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A function as a named module (Sonnet 1's {@code snt.Module(build_fn)}).
 *
 * <p>{@link #wrap(String, Layer)} names a stateless function. {@link #of(String, Body)} takes a
 * function that may also create variables and submodules through its {@link Scope}: on the first
 * call they are created (nested under this module), on later calls the same ones are returned by
 * name, so every call shares them:
 *
 * <pre>{@code
 * var scaled = FunctionModule.of("scaled", (scope, x) -> {
 *   Variable s = scope.variable("scale", Initializers.ones(), x.dim(-1));
 *   return x.mul(s);
 * });
 * scaled.call(x);           // creates scaled/scale
 * scaled.call(y);           // reuses it
 * }</pre>
 *
 * <p>As in Sonnet 1, a later call must not create a variable the first call did not.
 */
public final class FunctionModule extends Module implements Layer {
  private final Body body;
  private final Scope scope = new Scope();
  private final Map<String, Variable> variables = new LinkedHashMap<>();
  private final Map<String, Module> modules = new LinkedHashMap<>();

  /** A function of a {@link Scope} (for its variables and submodules) and an input. */
  @FunctionalInterface
  public interface Body {
    Tensor apply(Scope scope, Tensor x);
  }

  private FunctionModule(String name, Body body) {
    super(name);
    this.body = Objects.requireNonNull(body, "body");
  }

  /** {@code function} as a module named {@code name} (or {@code function_module} when null). */
  public static FunctionModule wrap(String name, Layer function) {
    Objects.requireNonNull(function, "function");
    return new FunctionModule(name, (scope, x) -> function.call(x));
  }

  /** A module named {@code name} that runs {@code body}, which may create variables. */
  public static FunctionModule of(String name, Body body) {
    return new FunctionModule(name, body);
  }

  @Override
  public Tensor call(Tensor x) {
    if (ModulePaths.on()) {
      CallTrail.enter(this, 0);
    }
    Tensor[] first = new Tensor[1];
    runOnce(0, "first call", () -> first[0] = body.apply(scope, x));
    return first[0] != null ? first[0] : body.apply(scope, x);
  }

  /** Where a {@link Body} gets its variables and submodules: created once, then shared. */
  public final class Scope {
    private Scope() {}

    /** The trainable float32 variable {@code name}, created on the first call. */
    public Variable variable(String name, Initializer init, int... dims) {
      return variable(name, init, DType.FLOAT32, Shape.of(dims), true);
    }

    /** The variable {@code name}, created on the first call with these properties. */
    public Variable variable(
        String name, Initializer init, DType dtype, Shape shape, boolean trainable) {
      synchronized (variables) {
        Variable existing = variables.get(name);
        if (existing != null) {
          return existing;
        }
        if (Scopes.buildFrameOf(FunctionModule.this) == null) {
          throw new ModuleException(
              "FunctionModule '"
                  + path()
                  + "' created variable \""
                  + name
                  + "\" on a call after the first; the first call must create every variable (as a"
                  + " Sonnet 1 template). Create it unconditionally.");
        }
        Variable v = FunctionModule.this.variable(name, init, dtype, shape, trainable);
        variables.put(name, v);
        return v;
      }
    }

    /** The submodule {@code key}, constructed by {@code factory} on the first call. */
    public <M extends Module> M module(String key, Supplier<M> factory) {
      synchronized (modules) {
        Module existing = modules.get(key);
        if (existing == null) {
          if (Scopes.buildFrameOf(FunctionModule.this) == null) {
            throw new ModuleException(
                "FunctionModule '"
                    + path()
                    + "' created submodule \""
                    + key
                    + "\" on a call after the first; create every submodule on the first call.");
          }
          existing = factory.get();
          modules.put(key, existing);
        }
        @SuppressWarnings("unchecked")
        M m = (M) existing;
        return m;
      }
    }
  }

  @Override
  void visitParams(ModuleMeta.ParamVisitor visitor) {}

  @Override
  void visitChildren(ModuleMeta.ChildVisitor visitor) {
    List<Map.Entry<String, Module>> entries;
    synchronized (modules) {
      entries = new ArrayList<>(modules.entrySet());
    }
    for (Map.Entry<String, Module> e : entries) {
      visitor.child("modules", e.getKey(), e.getValue());
    }
  }

  @Override
  Repr repr() {
    Repr r = Repr.of("FunctionModule");
    if (explicitName() != null) {
      r.arg("name", explicitName());
    }
    return r;
  }
}

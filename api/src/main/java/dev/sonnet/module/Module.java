package dev.sonnet.module;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.List;

/**
 * The base class of everything that holds variables or other modules: layers, networks, optimizers.
 *
 * <p>A module is configured in its constructor and creates its variables lazily, in a {@link Build}
 * method that runs once, on the first call, when the input shapes are known. Its variables are the
 * {@link Param} fields; its submodules are the fields that hold modules (or lists, arrays or maps
 * of them). The annotation processor finds both at compile time and writes a {@code <Class>_Meta}
 * class, so nothing here uses reflection:
 *
 * <pre>{@code
 * public final class MyLinear extends Module implements Layer {
 *   final int outputSize;
 *   @Param Variable w;
 *   @Param Variable b;
 *
 *   public MyLinear(int outputSize) { this.outputSize = outputSize; }
 *
 *   @Build void initialize(Tensor x) {
 *     w = variable("w", Initializers.truncatedNormal(1 / Math.sqrt(x.dim(-1))), x.dim(-1), outputSize);
 *     b = variable("b", Initializers.zeros(), outputSize);
 *   }
 *
 *   @Override public Tensor call(Tensor x) {
 *     build(x);
 *     return x.matmul(w).add(b);
 *   }
 * }
 * }</pre>
 *
 * <h2>Names</h2>
 *
 * <p>A module's default name is its class name in snake_case ({@code MyLinear -> my_linear}, {@code
 * MLP -> mlp}, {@code Conv2D -> conv2d}, {@code Cifar10ConvNet -> cifar10_conv_net}); a name passed
 * to the constructor overrides it. Its <em>parent</em> is the module whose constructor or build
 * method was running on the same thread when it was constructed and that holds it (in a field,
 * directly or through modules it holds), or, for a module constructed during a build and not held,
 * the module being built. A module constructed elsewhere and passed in (to a {@link Sequential},
 * say) keeps its own place: it is shared, not adopted. Variables are named by path, {@code
 * parent_module/linear/w}, whether the child was created before or after anything else in the
 * parent's constructor, or in its build. (Java has no hook at the end of a constructor, so a module
 * constructed after another module's constructor has returned, and then added to it through a
 * method, nests under that module too.)
 *
 * <p>Siblings with the same name are numbered in construction order: {@code linear}, {@code
 * linear_1}, {@code linear_2}. Top-level modules are numbered within a {@link NameScope} and among
 * the layers of one {@link Sequential}; elsewhere they keep their name, so names never depend on
 * what else ran in the JVM. A module's path is fixed when first needed (its first variable, or
 * {@link #name()}/{@link #path()}); ask for it only once the module has been stored where it
 * belongs.
 *
 * <h2>Enumeration order</h2>
 *
 * <p>{@link #variables()} lists a module's own variables (its {@link Param} fields sorted by field
 * name, then variables it created without a field, in creation order), then each submodule's
 * variables in the same way, submodule fields sorted by name and elements in list order. A variable
 * or module reachable twice is listed once, at its first position. {@link #submodules()} uses the
 * same order.
 *
 * <h2>Threads</h2>
 *
 * <p>Building is thread-safe; once built, a module can be called from many threads at once.
 */
public abstract class Module {
  static {
    NotBuiltDiagnosis.install();
  }

  private final ModuleNaming naming;
  private final BuildState builds = new BuildState();
  private volatile boolean allowEmpty;
  private volatile VariableInterceptor interceptor;

  /** A module with the default name: its class name in snake_case. */
  protected Module() {
    this(null);
  }

  /**
   * A module named {@code name}, or the default name when null.
   *
   * @throws ModuleException if the name is not letters, digits and underscores
   */
  @SuppressWarnings("this-escape")
  protected Module(String name) {
    this.naming = new ModuleNaming(this, name);
    Module builder = Scopes.innermostBuilder(naming.context());
    if (builder != null) {
      builder.builds.addBuiltChild(this);
    }
  }

  // ---- names -------------------------------------------------------------------------------

  /** The name given to the constructor, or null for the default; for generated code and reprs. */
  public final String explicitName() {
    return naming.explicitName();
  }

  /** The final name: the given or default name, uniquified among siblings ({@code linear_1}). */
  public final String name() {
    return naming.name();
  }

  /**
   * The full path, like {@code parent_module/linear}; variables are named {@code <path>/<name>}.
   */
  public final String path() {
    return naming.path();
  }

  /** The name before uniquification. */
  String baseName() {
    return naming.defaultBaseName();
  }

  /** True for wrappers whose single child takes the wrapper's name and path (transposes). */
  boolean transparent() {
    return false;
  }

  final ModuleNaming naming() {
    return naming;
  }

  final BuildState builds() {
    return builds;
  }

  final long closedAt() {
    return builds.closedAt();
  }

  /**
   * Makes the top-level modules among {@code members} numbered among themselves (linear, linear_1)
   * when their names are fixed, as {@link Sequential} does for its layers.
   */
  final void numberTopLevelMembers(List<?> members) {
    naming.fosterTopLevel(members);
  }

  // ---- building ----------------------------------------------------------------------------

  /**
   * Runs the module's {@link Build} method with {@code input} the first time, and does nothing
   * after that. Call it at the start of {@code call}.
   *
   * @throws ModuleException if the class has no build method, or several (use {@link #buildNamed}),
   *     or {@code input} does not fit the method's parameter
   */
  protected final void build(Object input) {
    if (ModulePaths.on()) {
      CallTrail.enter(this, 1);
    }
    if (builds.soleBuildDone()) {
      return;
    }
    buildSole(new Object[] {input});
  }

  /** Like {@link #build(Object)} for a build method with several inputs. */
  protected final void build(Object... inputs) {
    if (ModulePaths.on()) {
      CallTrail.enter(this, 1);
    }
    if (builds.soleBuildDone()) {
      return;
    }
    buildSole(inputs);
  }

  /**
   * Runs the {@link Build} method called {@code method} with {@code inputs} the first time, for
   * modules with several build methods that each own some variables (an auto-encoder's encoder and
   * decoder parts), in any order.
   */
  protected final void buildNamed(String method, Object... inputs) {
    if (ModulePaths.on()) {
      CallTrail.enter(this, 1);
    }
    Metas.Chain chain = chain();
    chain.requireComplete(this, "cannot be built");
    String[] names = chain.buildNames;
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(method)) {
        if (!builds.isDone(i)) {
          runBuild(chain, i, inputs);
        }
        return;
      }
    }
    throw new ModuleException(
        getClass().getSimpleName()
            + " has no @Build method \""
            + method
            + "\"; its build methods are "
            + List.of(names)
            + ". Call buildNamed(\""
            + (names.length > 0 ? names[0] : "initialize")
            + "\", inputs...).");
  }

  /**
   * What creates this module's variables, for messages that say why they do not exist yet: {@code
   * "its first call"}; an optimizer says {@code "its first apply(updates, parameters)"}.
   */
  public String buildTrigger() {
    return "its first call";
  }

  /** True once every {@link Build} method of this module has run. */
  public final boolean isBuilt() {
    return builds.allDone(chain().buildNames.length);
  }

  private void buildSole(Object[] inputs) {
    Metas.Chain chain = chain();
    chain.requireComplete(this, "cannot be built");
    int n = chain.buildNames.length;
    if (n != 1) {
      throw new ModuleException(
          getClass().getSimpleName()
              + " has "
              + (n == 0
                  ? "no @Build method, so build(...) has nothing to run. Annotate the method that"
                      + " creates its variables: @Build void initialize(Tensor x) { w = variable(...); }"
                  : n
                      + " @Build methods "
                      + List.of(chain.buildNames)
                      + "; say which to run: buildNamed(\""
                      + chain.buildNames[0]
                      + "\", inputs...)"));
    }
    builds.markSoleBuild();
    runBuild(chain, 0, inputs);
  }

  private void runBuild(Metas.Chain chain, int index, Object[] inputs) {
    ModuleMeta<Module> meta = chain.metas.get(chain.buildMeta[index]);
    int local = chain.buildLocal[index];
    runOnce(index, chain.buildNames[index], () -> meta.build(this, local, inputs));
  }

  /**
   * Runs {@code body} as build step {@code index} once: under this module's lock, in its scope
   * (modules constructed meanwhile nest under it, variables may be created). On failure the step is
   * not marked done and what it created is forgotten. The outermost build on the thread also tells
   * the restore interceptors it consulted that it has ended, which may fail the call.
   */
  final void runOnce(int index, String buildName, Runnable body) {
    if (builds.isDone(index)) {
      return;
    }
    boolean outermost = OutermostBuild.begin();
    if (!outermost) {
      builds.runLocked(this, index, buildName, body);
      return;
    }
    try {
      builds.runLocked(this, index, buildName, body);
    } catch (RuntimeException | Error e) {
      OutermostBuild.end(this, findInterceptor(), false).forEach(e::addSuppressed);
      throw e;
    }
    // A restore judges the variables of the whole build here, and may fail the call.
    List<RuntimeException> failures = OutermostBuild.end(this, findInterceptor(), true);
    if (!failures.isEmpty()) {
      RuntimeException first = failures.get(0);
      failures.subList(1, failures.size()).forEach(first::addSuppressed);
      throw first;
    }
  }

  // ---- variable creation -------------------------------------------------------------------
  /**
   * Creates a trainable float32 variable of shape {@code dims}; call it in a {@link Build} method.
   */
  protected final Variable variable(String name, Initializer init, int... dims) {
    return variable(name, init, DType.FLOAT32, Shape.of(dims), true);
  }

  /** Creates a trainable variable of {@code dtype} and shape {@code dims}. */
  protected final Variable variable(String name, Initializer init, DType dtype, int... dims) {
    return variable(name, init, dtype, Shape.of(dims), true);
  }

  /**
   * Creates a variable named {@code <path>/<name>}; the one method every variable of a module is
   * created through. Call it in a {@link Build} method and store the result in a {@link Param}
   * field. Its value comes from the {@link VariableInterceptor} of this module or an enclosing one
   * if that supplies one (a checkpoint being restored), else from {@code init}, whose random
   * numbers are seeded by {@link Seeds}: from the global seed, the path and how many variables of
   * that path were created before, so the same program starts from the same weights every run, and
   * two modules of the same name from different ones.
   *
   * @throws ModuleException outside a build method of this module, or if this module already
   *     created a variable with that name
   */
  protected final Variable variable(
      String name, Initializer init, DType dtype, Shape shape, boolean trainable) {
    Naming.checkVariableName(name);
    Scopes.Frame frame = Scopes.buildFrameOf(this);
    if (frame == null) {
      throw new ModuleException(
          getClass().getSimpleName()
              + ": variable(\""
              + name
              + "\", ...)"
              + " was called outside a @Build method of this module. Variables are created once, when"
              + " the module is built from its first inputs; create it in a method annotated @Build"
              + " and run that with build(x) at the start of call(x).");
    }
    synchronized (builds.lock) {
      String earlier = builds.creatorOf(name);
      if (earlier != null) {
        throw new ModuleException(
            getClass().getSimpleName()
                + " '"
                + path()
                + "': variable \""
                + name
                + "\" was already created by @Build "
                + earlier
                + "; @Build "
                + frame.buildName()
                + " creates it again. Each variable belongs to one build"
                + " method: create it there only, or give the second one another name.");
      }
      String fullPath = path() + "/" + name;
      VariableSpec spec =
          VariableCreationGetter.adjust(
              new VariableSpec(
                  this,
                  name,
                  fullPath,
                  shape,
                  dtype,
                  trainable,
                  init,
                  Seeds.forNewVariable(fullPath)));
      Tensor value = null;
      VariableInterceptor hook = findInterceptor();
      if (hook != null) {
        OutermostBuild.consulted(hook);
        value = hook.initialValue(spec);
      }
      if (value == null) {
        value = spec.initializerValue();
      }
      if (!value.shape().equals(shape) || value.dtype() != dtype) {
        throw new ModuleException(
            "Variable '"
                + fullPath
                + "' should be "
                + dtype
                + shape
                + " but its "
                + (hook != null ? "interceptor or " : "")
                + "initializer "
                + spec.initializer()
                + " gave "
                + value.dtype()
                + value.shape());
      }
      Variable v = new Variable(fullPath, value, spec.trainable());
      builds.addCreated(name, v, frame.buildName());
      return v;
    }
  }

  /**
   * Supplies initial values for variables this module and the modules nested under it create from
   * now on (see {@link VariableInterceptor}), and tells it when each outermost build that created
   * them has ended; null removes it. For checkpoint restore.
   */
  public final Module interceptVariables(VariableInterceptor interceptor) {
    this.interceptor = interceptor;
    return this;
  }

  private VariableInterceptor findInterceptor() {
    synchronized (Naming.LOCK) {
      for (Module m = this; m != null; m = m.naming.enclosing()) {
        VariableInterceptor i = m.interceptor;
        if (i != null) {
          return i;
        }
      }
    }
    return null;
  }

  // ---- enumeration -------------------------------------------------------------------------

  /**
   * Every variable of this module and its submodules, in the order described in the class comment,
   * each once.
   *
   * @throws NotBuiltException if there are none yet (the usual cause: the module has not been
   *     called); {@link #allowEmptyVariables()} lifts this for modules that really have none
   */
  public final List<Variable> variables() {
    return checked(ModuleTree.variables(this, VariableFilter.ALL), "variables");
  }

  /** The variables optimizers should update: trainable ones, excluding non-trainable state. */
  public final List<Variable> trainableVariables() {
    return checked(ModuleTree.variables(this, VariableFilter.TRAINABLE), "trainableVariables");
  }

  /** The variables optimizers should not update, such as moving averages; may be empty. */
  public final List<Variable> nonTrainableVariables() {
    return ModuleTree.variables(this, VariableFilter.NON_TRAINABLE);
  }

  /**
   * Lets {@link #variables()} and {@link #trainableVariables()} return an empty list instead of
   * throwing, for modules that have no variables (or none yet) on purpose.
   */
  public final Module allowEmptyVariables() {
    allowEmpty = true;
    return this;
  }

  /** Every module nested in this one (not this one), in variable order, each once. */
  public final List<Module> submodules() {
    return ModuleTree.submodules(this);
  }

  /**
   * Visits this module's own state, for checkpoints: its variables and its direct submodules, keyed
   * by field, in {@link #variables()} order. Walk submodules by calling this on them.
   */
  public final void visitState(StateVisitor visitor) {
    ModuleTree.visitState(this, visitor);
  }

  /**
   * Stores {@code value} in the {@link Param} field {@code field}, for restoring checkpoints
   * without reflection.
   *
   * @return false if the module has no such field
   */
  public final boolean restoreParam(String field, Variable value) {
    Metas.Chain chain = chain();
    chain.requireComplete(this);
    for (int i = chain.metas.size() - 1; i >= 0; i--) {
      if (chain.metas.get(i).setParam(this, field, value)) {
        return true;
      }
    }
    return false;
  }

  private List<Variable> checked(List<Variable> vars, String what) {
    if (vars.isEmpty() && !allowEmpty) {
      String cls = getClass().getSimpleName();
      throw new NotBuiltException(
          cls
              + " '"
              + name()
              + "' has no "
              + (what.equals("variables") ? "variables" : "trainable variables")
              + " yet. Modules create their variables on"
              + " their first call, when the input shape is known: call it once first, e.g."
              + " module.call(Tensor.zeros(DType.FLOAT32, batchSize, inputSize)). If it has none on"
              + " purpose, use module.allowEmptyVariables()."
              + what
              + "().");
    }
    return vars;
  }

  // ---- hooks: generated metas by default, overridden by the hand-written modules here ------

  /** Visits the {@link Param} fields of this module's whole class hierarchy. */
  void visitParams(ModuleMeta.ParamVisitor visitor) {
    Metas.Chain chain = chain();
    chain.requireComplete(this);
    for (ModuleMeta<Module> meta : chain.metas) {
      meta.visitParams(this, visitor);
    }
  }

  /** Visits the submodule fields of this module's whole class hierarchy. */
  void visitChildren(ModuleMeta.ChildVisitor visitor) {
    Metas.Chain chain = chain();
    chain.requireComplete(this);
    for (ModuleMeta<Module> meta : chain.metas) {
      meta.visitChildren(this, visitor);
    }
  }

  /** This module's constructor call. */
  Repr repr() {
    Metas.Chain chain = chain();
    if (chain.own == null) {
      return Repr.of(getClass().getSimpleName());
    }
    Repr r = chain.own.repr(this);
    return r != null ? r : Repr.of(getClass().getSimpleName());
  }

  final Metas.Chain chain() {
    Metas.Chain chain = Metas.chain(getClass());
    if (chain.buildNames.length > BuildState.MAX_BUILD_METHODS) {
      throw new ModuleException(
          getClass().getSimpleName()
              + " has "
              + chain.buildNames.length
              + " @Build methods; at most "
              + BuildState.MAX_BUILD_METHODS
              + " are supported");
    }
    return chain;
  }

  /**
   * The constructor call with its arguments, defaults left out: {@code MyLinear(outputSize=10)};
   * composites print their children two spaces in. Generated from the constructor's parameters.
   */
  @Override
  public String toString() {
    return repr().toString();
  }
}

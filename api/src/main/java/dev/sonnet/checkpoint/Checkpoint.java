package dev.sonnet.checkpoint;

import dev.sonnet.checkpoint.CheckpointMismatchException.Mismatch;
import dev.sonnet.module.Module;
import dev.sonnet.module.StateVisitor;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The state of a training program, saved to and restored from one safetensors file: the variables
 * of its modules (a model, an optimizer and its slots and step counter, metrics), loose variables,
 * and random number generators whose position matters for resuming.
 *
 * <p>Each value is stored under its variable's path ({@code mlp/linear_1/w}), so the file reads
 * naturally in PyTorch, JAX or NumPy; an {@link Rng} under the name it was added with, as an int64
 * scalar. The header's metadata records the {@link #FORMAT}, its {@link #FORMAT_VERSION} and the
 * {@link #WRITER}.
 *
 * <pre>{@code
 * var model = new MyMLP(32, 10);
 * var checkpoint = Checkpoint.of(model).add("data_rng", rng);
 * checkpoint.save(Path.of("model.safetensors"));          // atomic: temp file, sync, rename
 *
 * var fresh = new MyMLP(32, 10);                           // variables not created yet
 * RestoreStatus status = Checkpoint.of(fresh).add("data_rng", rng)
 *     .restore(Path.of("model.safetensors"));              // queued until they are
 * fresh.call(x);                                           // created with the saved values
 * status.assertConsumed();
 * }</pre>
 *
 * <p>A restore checks every name, dtype and shape before changing anything and reports every
 * problem at once ({@link CheckpointMismatchException}); {@link RestoreOptions#nonStrict()}
 * restores what matches instead. Values for variables that do not exist yet wait for them (see
 * {@link RestoreStatus}): the checkpoint installs a {@link dev.sonnet.module.VariableInterceptor}
 * on each module added and every module nested in it, replacing any installed before.
 *
 * <p>A restore before the first call keeps the same guarantees, module by module: each module added
 * (a model, an optimizer) is judged as a whole at the end of the build after which all of it is
 * built, normally its first call (an optimizer's first {@code apply}). A strict restore that finds
 * any problem there (a value of another shape or dtype, a variable the file has no value for, a
 * value under the module's path that no variable took) fails that call with one {@link
 * CheckpointMismatchException} listing them all, and first sets every variable of the module that
 * took a saved value back to its initializer's value: the module is left built, as after a first
 * call without a restore. A module whose first call leaves part of it unbuilt (a second build
 * method, a branch not taken) is judged when that part is built; until then {@link
 * RestoreStatus#assertConsumed()} says what waits.
 *
 * <p>For numbered checkpoints in a directory, see {@link CheckpointManager}.
 */
public final class Checkpoint {
  /** The metadata value of {@code format} in files this class writes. */
  public static final String FORMAT = "sonnet-checkpoint";

  /** The version of the naming and layout conventions; files of a later version are refused. */
  public static final String FORMAT_VERSION = "1";

  /** The metadata value of {@code writer}. */
  public static final String WRITER = "sonnet-java";

  static final String FORMAT_KEY = "format";
  static final String VERSION_KEY = "format_version";
  static final String WRITER_KEY = "writer";

  private final List<Module> modules = new ArrayList<>();
  private final Map<String, Variable> variables = new LinkedHashMap<>();
  private final Map<String, Rng> rngs = new LinkedHashMap<>();
  private FaultPoint.Hook hook = FaultPoint.Hook.NONE;

  private Checkpoint() {}

  /** A checkpoint of {@code modules} (and everything nested in them). */
  public static Checkpoint of(Module... modules) {
    Checkpoint c = new Checkpoint();
    for (Module m : modules) {
      c.add(m);
    }
    return c;
  }

  /** Adds a module and everything nested in it. */
  public Checkpoint add(Module module) {
    modules.add(Objects.requireNonNull(module, "module"));
    return this;
  }

  /** Adds a variable that belongs to no module, stored under its name. */
  public Checkpoint add(Variable variable) {
    Objects.requireNonNull(variable, "variable");
    checkNew(variable.name());
    variables.put(variable.name(), variable);
    return this;
  }

  /**
   * Adds a random number generator, stored as its state (an int64 scalar) under {@code name};
   * restoring continues its sequence exactly where it was saved.
   */
  public Checkpoint add(String name, Rng rng) {
    Objects.requireNonNull(rng, "rng");
    checkNew(name);
    rngs.put(name, rng);
    return this;
  }

  private void checkNew(String name) {
    if (name == null || name.isEmpty() || name.equals(SafeTensorsFile.METADATA_KEY)) {
      throw new CheckpointException("A checkpoint entry cannot be named \"" + name + "\"");
    }
    if (variables.containsKey(name) || rngs.containsKey(name)) {
      throw new CheckpointException(
          "The checkpoint already has an entry named \""
              + name
              + "\"; give each added variable or generator its own name");
    }
  }

  /** Installs a fault hook for the crash tests. */
  Checkpoint faultHook(FaultPoint.Hook hook) {
    this.hook = hook;
    return this;
  }

  // ---- what is saved -----------------------------------------------------------------------

  /** A value the checkpoint saves and restores. */
  private sealed interface Target {
    DType dtype();

    Shape shape();

    HostArray snapshot();

    /** Uploads {@code value} where it will live; may fail, so done before any assignment. */
    Object prepare(HostArray value);

    /** Stores what {@link #prepare} returned; cannot fail. */
    void commit(Object prepared);
  }

  private record VariableTarget(Variable v) implements Target {
    @Override
    public DType dtype() {
      return v.dtype();
    }

    @Override
    public Shape shape() {
      return v.shape();
    }

    @Override
    public HostArray snapshot() {
      return HostArray.of(v.peek());
    }

    @Override
    public Object prepare(HostArray value) {
      return value.as(v.dtype()).toTensor(v.peek().backend());
    }

    @Override
    public void commit(Object prepared) {
      v.assign((Tensor) prepared);
    }
  }

  private record RngTarget(Rng rng) implements Target {
    @Override
    public DType dtype() {
      return DType.INT64;
    }

    @Override
    public Shape shape() {
      return Shape.SCALAR;
    }

    @Override
    public HostArray snapshot() {
      return HostArray.of(new long[] {rng.state()}, Shape.SCALAR);
    }

    @Override
    public Object prepare(HostArray value) {
      return value.longs()[0];
    }

    @Override
    public void commit(Object prepared) {
      rng.restore((Long) prepared);
    }
  }

  /** Everything to save, by name, and whether some module is not built yet. */
  private record Targets(Map<String, Target> byName, boolean someUnbuilt) {}

  private Targets targets() {
    Map<String, Target> byName = new LinkedHashMap<>();
    Map<String, Object> owner = new LinkedHashMap<>();
    List<String> clashes = new ArrayList<>();
    Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    boolean[] unbuilt = {false};
    for (Module m : modules) {
      walk(m, byName, owner, clashes, seen, unbuilt);
    }
    for (Map.Entry<String, Variable> e : variables.entrySet()) {
      if (seen.add(e.getValue())) {
        put(
            e.getKey(),
            new VariableTarget(e.getValue()),
            "an added variable",
            byName,
            owner,
            clashes);
      }
    }
    for (Map.Entry<String, Rng> e : rngs.entrySet()) {
      put(e.getKey(), new RngTarget(e.getValue()), "an added Rng", byName, owner, clashes);
    }
    if (!clashes.isEmpty()) {
      throw new CheckpointException(
          "Checkpoint names must be unique, but "
              + clashes.size()
              + " name"
              + (clashes.size() == 1 ? " is" : "s are")
              + " used twice:\n  "
              + String.join("\n  ", clashes)
              + "\nVariables are named by module path: give one of"
              + " the modules its own name (new MyLinear(10, \"encoder\")), or build them under"
              + " one parent module.");
    }
    return new Targets(byName, unbuilt[0]);
  }

  private static void walk(
      Module m,
      Map<String, Target> byName,
      Map<String, Object> owner,
      List<String> clashes,
      Set<Object> seen,
      boolean[] unbuilt) {
    if (!seen.add(m)) {
      return;
    }
    if (!m.isBuilt()) {
      unbuilt[0] = true;
    }
    List<Module> children = new ArrayList<>();
    m.visitState(
        new StateVisitor() {
          @Override
          public void variable(String key, Variable value) {
            if (seen.add(value)) {
              put(value.name(), new VariableTarget(value), m, byName, owner, clashes);
            }
          }

          @Override
          public void module(String key, Module child) {
            children.add(child);
          }
        });
    for (Module child : children) {
      walk(child, byName, owner, clashes, seen, unbuilt);
    }
  }

  /** {@code where} is the module holding the value, or a description. */
  private static void put(
      String name,
      Target t,
      Object where,
      Map<String, Target> byName,
      Map<String, Object> owner,
      List<String> clashes) {
    if (byName.putIfAbsent(name, t) != null) {
      clashes.add(
          "\""
              + name
              + "\" by "
              + describeOwner(owner.get(name))
              + " and by "
              + describeOwner(where));
    } else {
      owner.put(name, where);
    }
  }

  private static String describeOwner(Object where) {
    return where instanceof Module m
        ? m.getClass().getSimpleName() + " '" + m.path() + "'"
        : where.toString();
  }

  /**
   * The values {@link #save} writes, by name, in save order: each module's variables in {@link
   * Module#variables()} order, then added variables, then generators.
   */
  public Map<String, HostArray> state() {
    Map<String, HostArray> out = new LinkedHashMap<>();
    for (Map.Entry<String, Target> e : targets().byName().entrySet()) {
      out.put(e.getKey(), e.getValue().snapshot());
    }
    return out;
  }

  /** The names {@link #save} writes, with dtype and shape: {@code my_linear/w -> f32[3, 2]}. */
  public Map<String, String> describe() {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, Target> e : targets().byName().entrySet()) {
      out.put(e.getKey(), e.getValue().dtype() + "" + e.getValue().shape());
    }
    return out;
  }

  // ---- save --------------------------------------------------------------------------------

  /**
   * Saves everything to {@code file} atomically: a crash or full disk at any moment leaves the
   * previous file at that path whole.
   *
   * @throws CheckpointException if two values would share a name, or writing fails
   */
  public void save(Path file) {
    save(file, Map.of());
  }

  /** Like {@link #save(Path)}, adding {@code metadata} to the header's metadata. */
  public void save(Path file, Map<String, String> metadata) {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put(FORMAT_KEY, FORMAT);
    meta.put(VERSION_KEY, FORMAT_VERSION);
    meta.put(WRITER_KEY, WRITER);
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      if (meta.containsKey(e.getKey())) {
        throw new CheckpointException(
            "Metadata key \""
                + e.getKey()
                + "\" is reserved for the"
                + " checkpoint format; use another key");
      }
      meta.put(e.getKey(), Objects.requireNonNull(e.getValue(), e.getKey()));
    }
    SafeTensors.write(file, state(), meta, hook);
  }

  // ---- restore -----------------------------------------------------------------------------

  /** Restores strictly from {@code file}; see {@link #restore(Path, RestoreOptions)}. */
  public RestoreStatus restore(Path file) {
    return restore(file, RestoreOptions.strict());
  }

  /**
   * Restores from {@code file}. First every name, dtype and shape is checked and every value is
   * read; only then are variables assigned, so a failed restore changes nothing. Values whose
   * variable does not exist yet, while some module is not built, are queued: the variable takes its
   * value when it is created, and each module added is checked as a whole when it is built (see the
   * class comment), where a strict restore with a problem fails the call that built it.
   *
   * @throws CheckpointFormatException if the file is not a valid safetensors file, or a newer
   *     format version
   * @throws CheckpointMismatchException (strict restores) listing every missing, unexpected or
   *     mis-shaped value among the variables that exist; nothing was changed
   */
  public RestoreStatus restore(Path file, RestoreOptions options) {
    Targets targets = targets();
    RestoreStatus status = new RestoreStatus(file, options.isStrict());
    try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
      checkVersion(f);
      Map<String, SafeTensorsFile.Entry> byName = new LinkedHashMap<>();
      Map<String, String> fileNameOf = new LinkedHashMap<>();
      for (SafeTensorsFile.Entry e : f.entries()) {
        String ours = options.rename(e.name());
        if (ours == null) {
          status.skipped(e.name());
          continue;
        }
        String earlier = fileNameOf.putIfAbsent(ours, e.name());
        if (earlier != null) {
          throw new CheckpointException(
              file
                  + ": tensors \""
                  + earlier
                  + "\" and \""
                  + e.name()
                  + "\" are both renamed to \""
                  + ours
                  + "\"; the renaming function must map each"
                  + " name to its own variable (or to null to skip it)");
        }
        byName.put(ours, e);
      }

      List<String> missing = new ArrayList<>();
      List<String> unexpected = new ArrayList<>();
      List<Mismatch> mismatched = new ArrayList<>();
      Map<String, Target> matched = new LinkedHashMap<>();
      for (Map.Entry<String, Target> t : targets.byName().entrySet()) {
        SafeTensorsFile.Entry e = byName.get(t.getKey());
        if (e == null) {
          missing.add(t.getKey());
          continue;
        }
        String found = describe(e, options);
        String expected = t.getValue().dtype() + "" + t.getValue().shape();
        boolean widens =
            e.dtype() != null
                && FileDType.loadsInto(e.dtype(), t.getValue().dtype())
                && describeShape(e, options).equals(t.getValue().shape().toString());
        if (!found.equals(expected) && !widens) {
          mismatched.add(new Mismatch(t.getKey(), found, expected));
        } else {
          matched.put(t.getKey(), t.getValue());
        }
      }
      List<String> queued = new ArrayList<>();
      for (Map.Entry<String, SafeTensorsFile.Entry> e : byName.entrySet()) {
        if (targets.byName().containsKey(e.getKey())) {
          continue;
        }
        if (!targets.someUnbuilt()) {
          unexpected.add(e.getKey());
        } else if (e.getValue().dtype() == null) {
          mismatched.add(
              new Mismatch(
                  e.getKey(),
                  describe(e.getValue(), options),
                  "a variable (this dtype cannot be loaded)"));
        } else {
          queued.add(e.getKey());
        }
      }

      if (options.isStrict()
          && !(missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty())) {
        int n = missing.size() + unexpected.size() + mismatched.size();
        throw new CheckpointMismatchException(
            file
                + " does not match what it is restored into ("
                + n
                + " problem"
                + (n == 1 ? "" : "s")
                + "); nothing was restored."
                + CheckpointMismatchException.describe(missing, unexpected, mismatched)
                + "\nUsual causes: a model built with other sizes, or modules named differently"
                + " from when it was saved. To restore what matches and report the rest:"
                + " checkpoint.restore(path, RestoreOptions.nonStrict())",
            missing,
            unexpected,
            mismatched);
      }
      missing.forEach(status::missing);
      unexpected.forEach(status::unexpected);
      mismatched.forEach(status::mismatched);

      // Read and upload everything before assigning anything.
      List<Object> prepared = new ArrayList<>();
      for (Map.Entry<String, Target> t : matched.entrySet()) {
        HostArray value = read(f, byName.get(t.getKey()), options);
        prepared.add(t.getValue().prepare(value));
      }
      for (String name : queued) {
        status.queue(name, read(f, byName.get(name), options));
      }
      int i = 0;
      for (Map.Entry<String, Target> t : matched.entrySet()) {
        t.getValue().commit(prepared.get(i++));
        status.restoredAtOnce(t.getKey());
      }
      if (targets.someUnbuilt()) {
        // Installed on every module, not only the roots: shared children (BatchApply's layer)
        // have no parent to inherit it from.
        RestoreOnCreate onCreate = new RestoreOnCreate(status, options.isStrict(), modules);
        status.restoreOnCreate(onCreate);
        onCreate.install();
      }
      return status;
    }
  }

  private static void checkVersion(SafeTensorsFile f) {
    Map<String, String> meta = f.metadata();
    if (FORMAT.equals(meta.get(FORMAT_KEY))) {
      String version = meta.get(VERSION_KEY);
      if (!FORMAT_VERSION.equals(version)) {
        throw new CheckpointFormatException(
            f.path(),
            "it was written in checkpoint format"
                + " version "
                + version
                + " by "
                + meta.get(WRITER_KEY)
                + "; this library reads"
                + " version "
                + FORMAT_VERSION
                + ". Restore it with the library that wrote it, or"
                + " a newer one");
      }
    }
  }

  /** The dtype and shape the entry has once read (transposed if asked), like {@code f32[2, 3]}. */
  private static String describe(SafeTensorsFile.Entry e, RestoreOptions options) {
    return (e.dtype() == null ? e.fileDType() : e.dtype() + "") + describeShape(e, options);
  }

  /** The shape the entry has once read (transposed if asked), like {@code [2, 3]}. */
  private static String describeShape(SafeTensorsFile.Entry e, RestoreOptions options) {
    long[] dims = e.dims();
    if (dims.length == 2 && options.transposes(e.name())) {
      dims = new long[] {dims[1], dims[0]};
    }
    StringBuilder sb = new StringBuilder();
    sb.append('[');
    for (int i = 0; i < dims.length; i++) {
      sb.append(i > 0 ? ", " : "").append(dims[i]);
    }
    return sb.append(']').toString();
  }

  private static HostArray read(
      SafeTensorsFile f, SafeTensorsFile.Entry e, RestoreOptions options) {
    HostArray a = f.read(e);
    return a.shape().rank() == 2 && options.transposes(e.name()) ? a.transpose2d() : a;
  }
}

package dev.sonnet.checkpoint;

import dev.sonnet.checkpoint.CheckpointMismatchException.Mismatch;
import dev.sonnet.module.Module;
import dev.sonnet.module.VariableInterceptor;
import dev.sonnet.module.VariableSpec;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Restore before the first call: gives each variable its saved value as it is created, and judges
 * each {@link RestoreUnit} (a module added to the checkpoint, with everything nested in it) as a
 * whole when its last module has been built, which is what makes it keep the guarantees of a
 * restore into a built model.
 *
 * <p>While a unit is being built, a variable whose value fits takes it at once (so the first call
 * computes with the saved weights); one without a value, or with a value of another shape or dtype,
 * takes its initializer's value and is noted. At the end of the outermost build after which every
 * module of the unit is built (for a model, normally its first call; for an optimizer, its first
 * apply), values left in the file under the unit's paths are noted as unexpected. Then, for a
 * strict restore with anything noted, every variable of the unit that took a saved value is set
 * back to its initializer's value, and one {@link CheckpointMismatchException} lists every problem
 * of the unit: the call fails, and leaves the unit built with the values an un-restored first call
 * gives. A non-strict restore records the problems in the {@link RestoreStatus}.
 */
final class RestoreOnCreate implements VariableInterceptor {
  private final RestoreStatus status;
  private final boolean strict;
  private final List<RestoreUnit> units = new ArrayList<>();

  RestoreOnCreate(RestoreStatus status, boolean strict, List<Module> roots) {
    this.status = status;
    this.strict = strict;
    for (Module root : roots) {
      RestoreUnit unit = new RestoreUnit(root);
      if (unit.isBuilt()) {
        unit.markJudged(); // its variables existed, and were checked by the restore itself
      }
      units.add(unit);
    }
  }

  /** Installs this on every module of every unit still to be built. */
  void install() {
    for (RestoreUnit unit : units) {
      if (!unit.judged()) {
        for (Module m : unit.modules()) {
          m.interceptVariables(this);
        }
      }
    }
  }

  @Override
  public synchronized Tensor initialValue(VariableSpec spec) {
    RestoreUnit unit = unitOf(spec);
    HostArray value = status.take(spec.path());
    if (unit == null || unit.judged()) {
      // A module outside the units, or built after its unit was judged: a fitting value is
      // taken, one that does not fit is reported (it cannot fail a call that is not a first one).
      if (value != null && !fits(value, spec)) {
        status.mismatched(mismatch(spec, value));
        return null;
      }
      return value != null ? given(null, spec, value) : null;
    }
    if (value == null) {
      if (!status.wasRestoredAtOnce(spec.path())) {
        unit.missing(spec.path());
        status.missing(spec.path());
      }
      return null;
    }
    if (!fits(value, spec)) {
      Mismatch m = mismatch(spec, value);
      unit.mismatched(m, value);
      status.mismatched(m);
      return null;
    }
    return given(unit, spec, value);
  }

  private Tensor given(RestoreUnit unit, VariableSpec spec, HostArray value) {
    if (unit != null) {
      unit.given(spec, value);
    }
    status.restored(spec.path());
    return value.as(spec.dtype()).toTensor();
  }

  private static Mismatch mismatch(VariableSpec spec, HostArray value) {
    return new Mismatch(
        spec.path(), value.dtype() + "" + value.shape(), spec.dtype() + "" + spec.shape());
  }

  private static boolean fits(HostArray value, VariableSpec spec) {
    return value.shape().equals(spec.shape()) && FileDType.loadsInto(value.dtype(), spec.dtype());
  }

  @Override
  public void buildEnded(Module outermost, boolean succeeded) {
    List<CheckpointMismatchException> failures = new ArrayList<>();
    for (RestoreUnit unit : units) {
      if (judgedNow(unit)) {
        continue;
      }
      // Walked outside this lock: it takes the modules' locks, which builds hold while they ask
      // initialValue for a value.
      Map<String, Variable> existing = unit.variables();
      boolean built = succeeded && unit.isBuilt();
      synchronized (this) {
        if (unit.judged()) {
          continue;
        }
        unit.forgetVanished(existing).forEach(status::requeue);
        CheckpointMismatchException e = built ? judge(unit, existing) : null;
        if (e != null) {
          failures.add(e);
        }
      }
    }
    if (!failures.isEmpty()) {
      CheckpointMismatchException first = failures.get(0);
      failures.subList(1, failures.size()).forEach(first::addSuppressed);
      throw first;
    }
  }

  private synchronized boolean judgedNow(RestoreUnit unit) {
    return unit.judged();
  }

  /** Judges a built unit: returns the exception to throw, or null when it is restored. */
  private CheckpointMismatchException judge(RestoreUnit unit, Map<String, Variable> existing) {
    unit.markJudged();
    boolean last = units.stream().allMatch(RestoreUnit::judged);
    List<String> unexpected = new ArrayList<>();
    for (String name : status.pending()) {
      if (last || unit.covers(name)) {
        unexpected.add(name);
        status.take(name);
        status.unexpected(name);
      }
    }
    if (!strict
        || (unit.missing().isEmpty() && unit.mismatched().isEmpty() && unexpected.isEmpty())) {
      return null;
    }
    for (RestoreUnit.Given g : unit.givenValues().values()) {
      existing.get(g.spec().path()).assign(g.spec().initializerValue());
      status.unrestored(g.spec().path());
    }
    int n = unit.missing().size() + unit.mismatched().size() + unexpected.size();
    String message =
        status.file()
            + " does not match "
            + unit.describe()
            + ", whose variables"
            + " were created by "
            + unit.root().buildTrigger()
            + " ("
            + n
            + " problem"
            + (n == 1 ? "" : "s")
            + "). No variable of it holds a value from the file: each has its"
            + " initializer's value, as after a first call without a restore."
            + CheckpointMismatchException.describe(unit.missing(), unexpected, unit.mismatched())
            + "\nUsual causes: a model configured with other sizes, called with another input size,"
            + " or with modules named differently from when it was saved. Construct it as it was"
            + " saved and restore again; or, to take what matches into this module, which is now"
            + " built: checkpoint.restore(path, RestoreOptions.nonStrict())";
    status.abandoned(unit.describe());
    return new CheckpointMismatchException(message, unit.missing(), unexpected, unit.mismatched());
  }

  /** The unit the variable's module belongs to, or null. */
  private RestoreUnit unitOf(VariableSpec spec) {
    for (RestoreUnit unit : units) {
      for (Module m : unit.modules()) {
        if (m == spec.module()) {
          return unit;
        }
      }
    }
    for (RestoreUnit unit : units) { // a module made in a build and held by no field
      if (unit.covers(spec.path())) {
        return unit;
      }
    }
    return null;
  }

  /**
   * Why each pending value waits, one line per module that will create them, for {@link
   * RestoreStatus#assertConsumed()}: like {@code CkLinear 'mlp/linear_1' has not been built yet;
   * its variables are created by its first call: [mlp/linear_1/b, mlp/linear_1/w]}.
   */
  synchronized List<String> whyPending(List<String> pending) {
    Map<Module, List<String>> byOwner = new java.util.LinkedHashMap<>();
    List<String> noOwner = new ArrayList<>();
    for (String name : pending) {
      Module owner = null;
      for (RestoreUnit unit : units) {
        if (!unit.judged() && owner == null) {
          owner = unit.ownerOf(name, true);
        }
      }
      if (owner == null) {
        noOwner.add(name);
      } else {
        byOwner.computeIfAbsent(owner, k -> new ArrayList<>()).add(name);
      }
    }
    List<String> lines = new ArrayList<>();
    byOwner.forEach(
        (owner, names) ->
            lines.add(
                owner.getClass().getSimpleName()
                    + " '"
                    + owner.path()
                    + "' has not been built yet; its variables are created by "
                    + owner.buildTrigger()
                    + ": "
                    + SafeTensors.names(names)));
    if (!noOwner.isEmpty()) {
      lines.add(
          "no module that is not built yet lies on their path, so no variable may ever"
              + " take them; once every module is built they count as in the file but not in the"
              + " model: "
              + SafeTensors.names(noOwner));
    }
    return lines;
  }
}

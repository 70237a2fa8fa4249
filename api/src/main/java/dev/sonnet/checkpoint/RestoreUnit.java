package dev.sonnet.checkpoint;

import dev.sonnet.checkpoint.CheckpointMismatchException.Mismatch;
import dev.sonnet.module.Module;
import dev.sonnet.module.StateVisitor;
import dev.sonnet.module.VariableSpec;
import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One module added to a checkpoint (a model, an optimizer, a metric) with everything nested in it,
 * while a restore before its first call waits for its variables: what each variable created so far
 * was given, and which variables had no fitting value. The restore judges a unit as a whole once
 * every module in it is built ({@link #isBuilt}), normally at the end of its first call (an
 * optimizer's first apply). Not thread-safe: {@link RestoreOnCreate} guards it.
 */
final class RestoreUnit {
  /** A variable created with a value from the file, and how to undo that. */
  record Given(VariableSpec spec, HostArray value) {}

  private final Module root;
  private final Map<String, Given> given = new LinkedHashMap<>();
  private final List<String> missing = new ArrayList<>();
  private final List<Mismatch> mismatched = new ArrayList<>();
  private final Map<String, HostArray> mismatchedValues = new HashMap<>();
  private boolean judged;

  RestoreUnit(Module root) {
    this.root = root;
  }

  Module root() {
    return root;
  }

  /** The root and every module nested in it, as they are now (builds may add modules). */
  List<Module> modules() {
    List<Module> out = new ArrayList<>();
    out.add(root);
    out.addAll(root.submodules());
    return out;
  }

  /** Whether every module of the unit is built: its variables all exist. */
  boolean isBuilt() {
    for (Module m : modules()) {
      if (!m.isBuilt()) {
        return false;
      }
    }
    return true;
  }

  /** True once the restore has judged this unit (every variable created, or given up). */
  boolean judged() {
    return judged;
  }

  void markJudged() {
    judged = true;
  }

  /** Whether {@code name} lies under the path of one of the unit's modules. */
  boolean covers(String name) {
    return ownerOf(name, false) != null;
  }

  /**
   * The innermost module whose path {@code name} lies under ({@code mlp/linear_1} for {@code
   * mlp/linear_1/w}), among the unbuilt ones only if {@code unbuiltOnly}; null if none.
   */
  Module ownerOf(String name, boolean unbuiltOnly) {
    Module best = null;
    for (Module m : modules()) {
      String path = m.path();
      if (name.startsWith(path + "/")
          && (!unbuiltOnly || !m.isBuilt())
          && (best == null || path.length() > best.path().length())) {
        best = m;
      }
    }
    return best;
  }

  /** The unit's variables by name, as they are now. */
  Map<String, Variable> variables() {
    Map<String, Variable> out = new LinkedHashMap<>();
    for (Module m : modules()) {
      m.visitState(
          new StateVisitor() {
            @Override
            public void variable(String key, Variable value) {
              out.putIfAbsent(value.name(), value);
            }

            @Override
            public void module(String key, Module child) {}
          });
    }
    return out;
  }

  void given(VariableSpec spec, HostArray value) {
    given.put(spec.path(), new Given(spec, value));
  }

  void missing(String name) {
    missing.add(name);
  }

  void mismatched(Mismatch m, HostArray value) {
    mismatched.add(m);
    mismatchedValues.put(m.name(), value);
  }

  Map<String, Given> givenValues() {
    return given;
  }

  List<String> missing() {
    return missing;
  }

  List<Mismatch> mismatched() {
    return mismatched;
  }

  /**
   * Forgets the decisions about variables that no longer exist (a failed build forgets what it
   * created; a retry creates them again) and returns the values to give back to the queue.
   */
  Map<String, HostArray> forgetVanished(Map<String, Variable> existing) {
    Map<String, HostArray> back = new LinkedHashMap<>();
    given
        .entrySet()
        .removeIf(
            e -> {
              if (existing.containsKey(e.getKey())) {
                return false;
              }
              back.put(e.getKey(), e.getValue().value());
              return true;
            });
    missing.removeIf(name -> !existing.containsKey(name));
    mismatched.removeIf(
        m -> {
          if (existing.containsKey(m.name())) {
            return false;
          }
          back.put(m.name(), mismatchedValues.remove(m.name()));
          return true;
        });
    return back;
  }

  /** Like {@code CkMlp 'mlp'}. */
  String describe() {
    return root.getClass().getSimpleName() + " '" + root.path() + "'";
  }
}

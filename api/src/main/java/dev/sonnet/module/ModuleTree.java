package dev.sonnet.module;

import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Walks a module's variables and submodules in the order {@link Module}'s class comment defines:
 * its {@link Param} fields sorted by field name, then the variables it created without a field,
 * then each submodule field (sorted by name, elements in order) the same way; everything reachable
 * twice is listed once, at its first position. The fields themselves come from the module's
 * generated metas, through {@link Module#visitParams} and {@link Module#visitChildren}.
 */
final class ModuleTree {
  private ModuleTree() {}

  /** A {@link Param} field's variable, and whether the field is trainable. */
  record ParamEntry(String field, Variable value, boolean trainable) {}

  /** A submodule: its field, its key ({@code field} or {@code field/index}), the module. */
  record ChildEntry(String field, String key, Module module) {}

  /** The module's {@link Param} fields, sorted by name. */
  static List<ParamEntry> params(Module m) {
    List<ParamEntry> out = new ArrayList<>();
    m.visitParams((f, v, t) -> out.add(new ParamEntry(f, v, t)));
    out.sort(Comparator.comparing(ParamEntry::field));
    return out;
  }

  /** The module's direct submodules with their fields, sorted by field name. */
  static List<ChildEntry> childEntries(Module m) {
    List<ChildEntry> out = new ArrayList<>();
    m.visitChildren(
        (field, key, value) -> {
          if (value instanceof Module child && child != m) {
            out.add(new ChildEntry(field, key == null ? field : field + "/" + key, child));
          }
        });
    out.sort(Comparator.comparing(ChildEntry::field));
    return out;
  }

  /** The module's direct submodules, in field order. */
  static List<Module> children(Module m) {
    List<ChildEntry> entries = childEntries(m);
    List<Module> out = new ArrayList<>(entries.size());
    for (ChildEntry e : entries) {
      out.add(e.module());
    }
    return out;
  }

  /** Whether {@code target} is reachable from {@code holder}'s submodule fields. */
  static boolean holds(Module holder, Module target) {
    Set<Module> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Module> todo = new ArrayList<>();
    todo.add(holder);
    seen.add(holder);
    while (!todo.isEmpty()) {
      Module m = todo.remove(todo.size() - 1);
      for (Module child : children(m)) {
        if (child == target) {
          return true;
        }
        if (seen.add(child)) {
          todo.add(child);
        }
      }
    }
    return false;
  }

  /** Every module nested in {@code root} (not {@code root}), each once. */
  static List<Module> submodules(Module root) {
    List<Module> out = new ArrayList<>();
    Set<Module> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    seen.add(root);
    walkModules(root, seen, out);
    return Collections.unmodifiableList(out);
  }

  private static void walkModules(Module m, Set<Module> seen, List<Module> out) {
    for (Module child : children(m)) {
      if (seen.add(child)) {
        out.add(child);
        walkModules(child, seen, out);
      }
    }
  }

  /** The variables of {@code root} and its submodules that {@code filter} keeps, each once. */
  static List<Variable> variables(Module root, VariableFilter filter) {
    List<Variable> out = new ArrayList<>();
    Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    seen.add(root);
    collect(root, filter, seen, out);
    return Collections.unmodifiableList(out);
  }

  private static void collect(
      Module m, VariableFilter filter, Set<Object> seen, List<Variable> out) {
    for (ParamEntry p : params(m)) {
      if (p.value() != null
          && seen.add(p.value())
          && filter.keeps(p.trainable() && p.value().trainable())) {
        out.add(p.value());
      }
    }
    for (BuildState.Created c : m.builds().created()) {
      Variable v = c.variable();
      if (seen.add(v) && filter.keeps(v)) {
        out.add(v);
      }
    }
    for (ChildEntry c : childEntries(m)) {
      if (seen.add(c.module())) {
        collect(c.module(), filter, seen, out);
      }
    }
  }

  /** Visits {@code m}'s own variables and its direct submodules, keyed by field. */
  static void visitState(Module m, StateVisitor visitor) {
    Set<Variable> own = Collections.newSetFromMap(new IdentityHashMap<>());
    for (ParamEntry p : params(m)) {
      if (p.value() != null) {
        own.add(p.value());
        visitor.variable(p.field(), p.value());
      }
    }
    for (BuildState.Created c : m.builds().created()) {
      if (own.add(c.variable())) {
        visitor.variable(c.name(), c.variable());
      }
    }
    for (ChildEntry c : childEntries(m)) {
      visitor.module(c.key(), c.module());
    }
  }
}

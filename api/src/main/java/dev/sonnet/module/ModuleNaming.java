package dev.sonnet.module;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One module's place in the tree of names: its name and path, fixed the first time anything asks
 * (its first variable, {@link Module#name()}, {@link Module#path()}), following the rules of {@link
 * Module}'s class comment. The module holds one; the resolution of one module's name may name its
 * siblings too, so every field here is guarded by {@link Naming#LOCK}.
 */
final class ModuleNaming {
  /** Orders constructions and builds; only ever compared, never part of a name. */
  private static final AtomicLong ORDER = new AtomicLong();

  private final Module owner;

  /** When the module was constructed, relative to other constructions and builds. */
  final long order;

  private final String explicitName;
  private final NameScope nameScope;

  /** What the thread was constructing and building when the module was constructed. */
  private final Scopes.Frame context;

  private String name;
  private String path;
  private Module parent;
  private Naming.NameTable childNames;

  /** The {@link Sequential} (or other holder) that numbers this top-level module among others. */
  private Module fosterHolder;

  private Naming.NameTable fosterNames;

  /** Called from {@link Module}'s constructor: records where the module was constructed. */
  ModuleNaming(Module owner, String explicitName) {
    this.owner = owner;
    this.explicitName = explicitName == null ? null : Naming.checkName(explicitName, "Module name");
    this.order = nextOrder();
    this.nameScope = NameScope.current();
    this.context = Scopes.enterConstruction(owner);
  }

  /** The next value of the construction-and-build clock. */
  static long nextOrder() {
    return ORDER.incrementAndGet();
  }

  /** The stack of frames the module was constructed in. */
  Scopes.Frame context() {
    return context;
  }

  String explicitName() {
    return explicitName;
  }

  /** The name before uniquification: the given name, or the class name in snake_case. */
  String defaultBaseName() {
    return explicitName != null ? explicitName : Naming.snakeCase(owner.getClass().getSimpleName());
  }

  String name() {
    synchronized (Naming.LOCK) {
      resolveLocked();
      return name;
    }
  }

  String path() {
    synchronized (Naming.LOCK) {
      resolveLocked();
      return path;
    }
  }

  /** The module whose variables' restore interceptor applies to this one: parent, or holder. */
  Module enclosing() {
    return parent != null ? parent : fosterHolder;
  }

  /**
   * Makes the top-level modules among {@code members} numbered among themselves (linear, linear_1)
   * when their names are fixed, as {@link Sequential} does for its layers.
   */
  void fosterTopLevel(List<?> members) {
    synchronized (Naming.LOCK) {
      for (Object o : members) {
        if (o instanceof Module m && m.naming().path == null && m.naming().fosterHolder == null) {
          m.naming().fosterHolder = owner;
        }
      }
    }
  }

  private void resolveLocked() {
    if (path != null) {
      return;
    }
    Module p = findParent();
    if (p != null) {
      p.naming().resolveLocked();
      if (path == null) {
        p.naming().nameChildrenLocked(owner);
      }
    } else if (nameScope != null) {
      name = nameScope.roots.claim(owner.baseName());
      path = nameScope.path() == null ? name : nameScope.path() + "/" + name;
    } else if (fosterHolder != null) {
      fosterHolder.naming().nameFosteredLocked(owner);
    } else {
      name = owner.baseName();
      path = name;
    }
  }

  /** The module this one nests under, or null for a top-level module; see {@link Module}. */
  private Module findParent() {
    for (Scopes.Frame f = context; f != null; f = f.next()) {
      if (f.building() != null) {
        return f.building();
      }
      Module candidate = f.constructing().get();
      if (candidate == null || candidate == owner) {
        continue;
      }
      long closed = candidate.builds().closedAt();
      if ((closed == 0 || closed > order) && holdsQuietly(candidate, owner)) {
        return candidate;
      }
    }
    return null;
  }

  /**
   * Whether {@code holder} reaches {@code target} through its submodule fields; false for a holder
   * whose class cannot list its children (compiled without the processor): an unrelated module must
   * not break the naming of others.
   */
  private static boolean holdsQuietly(Module holder, Module target) {
    try {
      return ModuleTree.holds(holder, target);
    } catch (ModuleException e) {
      return false;
    }
  }

  /** Names every not-yet-named module whose parent is this one, in construction order. */
  private void nameChildrenLocked(Module trigger) {
    Set<Module> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Module> found = new ArrayList<>();
    seen.add(owner);
    List<Module> todo = new ArrayList<>(ModuleTree.children(owner));
    todo.addAll(owner.builds().builtChildren());
    todo.add(trigger);
    while (!todo.isEmpty()) {
      Module m = todo.remove(todo.size() - 1);
      if (!seen.add(m)) {
        continue;
      }
      if (m.naming().path == null && m.naming().findParent() == owner) {
        found.add(m);
      }
      todo.addAll(ModuleTree.children(m));
    }
    found.sort(Comparator.comparingLong(m -> m.naming().order));
    for (Module m : found) {
      ModuleNaming child = m.naming();
      child.parent = owner;
      if (owner.transparent()) {
        child.name = name;
        child.path = path;
      } else {
        if (childNames == null) {
          childNames = new Naming.NameTable();
        }
        child.name = childNames.claim(m.baseName());
        child.path = path + "/" + child.name;
      }
    }
  }

  private void nameFosteredLocked(Module trigger) {
    if (fosterNames == null) {
      fosterNames = new Naming.NameTable();
    }
    for (Module m : ModuleTree.children(owner)) {
      ModuleNaming n = m.naming();
      if (n.path == null
          && n.fosterHolder == owner
          && n.nameScope == null
          && n.findParent() == null) {
        n.name = fosterNames.claim(m.baseName());
        n.path = n.name;
      }
    }
    ModuleNaming t = trigger.naming();
    if (t.path == null) { // no longer held: name it alone
      t.name = trigger.baseName();
      t.path = t.name;
    }
  }
}

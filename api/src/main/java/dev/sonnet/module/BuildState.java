package dev.sonnet.module;

import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a module has built: which of its {@link Build} steps have run, the variables they created
 * without a {@link Param} field, and the modules constructed while they ran. Each step runs once,
 * under {@link #lock}; a step that throws is not marked done and what it created is forgotten, so
 * the next call runs it again from scratch.
 */
final class BuildState {
  /** The most {@link Build} methods one class hierarchy may have: one bit each in a long. */
  static final int MAX_BUILD_METHODS = 64;

  /** A variable created in a build step, by its short name. */
  record Created(String name, Variable variable, String buildMethod) {}

  /** Guards every field below except the volatile ones, which are also read without it. */
  final Object lock = new Object();

  private volatile long builtMask;
  private long buildingMask;

  /** 0 once {@link Module#build(Object)} found the class's one build method; -2 before. */
  private int soleBuild = -2;

  /** When the first build step started ({@link ModuleNaming#nextOrder()}), 0 before. */
  private volatile long closedAt;

  private final List<Created> created = new ArrayList<>();
  private final List<Module> builtChildren = Collections.synchronizedList(new ArrayList<>());

  /** True when the class's one build method has run: the fast path of every later call. */
  boolean soleBuildDone() {
    return builtMask != 0 && soleBuild >= 0;
  }

  void markSoleBuild() {
    soleBuild = 0;
  }

  boolean isDone(int index) {
    return (builtMask & (1L << index)) != 0;
  }

  /** True when each of the first {@code steps} build steps has run. */
  boolean allDone(int steps) {
    long all = steps == MAX_BUILD_METHODS ? -1L : (1L << steps) - 1;
    return (builtMask & all) == all;
  }

  /**
   * When the module's first build started, 0 if none has: a module whose build has started can no
   * longer adopt modules constructed later (its constructor has returned).
   */
  long closedAt() {
    return closedAt;
  }

  /** Remembers a module constructed while a build step of this one ran. */
  void addBuiltChild(Module child) {
    builtChildren.add(child);
  }

  /** The modules constructed while this one's build steps ran, in construction order. */
  List<Module> builtChildren() {
    synchronized (builtChildren) {
      return new ArrayList<>(builtChildren);
    }
  }

  /** The variables created so far without a field, in creation order. */
  List<Created> created() {
    synchronized (lock) {
      return created.isEmpty() ? List.of() : List.copyOf(created);
    }
  }

  /** The build method that created the variable {@code name}, or null; call under {@link #lock}. */
  String creatorOf(String name) {
    for (Created c : created) {
      if (c.name().equals(name)) {
        return c.buildMethod();
      }
    }
    return null;
  }

  /** Records a created variable; call under {@link #lock}. */
  void addCreated(String name, Variable variable, String buildMethod) {
    created.add(new Created(name, variable, buildMethod));
  }

  /**
   * Runs {@code body} as build step {@code index} of {@code module} under {@link #lock}, in the
   * module's scope, unless it has run; on failure forgets what the step created.
   */
  void runLocked(Module module, int index, String buildName, Runnable body) {
    long bit = 1L << index;
    synchronized (lock) {
      if ((builtMask & bit) != 0) {
        return;
      }
      if ((buildingMask & bit) != 0) {
        throw new ModuleException(
            module.getClass().getSimpleName()
                + " '"
                + module.name()
                + "': @Build "
                + buildName
                + " was called again while it was running; a build"
                + " method must not (indirectly) call itself");
      }
      if (closedAt == 0) {
        closedAt = ModuleNaming.nextOrder();
      }
      buildingMask |= bit;
      int createdBefore = created.size();
      int childrenBefore = builtChildren.size();
      Scopes.Frame saved = Scopes.enterBuild(module, buildName);
      boolean ok = false;
      try {
        body.run();
        ok = true;
      } finally {
        Scopes.exit(saved);
        buildingMask &= ~bit;
        if (ok) {
          builtMask |= bit;
        } else {
          created.subList(createdBefore, created.size()).clear();
          synchronized (builtChildren) {
            if (builtChildren.size() > childrenBefore) {
              builtChildren.subList(childrenBefore, builtChildren.size()).clear();
            }
          }
        }
      }
    }
  }
}

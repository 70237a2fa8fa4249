package dev.sonnet.checkpoint;

import dev.sonnet.checkpoint.CheckpointMismatchException.Mismatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a {@link Checkpoint#restore} did, and what it is still waiting for.
 *
 * <p>Values for variables that exist were assigned during the restore ({@link #restored()}). Values
 * for variables that do not exist yet, because their module has not been built, are queued ({@link
 * #pending()}): each variable takes its value when it is created. Each module added to the
 * checkpoint is judged as a whole once it is built, normally at the end of its first call (an
 * optimizer's at its first apply): a strict restore then fails that call with every problem of the
 * module at once, and leaves none of its variables with a value from the file.
 *
 * <p>{@link #assertConsumed()} checks that every value found a home and every variable got a value.
 * Call it once everything the checkpoint holds is built: after the model's first call, and, when
 * the checkpoint holds an optimizer, after its first apply, which creates its slots and step.
 *
 * <pre>{@code
 * RestoreStatus status = Checkpoint.of(model, optimizer).restore(path); // before the first call
 * model.call(x);                       // the model's variables are created with the saved values
 * optimizer.apply(grads, params);      // so are the optimizer's slots and step
 * status.assertConsumed();
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class RestoreStatus {
  private final Path file;
  private final boolean strict;
  private final Set<String> restored = new LinkedHashSet<>();
  private final Set<String> restoredAtOnce = new LinkedHashSet<>();
  private final Map<String, HostArray> pending = new LinkedHashMap<>();
  private final Set<String> missing = new LinkedHashSet<>();
  private final List<String> unexpected = new ArrayList<>();
  private final List<Mismatch> mismatched = new ArrayList<>();
  private final List<String> skipped = new ArrayList<>();
  private final List<String> abandoned = new ArrayList<>();
  private volatile RestoreOnCreate onCreate;

  RestoreStatus(Path file, boolean strict) {
    this.file = file;
    this.strict = strict;
  }

  // ---- filled in by Checkpoint and RestoreOnCreate -----------------------------------------

  synchronized void restoredAtOnce(String name) {
    restored.add(name);
    restoredAtOnce.add(name);
  }

  synchronized boolean wasRestoredAtOnce(String name) {
    return restoredAtOnce.contains(name);
  }

  synchronized void restored(String name) {
    restored.add(name);
  }

  /** A restored variable was set back to its initializer's value. */
  synchronized void unrestored(String name) {
    restored.remove(name);
  }

  synchronized void queue(String name, HostArray value) {
    pending.put(name, value);
  }

  /** Removes and returns the value queued for {@code name}, or null. */
  synchronized HostArray take(String name) {
    return pending.remove(name);
  }

  /** Queues again a value taken by a variable a failed build forgot. */
  synchronized void requeue(String name, HostArray value) {
    pending.put(name, value);
    restored.remove(name);
    missing.remove(name);
    mismatched.removeIf(m -> m.name().equals(name));
  }

  synchronized void missing(String name) {
    missing.add(name);
  }

  synchronized void unexpected(String name) {
    unexpected.add(name);
  }

  synchronized void mismatched(Mismatch m) {
    mismatched.add(m);
  }

  synchronized void skipped(String name) {
    skipped.add(name);
  }

  /** A strict restore gave up on {@code unit} (like {@code CkMlp 'mlp'}) at its first call. */
  synchronized void abandoned(String unit) {
    abandoned.add(unit);
  }

  synchronized boolean hasPending() {
    return !pending.isEmpty();
  }

  void restoreOnCreate(RestoreOnCreate onCreate) {
    this.onCreate = onCreate;
  }

  // ---- the report --------------------------------------------------------------------------

  /** The file restored from. */
  public Path file() {
    return file;
  }

  /** Whether the restore was strict (the default). */
  public boolean isStrict() {
    return strict;
  }

  /**
   * The variables that hold their value from the file, in the order they got it. A strict restore
   * that failed at a first call removes that module's variables from it.
   */
  public synchronized List<String> restored() {
    return List.copyOf(restored);
  }

  /** Values queued for variables not created yet. */
  public synchronized List<String> pending() {
    return List.copyOf(pending.keySet());
  }

  /** Variables the file has no value for (they keep their value, or their initializer's). */
  public synchronized List<String> missing() {
    return List.copyOf(missing);
  }

  /**
   * Values in the file that no variable takes: no variable of that name exists in what was restored
   * into, and (for a module restored before its first call) none was created by it.
   */
  public synchronized List<String> unexpected() {
    return List.copyOf(unexpected);
  }

  /** Values whose shape or dtype is not their variable's; they were not restored. */
  public synchronized List<CheckpointMismatchException.Mismatch> mismatched() {
    return List.copyOf(mismatched);
  }

  /** Names in the file the renaming function mapped to null. */
  public synchronized List<String> skipped() {
    return List.copyOf(skipped);
  }

  /** True when every value found its variable and every variable got a value. */
  public synchronized boolean isConsumed() {
    return pending.isEmpty() && missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty();
  }

  /**
   * Checks that every value in the file found its variable and every variable got a value. When
   * restoring before the first call, call it once everything is built: after the model's first
   * call, and after the optimizer's first apply if the checkpoint holds one.
   *
   * @return this status
   * @throws CheckpointMismatchException listing what is left: variables the file has no value for,
   *     values no variable of that name takes, values of the wrong shape or dtype (both shapes),
   *     and values still waiting for their variable, with the module that will create it and what
   *     builds that module
   */
  public RestoreStatus assertConsumed() {
    List<String> missingNow;
    List<String> unexpectedNow;
    List<Mismatch> mismatchedNow;
    List<String> pendingNow;
    List<String> abandonedNow;
    synchronized (this) {
      if (isConsumed()) {
        return this;
      }
      missingNow = List.copyOf(missing);
      unexpectedNow = List.copyOf(unexpected);
      mismatchedNow = List.copyOf(mismatched);
      pendingNow = List.copyOf(pending.keySet());
      abandonedNow = List.copyOf(abandoned);
    }
    StringBuilder sb = new StringBuilder(file + ": not every value found its variable:");
    sb.append(CheckpointMismatchException.describe(missingNow, unexpectedNow, mismatchedNow));
    if (!pendingNow.isEmpty()) {
      sb.append("\n  not created yet (").append(pendingNow.size()).append("):");
      RestoreOnCreate waiting = onCreate;
      List<String> why =
          waiting == null ? List.of(SafeTensors.names(pendingNow)) : waiting.whyPending(pendingNow);
      why.forEach(line -> sb.append("\n    ").append(line));
      sb.append(
          "\nValues wait for variables that their module creates when it is built. Call"
              + " assertConsumed() once every module is built: after the model's first call,"
              + " model.call(x), and after the optimizer's first optimizer.apply(grads, params).");
    }
    if (!abandonedNow.isEmpty()) {
      sb.append("\nThe strict restore failed at the first call of ")
          .append(String.join(", ", abandonedNow))
          .append(
              ", which threw these problems; none of its variables holds a"
                  + " value from the file.");
    }
    throw new CheckpointMismatchException(
        sb.toString(), missingNow, unexpectedNow, mismatchedNow, pendingNow);
  }

  /** Like {@code RestoreStatus(restored=4, pending=0, missing=0, unexpected=0, mismatched=0)}. */
  @Override
  public synchronized String toString() {
    return "RestoreStatus(restored="
        + restored.size()
        + ", pending="
        + pending.size()
        + ", missing="
        + missing.size()
        + ", unexpected="
        + unexpected.size()
        + ", mismatched="
        + mismatched.size()
        + ")";
  }
}

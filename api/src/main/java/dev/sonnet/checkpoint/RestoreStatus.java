package dev.sonnet.checkpoint;

import dev.sonnet.checkpoint.CheckpointMismatchException.Mismatch;
import dev.sonnet.module.VariableSpec;
import dev.sonnet.tensor.Tensor;
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
 * <p>Values for variables that exist were assigned during the restore ({@link #restored()}).
 * Values for variables that do not exist yet, because their module has not been called, are
 * queued: each variable takes its value when it is created ({@link #pending()} shrinks as that
 * happens). {@link #assertConsumed()} then checks that every value found a home and every variable
 * got a value.
 *
 * <pre>{@code
 * RestoreStatus status = checkpoint.restore(path);   // before the model's first call
 * model.call(x);                                      // variables are created with the values
 * status.assertConsumed();
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class RestoreStatus {
  private final Path file;
  private final boolean strict;
  private final Set<String> restored = new LinkedHashSet<>();
  private final Map<String, HostArray> pending = new LinkedHashMap<>();
  private final Set<String> missing = new LinkedHashSet<>();
  private final List<String> unexpected = new ArrayList<>();
  private final List<Mismatch> mismatched = new ArrayList<>();
  private final List<String> skipped = new ArrayList<>();

  RestoreStatus(Path file, boolean strict) {
    this.file = file;
    this.strict = strict;
  }

  // ---- filled in by Checkpoint -------------------------------------------------------------

  synchronized void restored(String name) {
    restored.add(name);
  }

  synchronized void queue(String name, HostArray value) {
    pending.put(name, value);
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

  synchronized boolean hasPending() {
    return !pending.isEmpty();
  }

  /**
   * The interceptor's answer for a variable being created: its queued value, or null to run the
   * initializer (and note the variable as missing).
   */
  synchronized Tensor onCreate(VariableSpec spec) {
    HostArray value = pending.get(spec.path());
    if (value == null) {
      if (!restored.contains(spec.path())) {
        missing.add(spec.path());
      }
      return null;
    }
    if (!value.shape().equals(spec.shape()) || value.dtype() != spec.dtype()) {
      Mismatch m = new Mismatch(spec.path(), value.dtype() + "" + value.shape(),
          spec.dtype() + "" + spec.shape());
      if (strict) {
        throw new CheckpointMismatchException(file + ": the value restored for variable "
            + spec.path() + ", created just now, does not fit it:" + CheckpointMismatchException
            .describe(List.of(), List.of(), List.of(m)) + "\nThe module is built differently"
            + " from the one that was saved (another input size or configuration?).",
            List.of(), List.of(), List.of(m));
      }
      pending.remove(spec.path());
      mismatched.add(m);
      return null;
    }
    pending.remove(spec.path());
    restored.add(spec.path());
    return value.toTensor();
  }

  // ---- the report --------------------------------------------------------------------------

  /** The file restored from. */
  public Path file() {
    return file;
  }

  /** The variables that have their value from the file, in the order they got it. */
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

  /** Values in the file that no variable takes; only a non-strict restore leaves any. */
  public synchronized List<String> unexpected() {
    return List.copyOf(unexpected);
  }

  /** Values not restored because their shape or dtype is wrong (non-strict restores). */
  public synchronized List<CheckpointMismatchException.Mismatch> mismatched() {
    return List.copyOf(mismatched);
  }

  /** Names in the file the renaming function mapped to null. */
  public synchronized List<String> skipped() {
    return List.copyOf(skipped);
  }

  /** True when every value found its variable and every variable got a value. */
  public synchronized boolean isConsumed() {
    return pending.isEmpty() && missing.isEmpty() && unexpected.isEmpty()
        && mismatched.isEmpty();
  }

  /**
   * Checks that every value in the file found its variable and every variable got a value; call
   * it after the model's first call when restoring before it.
   *
   * @return this status
   * @throws CheckpointMismatchException listing what is left
   */
  public synchronized RestoreStatus assertConsumed() {
    if (isConsumed()) {
      return this;
    }
    List<String> notHome = new ArrayList<>(unexpected);
    notHome.addAll(pending.keySet());
    String hint = pending.isEmpty() ? "" : "\nValues still waiting for their variable (" + pending
        .size() + ") are usually there because the model has not been called yet: call it"
        + " once, e.g. model.call(x), before assertConsumed().";
    throw new CheckpointMismatchException(file + ": not every value found its variable:"
        + CheckpointMismatchException.describe(List.copyOf(missing), notHome, mismatched) + hint,
        List.copyOf(missing),
        notHome, mismatched);
  }

  /** Like {@code RestoreStatus(restored=4, pending=0, missing=0, unexpected=0, mismatched=0)}. */
  @Override
  public synchronized String toString() {
    return "RestoreStatus(restored=" + restored.size() + ", pending=" + pending.size()
        + ", missing=" + missing.size() + ", unexpected=" + unexpected.size() + ", mismatched="
        + mismatched.size() + ")";
  }
}

package dev.sonnet.checkpoint;

import java.util.List;

/**
 * A checkpoint file does not match the state it is restored into. Every problem is listed at once:
 * variables the file has no value for ({@link #missing()}), values in the file no variable takes
 * ({@link #unexpected()}), and values of the wrong shape or dtype ({@link #mismatched()}). When a
 * strict restore throws this, no variable has been changed; when the first call of a module
 * restored before it throws this, none of that module's variables holds a value from the file (each
 * has its initializer's value).
 */
public final class CheckpointMismatchException extends CheckpointException {
  private static final long serialVersionUID = 1L;

  private final transient List<String> missing;
  private final transient List<String> unexpected;
  private final transient List<Mismatch> mismatched;
  private final transient List<String> pending;

  /** A value whose shape or dtype differs from its variable's. */
  public record Mismatch(String name, String found, String expected) {
    /** Like {@code my_linear/w: the file has f32[3, 2], the variable is f32[2, 3]}. */
    @Override
    public String toString() {
      return name + ": the file has " + found + ", the variable is " + expected;
    }
  }

  CheckpointMismatchException(
      String message, List<String> missing, List<String> unexpected, List<Mismatch> mismatched) {
    this(message, missing, unexpected, mismatched, List.of());
  }

  CheckpointMismatchException(
      String message,
      List<String> missing,
      List<String> unexpected,
      List<Mismatch> mismatched,
      List<String> pending) {
    super(message);
    this.missing = List.copyOf(missing);
    this.unexpected = List.copyOf(unexpected);
    this.mismatched = List.copyOf(mismatched);
    this.pending = List.copyOf(pending);
  }

  /** Variables (by name) for which the file has no value. */
  public List<String> missing() {
    return missing;
  }

  /** Names in the file that no variable takes. */
  public List<String> unexpected() {
    return unexpected;
  }

  /** Values whose shape or dtype is not their variable's. */
  public List<Mismatch> mismatched() {
    return mismatched;
  }

  /**
   * Values waiting for variables not created yet, because their module has not been built ({@link
   * RestoreStatus#assertConsumed()} only).
   */
  public List<String> pending() {
    return pending;
  }

  /** Lists the problems one per line, grouped; "" if there are none. */
  static String describe(List<String> missing, List<String> unexpected, List<Mismatch> mismatched) {
    StringBuilder sb = new StringBuilder();
    if (!missing.isEmpty()) {
      sb.append("\n  missing from the file (")
          .append(missing.size())
          .append("): ")
          .append(SafeTensors.names(missing));
    }
    if (!unexpected.isEmpty()) {
      sb.append("\n  in the file, but no variable of that name exists in the model (")
          .append(unexpected.size())
          .append("): ")
          .append(SafeTensors.names(unexpected));
    }
    if (!mismatched.isEmpty()) {
      sb.append("\n  wrong shape or dtype (").append(mismatched.size()).append("):");
      int shown = Math.min(20, mismatched.size());
      for (int i = 0; i < shown; i++) {
        sb.append("\n    ").append(mismatched.get(i));
      }
      if (shown < mismatched.size()) {
        sb.append("\n    and ").append(mismatched.size() - shown).append(" more");
      }
    }
    return sb.toString();
  }
}

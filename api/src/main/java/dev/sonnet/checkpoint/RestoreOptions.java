package dev.sonnet.checkpoint;

import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * How {@link Checkpoint#restore(java.nio.file.Path, RestoreOptions)} matches a file to variables.
 * Immutable; each method returns a changed copy.
 *
 * <pre>{@code
 * // A PyTorch nn.Linear stores weight as [out, in] under "fc.weight"; ours is w: [in, out].
 * RestoreOptions torch = RestoreOptions.strict()
 *     .renaming(name -> name.replace("fc.weight", "my_linear/w").replace("fc.bias", "my_linear/b"))
 *     .transposing(name -> name.endsWith(".weight"));
 * }</pre>
 */
public final class RestoreOptions {
  private static final RestoreOptions STRICT =
      new RestoreOptions(true, Function.identity(), name -> false);

  private final boolean strict;
  private final Function<String, String> renaming;
  private final Predicate<String> transposing;

  private RestoreOptions(
      boolean strict, Function<String, String> renaming, Predicate<String> transposing) {
    this.strict = strict;
    this.renaming = renaming;
    this.transposing = transposing;
  }

  /**
   * The default: every variable must get a value and every value must find a variable (or be queued
   * for one not created yet), with the right shape and dtype; otherwise nothing is restored and a
   * {@link CheckpointMismatchException} lists every problem. For variables created after the
   * restore, that is checked for each module added to the checkpoint when it has been built, and a
   * problem fails the call that built it (an optimizer's: its first apply), leaving none of that
   * module's variables with a value from the file.
   */
  public static RestoreOptions strict() {
    return STRICT;
  }

  /**
   * Restores every value that matches and reports the rest in the {@link RestoreStatus} instead of
   * throwing, also for variables created after the restore: for fine-tuning from a model that
   * differs in a few layers.
   */
  public static RestoreOptions nonStrict() {
    return new RestoreOptions(false, Function.identity(), name -> false);
  }

  /**
   * Maps each name in the file to the name of the variable it restores ({@code mlp/linear/w}); a
   * null result skips that tensor. For files written by other tools.
   */
  public RestoreOptions renaming(Function<String, String> fileNameToVariableName) {
    return new RestoreOptions(strict, Objects.requireNonNull(fileNameToVariableName), transposing);
  }

  /**
   * Transposes the matrices whose name in the file matches, before comparing shapes: PyTorch's
   * {@code nn.Linear} stores its weight as {@code [out, in]}, Sonnet's {@code w} is {@code [in,
   * out]}.
   */
  public RestoreOptions transposing(Predicate<String> fileNames) {
    return new RestoreOptions(strict, renaming, Objects.requireNonNull(fileNames));
  }

  /** Whether a mismatch aborts the restore (true) or is reported (false). */
  public boolean isStrict() {
    return strict;
  }

  String rename(String fileName) {
    return renaming.apply(fileName);
  }

  boolean transposes(String fileName) {
    return transposing.test(fileName);
  }
}

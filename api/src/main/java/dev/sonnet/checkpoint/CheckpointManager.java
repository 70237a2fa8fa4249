package dev.sonnet.checkpoint;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Numbered checkpoints in one directory: {@code ckpt-1.safetensors}, {@code ckpt-2.safetensors},
 * ...; the latest; the last {@code maxToKeep} kept and older ones deleted; a listing.
 *
 * <p>The directory listing is the only index: each file appears by an atomic rename when its save
 * is complete, so the latest checkpoint is always whole, whatever happened to the process that was
 * writing the next one. Temporary files left by a crashed save are ignored, and deleted when a
 * manager is created for the directory. One manager should write to a directory at a time.
 *
 * <pre>{@code
 * var checkpoint = Checkpoint.of(model, optimizer);
 * var manager = new CheckpointManager(Path.of("/tmp/checkpoints"), checkpoint, 3);
 * manager.restoreLatest();   // nothing happens in an empty directory
 * long start = manager.latest().map(CheckpointManager.Entry::step).orElse(0L);
 * for (long step = start + 1; step <= steps; step++) {
 *   train(model);
 *   if (step % 1000 == 0) {
 *     manager.save(step);
 *   }
 * }
 * }</pre>
 */
public final class CheckpointManager {
  /** File names start with this unless another prefix is given: {@code ckpt-12.safetensors}. */
  public static final String DEFAULT_PREFIX = "ckpt";

  /** The extension of checkpoint files, the one the safetensors tools expect. */
  public static final String EXTENSION = ".safetensors";

  /** How many checkpoints are kept unless told otherwise: enough to step back a few saves. */
  public static final int DEFAULT_MAX_TO_KEEP = 5;

  /** The metadata key holding the step a checkpoint was saved at. */
  public static final String STEP_KEY = "step";

  private final Path directory;
  private final Checkpoint checkpoint;
  private final int maxToKeep;
  private final String prefix;

  /** A checkpoint in the directory: its number and its file. */
  public record Entry(long step, Path path) {}

  /** Manages {@code directory}, keeping the last {@link #DEFAULT_MAX_TO_KEEP} checkpoints. */
  public CheckpointManager(Path directory, Checkpoint checkpoint) {
    this(directory, checkpoint, DEFAULT_MAX_TO_KEEP, DEFAULT_PREFIX);
  }

  /** Manages {@code directory}, keeping the last {@code maxToKeep} checkpoints. */
  public CheckpointManager(Path directory, Checkpoint checkpoint, int maxToKeep) {
    this(directory, checkpoint, maxToKeep, DEFAULT_PREFIX);
  }

  /**
   * Manages the checkpoints named {@code <prefix>-<step>.safetensors} in {@code directory} (created
   * if needed), keeping the last {@code maxToKeep} ({@link Integer#MAX_VALUE} keeps all).
   *
   * @throws CheckpointException if {@code maxToKeep} is below 1, the prefix is not letters, digits
   *     and underscores, or the directory cannot be created
   */
  public CheckpointManager(Path directory, Checkpoint checkpoint, int maxToKeep, String prefix) {
    this.directory = Objects.requireNonNull(directory, "directory");
    this.checkpoint = Objects.requireNonNull(checkpoint, "checkpoint");
    if (maxToKeep < 1) {
      throw new CheckpointException(
          "maxToKeep must be at least 1 (the latest checkpoint), got "
              + maxToKeep
              + "; use Integer.MAX_VALUE to keep every checkpoint");
    }
    if (prefix == null || !prefix.matches("[A-Za-z0-9_]+")) {
      throw new CheckpointException(
          "A checkpoint prefix is letters, digits and underscores," + " got \"" + prefix + "\"");
    }
    this.maxToKeep = maxToKeep;
    this.prefix = prefix;
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new CheckpointException(
          directory + ": cannot create the checkpoint directory: " + e, e);
    }
    for (Path p : files()) {
      String name = p.getFileName().toString();
      if (SafeTensors.isTemporary(name) && name.startsWith("." + prefix + "-")) {
        SafeTensors.deleteQuietly(p);
      }
    }
  }

  /** The directory. */
  public Path directory() {
    return directory;
  }

  /** The checkpoint saved and restored. */
  public Checkpoint checkpoint() {
    return checkpoint;
  }

  /** The checkpoints in the directory, oldest (lowest step) first. */
  public List<Entry> list() {
    List<Entry> out = new ArrayList<>();
    for (Path p : files()) {
      long step = stepOf(p.getFileName().toString());
      if (step >= 0) {
        out.add(new Entry(step, p));
      }
    }
    out.sort(Comparator.comparingLong(Entry::step));
    return out;
  }

  /** The checkpoint with the highest step, if any. */
  public Optional<Entry> latest() {
    List<Entry> all = list();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /** The file a checkpoint of {@code step} is saved to. */
  public Path pathFor(long step) {
    return directory.resolve(prefix + "-" + step + EXTENSION);
  }

  /** Saves the next checkpoint: one past the latest step, or 1 in an empty directory. */
  public Entry save() {
    return save(latest().map(e -> e.step() + 1).orElse(1L));
  }

  /**
   * Saves a checkpoint of {@code step} atomically, then deletes the oldest beyond {@code
   * maxToKeep}.
   *
   * @throws CheckpointException if {@code step} is negative or below the latest step, or writing
   *     fails (then every existing checkpoint is untouched)
   */
  public Entry save(long step) {
    if (step < 0) {
      throw new CheckpointException("A checkpoint step is >= 0, got " + step);
    }
    Optional<Entry> latest = latest();
    if (latest.isPresent() && step < latest.get().step()) {
      throw new CheckpointException(
          directory
              + ": cannot save step "
              + step
              + ": the latest"
              + " checkpoint is step "
              + latest.get().step()
              + " ("
              + latest.get().path().getFileName()
              + "), and steps only increase. Resume from it with restoreLatest(), or"
              + " use a new directory");
    }
    Path file = pathFor(step);
    checkpoint.save(file, Map.of(STEP_KEY, Long.toString(step)));
    List<Entry> all = list();
    for (int i = 0; i < all.size() - maxToKeep; i++) {
      SafeTensors.deleteQuietly(all.get(i).path());
    }
    return new Entry(step, file);
  }

  /** Restores the latest checkpoint strictly, if there is one. */
  public Optional<RestoreStatus> restoreLatest() {
    return restoreLatest(RestoreOptions.strict());
  }

  /** Restores the latest checkpoint with {@code options}, if there is one. */
  public Optional<RestoreStatus> restoreLatest(RestoreOptions options) {
    return latest().map(e -> checkpoint.restore(e.path(), options));
  }

  /** {@code <prefix>-<digits>.safetensors} gives the step; anything else -1. */
  private long stepOf(String name) {
    String head = prefix + "-";
    if (!name.startsWith(head) || !name.endsWith(EXTENSION)) {
      return -1;
    }
    String digits = name.substring(head.length(), name.length() - EXTENSION.length());
    if (digits.isEmpty()
        || digits.length() > 18
        || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
        || (digits.length() > 1 && digits.charAt(0) == '0')) {
      return -1;
    }
    return Long.parseLong(digits);
  }

  private List<Path> files() {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(directory)) {
      for (Path p : s) {
        if (Files.isRegularFile(p)) {
          out.add(p);
        }
      }
    } catch (IOException e) {
      throw new CheckpointException(directory + ": cannot list the checkpoint directory: " + e, e);
    }
    return out;
  }

  @Override
  public String toString() {
    return "CheckpointManager("
        + directory
        + ", maxToKeep="
        + maxToKeep
        + ", prefix="
        + prefix
        + ")";
  }
}

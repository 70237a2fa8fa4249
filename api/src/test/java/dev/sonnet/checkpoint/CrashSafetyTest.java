package dev.sonnet.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A save interrupted at every point of the atomic write, by a failed write (a full disk: the writer
 * cleans up) or by a crash (nothing runs after it), leaves the previous checkpoint whole.
 */
class CrashSafetyTest {
  @TempDir Path dir;

  /** Stands for the process dying: an Error the writer does not catch, so it cleans nothing up. */
  private static final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;

    SimulatedCrash(FaultPoint at) {
      super("crash at " + at);
    }
  }

  private static Map<String, HostArray> values(float fill) {
    Map<String, HostArray> m = new LinkedHashMap<>();
    float[] w = new float[3000];
    java.util.Arrays.fill(w, fill);
    m.put("a/w", HostArray.of(w, Shape.of(1000, 3)));
    m.put("a/b", HostArray.of(new float[] {fill, fill}, Shape.of(2)));
    m.put("step", HostArray.of(new long[] {(long) fill}, Shape.SCALAR));
    return m;
  }

  @ParameterizedTest
  @EnumSource(FaultPoint.class)
  void save_crashingAtAnyPoint_leavesThePreviousFileReadable(FaultPoint point) {
    Path p = dir.resolve("model.safetensors");
    SafeTensors.write(p, values(1f), Map.of());

    assertThatThrownBy(
            () ->
                SafeTensors.write(
                    p,
                    values(2f),
                    Map.of(),
                    (at, temp) -> {
                      if (at == point) {
                        throw new SimulatedCrash(at);
                      }
                    }))
        .isInstanceOf(SimulatedCrash.class);

    Map<String, HostArray> expected = point == FaultPoint.RENAMED ? values(2f) : values(1f);
    try (SafeTensorsFile f = SafeTensors.open(p)) {
      for (Map.Entry<String, HostArray> e : expected.entrySet()) {
        assertThat(f.read(e.getKey())).isEqualTo(e.getValue());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = FaultPoint.class,
      names = {"TEMP_CREATED", "HEADER_WRITTEN", "TENSOR_WRITTEN", "DATA_WRITTEN", "SYNCED"})
  void save_failingWithFullDisk_keepsThePreviousFileAndRemovesTheTemporary(FaultPoint point)
      throws IOException {
    Path p = dir.resolve("model.safetensors");
    SafeTensors.write(p, values(1f), Map.of());

    assertThatThrownBy(
            () ->
                SafeTensors.write(
                    p,
                    values(2f),
                    Map.of(),
                    (at, temp) -> {
                      if (at == point) {
                        throw new IOException("No space left on device");
                      }
                    }))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("model.safetensors: writing failed, and the previous file")
        .hasMessageContaining("No space left on device");

    try (SafeTensorsFile f = SafeTensors.open(p)) {
      assertThat(f.read("a/b")).isEqualTo(values(1f).get("a/b"));
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactly("model.safetensors");
    }
  }

  @Test
  void save_crashingOnTheFirstSave_leavesNoFileUnderTheTargetName() {
    Path p = dir.resolve("first.safetensors");

    assertThatThrownBy(
            () ->
                SafeTensors.write(
                    p,
                    values(1f),
                    Map.of(),
                    (at, temp) -> {
                      if (at == FaultPoint.TENSOR_WRITTEN) {
                        throw new SimulatedCrash(at);
                      }
                    }))
        .isInstanceOf(SimulatedCrash.class);

    assertThat(p).doesNotExist();
  }

  @ParameterizedTest
  @EnumSource(
      value = FaultPoint.class,
      names = {"TEMP_CREATED", "HEADER_WRITTEN", "TENSOR_WRITTEN", "DATA_WRITTEN", "SYNCED"})
  void manager_afterACrashedSave_restoresTheLatestWholeCheckpointAndCleansUp(FaultPoint point) {
    Rng rng = new Rng(7);
    Checkpoint checkpoint = Checkpoint.of().add("rng", rng);
    CheckpointManager manager = new CheckpointManager(dir, checkpoint, 3);
    manager.save(1);
    long savedState = rng.state();
    rng.nextLong();
    checkpoint.faultHook(
        (at, temp) -> {
          if (at == point) {
            throw new SimulatedCrash(at);
          }
        });

    assertThatThrownBy(() -> manager.save(2)).isInstanceOf(SimulatedCrash.class);

    Rng restarted = new Rng(0);
    CheckpointManager again = new CheckpointManager(dir, Checkpoint.of().add("rng", restarted), 3);
    assertThat(again.list()).extracting(CheckpointManager.Entry::step).containsExactly(1L);
    assertThat(again.restoreLatest()).isPresent();
    assertThat(restarted.state()).isEqualTo(savedState);
    assertThat(dir.toFile().list()).containsExactly("ckpt-1.safetensors");
  }

  @Test
  void manager_keepsTheLastNAndListsThemInStepOrder() {
    CheckpointManager manager =
        new CheckpointManager(dir, Checkpoint.of().add("rng", new Rng(1)), 2);

    for (long step : List.of(1L, 2L, 10L, 11L)) {
      manager.save(step);
    }

    assertThat(manager.list()).extracting(CheckpointManager.Entry::step).containsExactly(10L, 11L);
    assertThat(manager.latest())
        .map(CheckpointManager.Entry::path)
        .contains(dir.resolve("ckpt-11.safetensors"));
    assertThat(manager.save().step()).isEqualTo(12L);
  }

  @Test
  void manager_refusesAStepBelowTheLatest() {
    CheckpointManager manager =
        new CheckpointManager(dir, Checkpoint.of().add("rng", new Rng(1)), 2);
    manager.save(5);

    assertThatThrownBy(() -> manager.save(4))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("cannot save step 4: the latest checkpoint is step 5");
  }

  @Test
  void manager_ignoresFilesThatAreNotItsCheckpoints() throws IOException {
    Files.write(dir.resolve("ckpt-01.safetensors"), new byte[0]);
    Files.write(dir.resolve("ckpt-x.safetensors"), new byte[0]);
    Files.write(dir.resolve("other-3.safetensors"), new byte[0]);
    Files.write(dir.resolve("ckpt-3.json"), new byte[0]);

    CheckpointManager manager = new CheckpointManager(dir, Checkpoint.of(), 2);

    assertThat(manager.list()).isEmpty();
    assertThat(manager.latest()).isEmpty();
    assertThat(manager.restoreLatest()).isEmpty();
  }

  @Test
  void restore_ofAnRng_continuesItsSequence() {
    Rng rng = new Rng(3);
    rng.nextLong();
    Path p = dir.resolve("rng.safetensors");
    Checkpoint.of().add("rng", rng).save(p);
    long next = rng.nextLong();

    Rng other = new Rng(99);
    Checkpoint.of().add("rng", other).restore(p).assertConsumed();

    assertThat(other.nextLong()).isEqualTo(next);
  }
}

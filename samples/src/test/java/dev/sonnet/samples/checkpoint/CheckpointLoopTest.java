package dev.sonnet.samples.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.checkpoint.Checkpoint;
import dev.sonnet.checkpoint.CheckpointManager;
import dev.sonnet.module.Seeds;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointLoopTest {
  private static final int STEPS = 60;
  private static final int SAVE_EVERY = 10;

  @TempDir Path uninterrupted;
  @TempDir Path interrupted;

  @Test
  void run_killedAndRestarted_endsWithTheWeightsOfARunThatNeverStopped() {
    // Each run starts as a fresh JVM does: the default global seed, no variable created yet.
    Seeds.setGlobalSeed(0);
    CheckpointLoop.Result straight =
        new CheckpointLoop(uninterrupted, SAVE_EVERY, quiet()).run(STEPS, Integer.MAX_VALUE);

    Seeds.setGlobalSeed(0);
    CheckpointLoop.Result killed =
        new CheckpointLoop(interrupted, SAVE_EVERY, quiet())
            .run(STEPS, 25); // dies at step 25; the latest checkpoint is step 20
    Seeds.setGlobalSeed(0);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    CheckpointLoop.Result resumed =
        new CheckpointLoop(interrupted, SAVE_EVERY, new PrintStream(log, true))
            .run(STEPS, Integer.MAX_VALUE);

    assertThat(killed.lastStep()).isEqualTo(25);
    assertThat(resumed.firstStep()).isEqualTo(20);
    assertThat(log.toString()).contains("resuming from").contains("ckpt-20.safetensors");
    assertThat(resumed.lastStep()).isEqualTo(STEPS);
    assertThat(resumed.weights()).hasSameSizeAs(straight.weights());
    for (int i = 0; i < straight.weights().size(); i++) {
      assertThat(resumed.weights().get(i)).containsExactly(straight.weights().get(i));
    }
    assertThat(resumed.loss()).isEqualTo(straight.loss());
  }

  @Test
  void run_keepsTheLastThreeCheckpoints() {
    new CheckpointLoop(uninterrupted, SAVE_EVERY, quiet()).run(STEPS, Integer.MAX_VALUE);

    CheckpointManager manager = new CheckpointManager(uninterrupted, Checkpoint.of());
    assertThat(manager.list())
        .extracting(CheckpointManager.Entry::step)
        .containsExactly(40L, 50L, 60L);
  }

  @Test
  void run_restartedAfterFinishing_trainsNoFurther() {
    CheckpointLoop loop = new CheckpointLoop(uninterrupted, SAVE_EVERY, quiet());
    loop.run(STEPS, Integer.MAX_VALUE);

    CheckpointLoop.Result again = loop.run(STEPS, Integer.MAX_VALUE);

    assertThat(again.firstStep()).isEqualTo(STEPS);
    assertThat(again.lastStep()).isEqualTo(STEPS);
  }

  private static PrintStream quiet() {
    return new PrintStream(PrintStream.nullOutputStream());
  }
}

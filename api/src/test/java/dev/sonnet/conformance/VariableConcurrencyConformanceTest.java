package dev.sonnet.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.checkpoint.Checkpoint;
import dev.sonnet.checkpoint.HostArray;
import dev.sonnet.checkpoint.SafeTensorsFile;
import dev.sonnet.ops.ShapeOps;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.TensorScope;
import dev.sonnet.tensor.Variable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Variable}'s promise to readers on other threads: while one thread trains in {@link
 * TensorScope}s (whose updates free the values they replace), readers on other threads and a
 * checkpoint saved in the background see either the old or the new value, whole, and never a
 * released one.
 *
 * <p>How a corrupt read is recognised: every element of a variable holds the same whole number, the
 * count of updates so far, and every update adds 1 to all of them. A read is whole when all its
 * elements are equal, a whole number, and never smaller than what the same reader saw before. A
 * read of memory the writer's runtime has reused shows other numbers (a later value half written,
 * or a temporary of the step), and a read of freed memory throws.
 */
class VariableConcurrencyConformanceTest {
  /** Small enough for the CPU runtime's per-thread cache of small arrays. */
  private static final int SMALL = 257;

  /** Large enough for the CPU runtime's shared pool of large arrays (2^16 elements and up). */
  private static final int LARGE = 1 << 16;

  private static final int READERS = 3;

  /**
   * Updates the writer must make while the readers read, so that reads race with retiring scopes
   * even where the writer thread gets little of the CPU (readers finish their reads first on a
   * loaded machine).
   */
  private static final long UPDATES_REQUIRED = 100;

  /** Reads a reader makes before it checks them. */
  private static final int BATCH = 256;

  private static final long READS_REQUIRED = 1_000_000;

  /** A stop after this long, reads or not, so a slow device cannot hang the build. */
  private static final long MAX_MILLIS = 60_000;

  @Test
  void readersAndABackgroundSave_seeWholeValues_whileAWriterUpdatesInScopes(@TempDir Path dir)
      throws Exception {
    Variable small = new Variable("small", Tensor.zeros(DType.FLOAT32, SMALL), true);
    Variable large = new Variable("large", Tensor.zeros(DType.FLOAT32, LARGE), true);
    Checkpoint checkpoint = Checkpoint.of().add(small).add(large);

    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong reads = new AtomicLong();
    AtomicLong saves = new AtomicLong();
    AtomicLong updates = new AtomicLong();
    ConcurrentLinkedQueue<String> corrupt = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();

    List<Thread> threads = new ArrayList<>();
    threads.add(
        thread(
            "writer",
            failures,
            () -> {
              Tensor one = Tensor.of(new float[] {1}, 1);
              while (!stop.get()) {
                try (TensorScope step = TensorScope.open()) {
                  // Temporaries of the step, as a forward and backward pass would make: they take
                  // the
                  // memory the last step's scope freed, which is what a reader of a freed value
                  // would see.
                  Tensor churnSmall = small.peek().mul(0).add(-7);
                  Tensor churnLarge = large.peek().mul(0).add(-7);
                  small.assignAdd(one.add(churnSmall.mul(0)));
                  large.assignAdd(one.add(churnLarge.mul(0)));
                }
                updates.incrementAndGet();
              }
            }));
    for (int r = 0; r < READERS; r++) {
      threads.add(
          thread(
              "reader-" + r,
              failures,
              () -> {
                float lastSmall = 0;
                float lastLarge = 0;
                long batches = 0;
                Tensor[] batch = new Tensor[BATCH];
                while (!stop.get()) {
                  // BATCH reads, checked on the device in one pass so that a slow device (an OpenCL
                  // queue
                  // that every host read must drain) still makes a million reads in seconds: an
                  // element
                  // of a released or reused array shows in the row's minimum or maximum.
                  for (int i = 0; i < BATCH; i++) {
                    batch[i] = small.read();
                  }
                  Tensor rows = ShapeOps.stack(0, batch);
                  lastSmall =
                      checkRows(
                          "small",
                          rows.min(1).toFloatArray(),
                          rows.max(1).toFloatArray(),
                          lastSmall,
                          corrupt);
                  // One read through an operation, as an evaluation thread uses weights.
                  lastSmall =
                      checkWhole(
                          "small op", small.read().mul(1).toFloatArray(), lastSmall, corrupt);
                  reads.addAndGet(BATCH + 1);
                  if (++batches % 4 == 0) {
                    lastLarge =
                        checkWhole("large read", large.read().toFloatArray(), lastLarge, corrupt);
                    reads.incrementAndGet();
                  }
                  if (reads.get() >= READS_REQUIRED
                      && saves.get() >= 3
                      && updates.get() > UPDATES_REQUIRED) {
                    stop.set(true);
                  }
                }
              }));
    }
    threads.add(
        thread(
            "saver",
            failures,
            () -> {
              Path file = dir.resolve("background.safetensors");
              while (!stop.get()) {
                checkpoint.save(file);
                try (SafeTensorsFile saved = SafeTensorsFile.open(file)) {
                  checkWhole("saved small", floats(saved.read("small")), 0, corrupt);
                  checkWhole("saved large", floats(saved.read("large")), 0, corrupt);
                }
                saves.incrementAndGet();
              }
            }));

    long start = System.nanoTime();
    threads.forEach(Thread::start);
    while (!stop.get()
        && failures.isEmpty()
        && System.nanoTime() - start < MAX_MILLIS * 1_000_000L) {
      Thread.sleep(20);
    }
    stop.set(true);
    for (Thread t : threads) {
      t.join(30_000);
    }

    System.out.printf(
        "Variable stress: %d reads, %d updates, %d saves, %d corrupt, %d failed, %d ms%n",
        reads.get(),
        updates.get(),
        saves.get(),
        corrupt.size(),
        failures.size(),
        (System.nanoTime() - start) / 1_000_000);
    assertThat(failures).as("exceptions on the writer, reader and saver threads").isEmpty();
    assertThat(corrupt).as("reads that were neither an old nor a new value").isEmpty();
    assertThat(reads.get())
        .as("reads made (updates: %d, saves: %d)", updates.get(), saves.get())
        .isGreaterThanOrEqualTo(READS_REQUIRED);
    assertThat(updates.get()).as("updates made while reading").isGreaterThan(UPDATES_REQUIRED);
    assertThat(saves.get()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void aValueNoOtherThreadRead_isStillFreedWithTheScopeOfTheNextUpdate() {
    Variable v = new Variable("v", Tensor.zeros(DType.FLOAT32, 4), true);
    Tensor one = Tensor.of(new float[] {1}, 1);
    try (TensorScope step = TensorScope.open()) {
      v.assignAdd(one);
    }
    Tensor made = v.read();
    try (TensorScope step = TensorScope.open()) {
      v.assignAdd(one);
    }
    assertThat(made.isReleased()).as("retired by the update that replaced it").isTrue();
  }

  @Test
  void aValueReadOnAnotherThread_isLeftToTheCollector() throws Exception {
    Variable v = new Variable("v", Tensor.zeros(DType.FLOAT32, 4), true);
    Tensor one = Tensor.of(new float[] {1}, 1);
    try (TensorScope step = TensorScope.open()) {
      v.assignAdd(one);
    }
    Tensor[] seen = new Tensor[1];
    Thread reader = new Thread(() -> seen[0] = v.read());
    reader.start();
    reader.join();
    try (TensorScope step = TensorScope.open()) {
      v.assignAdd(one);
    }
    assertThat(seen[0].isReleased()).isFalse();
    assertThat(seen[0].toFloatArray()).containsOnly(1f);
    assertThat(v.peek().toFloatArray()).containsOnly(2f);
  }

  private static float checkWhole(
      String what, float[] values, float atLeast, ConcurrentLinkedQueue<String> corrupt) {
    float first = values[0];
    boolean whole = first == Math.rint(first) && first >= atLeast;
    for (int i = 1; whole && i < values.length; i++) {
      whole = values[i] == first;
    }
    if (!whole) {
      if (corrupt.size() < 20) {
        corrupt.add(
            what
                + ": first "
                + first
                + ", expected all equal, whole and >= "
                + atLeast
                + describeOthers(values, first));
      } else {
        corrupt.add(what);
      }
      return atLeast;
    }
    return first;
  }

  /** Checks the minimum and maximum of each row of a batch of reads, made in row order. */
  private static float checkRows(
      String what, float[] min, float[] max, float atLeast, ConcurrentLinkedQueue<String> corrupt) {
    for (int i = 0; i < min.length; i++) {
      if (min[i] != max[i] || min[i] != Math.rint(min[i]) || min[i] < atLeast) {
        corrupt.add(
            what
                + " read "
                + i
                + " of a batch: elements from "
                + min[i]
                + " to "
                + max[i]
                + ", expected one whole number >= "
                + atLeast);
        return atLeast;
      }
      atLeast = min[i];
    }
    return atLeast;
  }

  private static String describeOthers(float[] values, float first) {
    for (int i = 1; i < values.length; i++) {
      if (values[i] != first) {
        return "; element " + i + " is " + values[i];
      }
    }
    return "";
  }

  private static float[] floats(HostArray a) {
    return a.floats();
  }

  private static Thread thread(
      String name, ConcurrentLinkedQueue<Throwable> failures, Runnable body) {
    Thread t =
        new Thread(
            () -> {
              try {
                body.run();
              } catch (Throwable e) {
                failures.add(new AssertionError(Thread.currentThread().getName() + ": " + e, e));
              }
            },
            name);
    t.setDaemon(true);
    return t;
  }
}

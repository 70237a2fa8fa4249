package dev.sonnet.samples.bench;

import dev.sonnet.data.ArrayDataset;
import dev.sonnet.data.Batch;
import dev.sonnet.data.Column;
import dev.sonnet.data.DataIterator;
import dev.sonnet.data.Datasets;
import dev.sonnet.data.Remainder;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.TensorScope;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One training batch of the main job (100 shuffled 28x28 byte images to a float32 tensor in {@code
 * [-1, 1]}), two ways: {@code hostLoop}, the per-pixel Java loop the job used before the data
 * pipeline ({@code (b & 0xff) * (2 / 255f) - 1} into a {@code float[]}, then {@code Tensor.of});
 * {@code pipeline}, {@code ArrayDataset.batch}: a row gather by {@code System.arraycopy} into a
 * byte array, then {@code Tensor.ofUnsignedBytes}, which the CPU runtime converts while copying.
 * Both in a {@code TensorScope}, as in a training step. Per batch; compare with the 6 ms of the
 * MLP's training step ({@code train/mlp_784_1024}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DataBench {
  static final int IMAGES = 60_000;
  static final int PIXELS = 28 * 28;
  static final int BATCH = 100;

  private byte[] pixels;
  private int[] order;
  private int cursor;
  private DataIterator<Batch> pass;
  private ArrayDataset data;

  @Setup(Level.Trial)
  public void setUp() {
    Rng rng = new Rng(1);
    pixels = new byte[IMAGES * PIXELS];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) rng.nextInt(256);
    }
    order = new int[IMAGES];
    for (int i = 0; i < IMAGES; i++) {
      order[i] = i;
    }
    for (int i = IMAGES - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    data =
        Datasets.fromArrays(Column.unsignedBytes("image", pixels, 28, 28, 1).scaled(2f / 255f, -1f))
            .shuffle(2)
            .repeat();
    pass = data.batch(BATCH, Remainder.DROP).open();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    pass.close();
  }

  @Benchmark
  public float hostLoop() {
    try (TensorScope scope = TensorScope.open()) {
      float[] out = new float[BATCH * PIXELS];
      for (int i = 0; i < BATCH; i++) {
        int base = order[(cursor + i) % IMAGES] * PIXELS;
        for (int p = 0; p < PIXELS; p++) {
          out[i * PIXELS + p] = (pixels[base + p] & 0xff) * (2f / 255f) - 1f;
        }
      }
      cursor = (cursor + BATCH) % IMAGES;
      Tensor t = Tensor.of(out, BATCH, 28, 28, 1);
      return t.size() > 0 ? out[0] : 0;
    }
  }

  @Benchmark
  public long pipeline() {
    try (TensorScope scope = TensorScope.open()) {
      return pass.next().get("image").size();
    }
  }
}

package dev.sonnet.runtime.cpu;

import static dev.sonnet.runtime.cpu.ConvGradFixtures.assertWithinRounding;
import static dev.sonnet.runtime.cpu.ConvGradFixtures.describe;
import static dev.sonnet.runtime.cpu.ConvGradFixtures.filterGrad;
import static dev.sonnet.runtime.cpu.ConvGradFixtures.geometry;
import static dev.sonnet.runtime.cpu.ConvGradFixtures.square;
import static dev.sonnet.runtime.cpu.ConvGradFixtures.toDouble;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.backend.ConvGeometry;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The direct filter gradient against its definition in double ({@link ConvGradFixtures#filterGrad})
 * on odd shapes: output channel counts around one and two vectors and tile edges, 1 to 32 input
 * channels, lines narrower than a tile, strides, dilations, SAME/VALID/explicit padding, 1 to 3
 * spatial dimensions, batch 1 and 3. {@code dw} starts as NaN, so an element the kernel does not
 * write fails.
 *
 * <p>Tolerance: each {@code dw} element sums {@code M = batch * outVolume} products of float32
 * values (exact in double), in float FMA chains split into ordered partial sums, so it is within
 * {@code (M + 1) * 2^-24 * sum_m |x_m| |dy_m|} of the exact sum ({@link
 * ConvGradFixtures#assertWithinRounding}); the sum of magnitudes is the same definition on {@code
 * |x|} and {@code |dy|}.
 */
class DirectConvFilterGradF32Test {
  private static final int[] OUT_CHANNELS = {1, 5, 16, 17, 32, 33, 64};
  private static final int[] IN_CHANNELS = {1, 3, 4, 32};

  @Test
  void compute_anyChannelCounts_matchesDefinition() {
    for (int o : OUT_CHANNELS) {
      for (int c : IN_CHANNELS) {
        check(
            geometry(
                3,
                new int[] {5, 9},
                c,
                new int[] {3, 3},
                new int[] {1, 1},
                new int[] {1, 1},
                "SAME"),
            o,
            31L * o + c);
      }
    }
  }

  @Test
  void compute_linesNarrowerOrWiderThanTile_matchDefinition() {
    long seed = 0;
    for (ConvGeometry g : ConvGradFixtures.lineWidths(3)) {
      for (int o : new int[] {16, 32, 33}) {
        check(g, o, seed++);
      }
    }
  }

  @Test
  void compute_stridesDilationsPaddingAndRanks_matchDefinition() {
    long seed = 0;
    for (ConvGeometry g : ConvGradFixtures.stridesDilationsPaddingsAndRanks(3)) {
      check(g, 17, seed++);
      check(g, 32, seed++);
    }
  }

  @Test
  void compute_randomGeometries_matchDefinition() {
    Random r = new Random(7);
    for (int t = 0; t < 150; t++) {
      ConvGeometry g = ConvKernelsTest.randomGeometry(r, false);
      check(g, OUT_CHANNELS[r.nextInt(OUT_CHANNELS.length)], t);
    }
  }

  /** Enough lines to split across the pool, with parts starting inside an image. */
  @Test
  void compute_largeEnoughToRunInParallel_matchesDefinition() {
    check(square(3, 2, 23, 3, 1, 1, "SAME"), 32, 1);
    check(square(2, 2, 16, 32, 1, 1, "SAME"), 64, 2);
  }

  @Test
  void compute_repeatedOrRunInsideAPoolWorker_isBitwiseIdentical() throws Exception {
    ConvGeometry g = square(4, 2, 16, 32, 1, 1, "SAME");
    int o = 48;
    Random r = new Random(3);
    float[] x = ConvKernelsTest.randomFloats(r, ConvKernelsTest.imageSize(g));
    float[] dy = ConvKernelsTest.randomFloats(r, (long) g.batch() * g.outVolume() * o);
    float[] first = new float[g.kernelVolume() * g.channels() * o];
    float[] second = new float[first.length];
    float[] nested = new float[first.length];
    DirectConvFilterGradF32.compute(g, o, x, dy, first);
    DirectConvFilterGradF32.compute(g, o, x, dy, second);
    // From a pool worker the kernel runs on that one thread, with the same split into parts.
    CpuParallel.parallelFor(
        2,
        1,
        (lo, hi) -> {
          if (lo == 1) {
            DirectConvFilterGradF32.compute(g, o, x, dy, nested);
          }
        });
    assertThat(second).as("second run").isEqualTo(first);
    assertThat(nested).as("run inside a parallel loop").isEqualTo(first);
  }

  @Test
  void handles_oneGroupWithAnAccumulatorThatFitsTheCache() {
    ConvGeometry g = square(1, 2, 4, 4, 1, 1, "SAME");
    assertThat(DirectConvFilterGradF32.handles(g, 8)).isTrue();
    assertThat(DirectConvFilterGradF32.handles(square(1, 2, 8, 128, 1, 1, "SAME"), 128))
        .as("1152 taps x 128 channels")
        .isTrue();
    assertThat(DirectConvFilterGradF32.handles(square(1, 2, 8, 256, 1, 1, "SAME"), 256))
        .as("2304 taps x 256 channels")
        .isFalse();
    ConvGeometry grouped =
        new ConvGeometry(
            1,
            new int[] {4, 4},
            4,
            new int[] {3, 3},
            new int[] {1, 1},
            new int[] {1, 1},
            new int[] {1, 1},
            new int[] {4, 4},
            2);
    assertThat(DirectConvFilterGradF32.handles(grouped, 8)).isFalse();
  }

  private static void check(ConvGeometry g, int o, long seed) {
    Random r = new Random(seed);
    float[] x = ConvKernelsTest.randomFloats(r, ConvKernelsTest.imageSize(g));
    float[] dy = ConvKernelsTest.randomFloats(r, (long) g.batch() * g.outVolume() * o);
    float[] dw = new float[g.kernelVolume() * g.channels() * o];
    Arrays.fill(dw, Float.NaN);
    DirectConvFilterGradF32.compute(g, o, x, dy, dw);
    assertWithinRounding(
        dw,
        filterGrad(g, o, toDouble(x, false), toDouble(dy, false)),
        filterGrad(g, o, toDouble(x, true), toDouble(dy, true)),
        (long) g.batch() * g.outVolume(),
        describe(g, o));
  }
}

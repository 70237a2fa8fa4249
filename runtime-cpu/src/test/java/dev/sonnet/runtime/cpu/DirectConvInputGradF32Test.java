package dev.sonnet.runtime.cpu;

import static dev.sonnet.runtime.cpu.ConvGradFixtures.assertWithinRounding;
import static dev.sonnet.runtime.cpu.ConvGradFixtures.describe;
import static dev.sonnet.runtime.cpu.ConvGradFixtures.geometry;
import static dev.sonnet.runtime.cpu.ConvGradFixtures.inputGrad;
import static dev.sonnet.runtime.cpu.ConvGradFixtures.square;
import static dev.sonnet.runtime.cpu.ConvGradFixtures.toDouble;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.backend.ConvGeometry;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The direct input gradient against its definition in double ({@link ConvGradFixtures#inputGrad}, a
 * scatter over windows that shares nothing with the flipped-filter mapping) on odd shapes: output
 * channel counts around one and two vectors, 1 to 32 input channels (so both {@link NarrowConvF32}
 * and {@link DirectConvF32} run), lines narrower than a tile, dilations, SAME/VALID/explicit
 * padding, 1 to 3 spatial dimensions, batch 1 and 3. {@code dx} starts as NaN, so an element the
 * kernel does not write fails.
 *
 * <p>Tolerance: each {@code dx} element sums at most {@code kernelVolume * O} products of float32
 * values, so it is within {@code (kernelVolume * O + 1) * 2^-24} times the sum of their magnitudes
 * of the exact sum ({@link ConvGradFixtures#assertWithinRounding}).
 */
class DirectConvInputGradF32Test {
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
    for (int c : new int[] {3, 32}) {
      for (ConvGeometry g : ConvGradFixtures.lineWidths(c)) {
        check(g, 32, seed++);
      }
    }
  }

  @Test
  void compute_dilationsPaddingAndRanks_matchDefinition() {
    long seed = 0;
    for (int c : new int[] {3, 32}) {
      for (ConvGeometry g : ConvGradFixtures.stridesDilationsPaddingsAndRanks(c)) {
        if (g.stride()[0] == 1) { // the input gradient kernel is for stride 1
          check(g, 17, seed++);
          check(g, 32, seed++);
        }
      }
    }
  }

  @Test
  void compute_randomStrideOneGeometries_matchDefinition() {
    Random r = new Random(13);
    int checked = 0;
    while (checked < 150) {
      ConvGeometry g = ConvKernelsTest.randomGeometry(r, false);
      int o = OUT_CHANNELS[r.nextInt(OUT_CHANNELS.length)];
      if (DirectConvInputGradF32.handles(g, o)) {
        check(g, o, checked++);
      }
    }
  }

  @Test
  void compute_largeEnoughToRunInParallel_matchesDefinition() {
    check(square(3, 2, 23, 3, 1, 1, "SAME"), 32, 1);
    check(square(2, 2, 16, 32, 1, 1, "SAME"), 64, 2);
  }

  @Test
  void handles_strideOneWithPaddingWithinTheKernelsReach() {
    assertThat(DirectConvInputGradF32.handles(square(1, 2, 8, 3, 1, 1, "SAME"), 32)).isTrue();
    assertThat(DirectConvInputGradF32.handles(square(1, 2, 8, 3, 1, 2, "VALID"), 32)).isTrue();
    assertThat(DirectConvInputGradF32.handles(square(1, 2, 8, 3, 2, 1, "SAME"), 32))
        .as("stride 2")
        .isFalse();
    ConvGeometry widePadding =
        new ConvGeometry(
            1,
            new int[] {8},
            3,
            new int[] {3},
            new int[] {1},
            new int[] {1},
            new int[] {3},
            new int[] {12},
            1);
    assertThat(DirectConvInputGradF32.handles(widePadding, 32))
        .as("padding 3 before a kernel reaching 2")
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
    assertThat(DirectConvInputGradF32.handles(grouped, 8)).as("groups = 2").isFalse();
  }

  @Test
  void compute_declinesWhatItDoesNotHandle_andLeavesDxUntouched() {
    ConvGeometry strided = square(1, 2, 8, 3, 2, 1, "SAME");
    float[] dx = new float[8 * 8 * 3];
    Arrays.fill(dx, 7f);
    float[] dy = new float[strided.outVolume() * 32];
    float[] w = new float[9 * 3 * 32];
    assertThat(DirectConvInputGradF32.compute(strided, 32, dy, w, dx)).isFalse();
    assertThat(dx).containsOnly(7f);
  }

  private static void check(ConvGeometry g, int o, long seed) {
    Random r = new Random(seed);
    float[] dy = ConvKernelsTest.randomFloats(r, (long) g.batch() * g.outVolume() * o);
    float[] w = ConvKernelsTest.randomFloats(r, (long) g.kernelVolume() * g.channels() * o);
    float[] dx = new float[g.batch() * g.inVolume() * g.channels()];
    Arrays.fill(dx, Float.NaN);
    assertThat(DirectConvInputGradF32.compute(g, o, dy, w, dx))
        .as("handled, %s", describe(g, o))
        .isTrue();
    assertWithinRounding(
        dx,
        inputGrad(g, o, toDouble(dy, false), toDouble(w, false)),
        inputGrad(g, o, toDouble(dy, true), toDouble(w, true)),
        (long) g.kernelVolume() * o,
        describe(g, o));
  }
}

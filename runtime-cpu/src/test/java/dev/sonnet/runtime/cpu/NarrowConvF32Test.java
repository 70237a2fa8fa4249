package dev.sonnet.runtime.cpu;

import static dev.sonnet.runtime.cpu.ConvGradFixtures.assertWithinRounding;
import static dev.sonnet.runtime.cpu.ConvGradFixtures.describe;
import static dev.sonnet.runtime.cpu.ConvGradFixtures.geometry;
import static dev.sonnet.runtime.cpu.ConvGradFixtures.toDouble;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.conformance.nn.NnReference;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The few-output-channel forward convolution against the plain-loop definition in double ({@link
 * NnReference#conv}) on odd shapes: output channel counts around its 3-channel tile, input channel
 * counts around one and two vectors, lines narrower than its 4-pixel tile, strides, dilations,
 * SAME/VALID/explicit padding, 1 to 3 spatial dimensions, batch 1 and 3. The output starts as NaN,
 * so an element the kernel does not write fails.
 *
 * <p>Tolerance: each output sums {@code K = kernelVolume * C} products of float32 values, in float
 * FMA lanes and then a tree across lanes, so it is within {@code (K + 1) * 2^-24 * sum_k |x_k|
 * |w_k|} of the exact sum ({@link ConvGradFixtures#assertWithinRounding}).
 */
class NarrowConvF32Test {
  private static final int[] OUT_CHANNELS = {1, 2, 3, 4, 5, 7};
  private static final int[] IN_CHANNELS = {1, 5, 16, 17, 32, 33, 64};

  @Test
  void convolve_anyChannelCounts_matchesDefinition() {
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
  void convolve_linesNarrowerOrWiderThanTile_matchDefinition() {
    long seed = 0;
    for (ConvGeometry g : ConvGradFixtures.lineWidths(32)) {
      check(g, 3, seed++);
    }
  }

  @Test
  void convolve_stridesDilationsPaddingAndRanks_matchDefinition() {
    long seed = 0;
    for (ConvGeometry g : ConvGradFixtures.stridesDilationsPaddingsAndRanks(17)) {
      check(g, 3, seed++);
      check(g, 4, seed++);
    }
  }

  @Test
  void convolve_randomGeometries_matchDefinition() {
    Random r = new Random(11);
    for (int t = 0; t < 150; t++) {
      ConvGeometry g = ConvKernelsTest.randomGeometry(r, false);
      check(g, OUT_CHANNELS[r.nextInt(OUT_CHANNELS.length)], t);
    }
  }

  @Test
  void convolve_largeEnoughToRunInParallel_matchesDefinition() {
    check(ConvGradFixtures.square(3, 2, 23, 32, 1, 1, "SAME"), 3, 1);
  }

  @Test
  void handles_fewOutputChannelsOfManyInputChannels() {
    ConvGeometry wide = ConvGradFixtures.square(1, 2, 4, 32, 1, 1, "SAME");
    assertThat(NarrowConvF32.handles(wide, 3)).as("32 -> 3 channels").isTrue();
    assertThat(NarrowConvF32.handles(wide, 32)).as("32 -> 32 channels").isFalse();
    ConvGeometry narrow = ConvGradFixtures.square(1, 2, 4, 1, 1, 1, "SAME");
    assertThat(NarrowConvF32.handles(narrow, 3)).as("1 -> 3 channels").isFalse();
    ConvGeometry grouped =
        new ConvGeometry(
            1,
            new int[] {4, 4},
            32,
            new int[] {3, 3},
            new int[] {1, 1},
            new int[] {1, 1},
            new int[] {1, 1},
            new int[] {4, 4},
            2);
    assertThat(NarrowConvF32.handles(grouped, 2)).as("groups = 2").isFalse();
  }

  private static void check(ConvGeometry g, int o, long seed) {
    Random r = new Random(seed);
    int k = g.kernelVolume() * g.channels();
    float[] x = ConvKernelsTest.randomFloats(r, ConvKernelsTest.imageSize(g));
    float[] w = ConvKernelsTest.randomFloats(r, (long) k * o);
    float[] y = new float[g.batch() * g.outVolume() * o];
    Arrays.fill(y, Float.NaN);
    NarrowConvF32.convolve(g, o, x, w, y);
    assertWithinRounding(
        y,
        reference(g, o, toDouble(x, false), toDouble(w, false)),
        reference(g, o, toDouble(x, true), toDouble(w, true)),
        k,
        describe(g, o));
  }

  /**
   * The lane sum is the documented pairwise tree in every compilation state: the Vector API's
   * {@code reduceLanes(ADD)} gave other bits in the interpreter than in C2's code, so the same
   * convolution changed its result once the JIT had compiled it. Called often enough here that C2
   * compiles it partway through, each call is checked against the tree written out in floats.
   */
  @Test
  void sumLanes_isThePairwiseTreeBeforeAndAfterCompilation() {
    int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
    Random r = new Random(11);
    float[] v = new float[lanes];
    for (int call = 0; call < 50_000; call++) {
      for (int i = 0; i < lanes; i++) {
        v[i] = (float) (r.nextGaussian() * (1 << r.nextInt(16)));
      }
      float expected = pairwiseTree(v.clone());
      float actual =
          NarrowConvF32.sumLanes(
              jdk.incubator.vector.FloatVector.fromArray(
                  jdk.incubator.vector.FloatVector.SPECIES_PREFERRED, v, 0));
      if (Float.floatToRawIntBits(actual) != Float.floatToRawIntBits(expected)) {
        assertThat(actual).as("call %d, lanes %s", call, Arrays.toString(v)).isEqualTo(expected);
      }
    }
  }

  /** Lane {@code i} adds lane {@code i + h} for {@code h = L/2, L/4, ..., 1}; lane 0 at the end. */
  private static float pairwiseTree(float[] lanes) {
    for (int h = lanes.length / 2; h >= 1; h /= 2) {
      for (int i = 0; i < h; i++) {
        lanes[i] += lanes[i + h];
      }
    }
    return lanes[0];
  }

  private static double[] reference(ConvGeometry g, int o, double[] x, double[] w) {
    return NnReference.conv(
        x,
        g.batch(),
        g.inSpatial(),
        g.channels(),
        w,
        g.kernel(),
        o,
        g.stride(),
        g.dilation(),
        g.padBefore(),
        g.outSpatial());
  }
}

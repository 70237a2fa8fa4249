package dev.sonnet.runtime.cpu;

import static dev.sonnet.runtime.cpu.ConvGradFixtures.assertWithinRounding;
import static dev.sonnet.runtime.cpu.ConvGradFixtures.describe;
import static dev.sonnet.runtime.cpu.ConvGradFixtures.geometry;
import static dev.sonnet.runtime.cpu.ConvGradFixtures.toDouble;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.conformance.nn.NnReference;
import dev.sonnet.tensor.DType;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The direct float32 convolution ({@link CpuBackend#convolveDirect}) against the plain-loop
 * definition in double ({@link NnReference#conv}), on odd shapes: output channel counts around one
 * and two vectors, 1 to 4 input channels, lines narrower than a register tile, strides, dilations,
 * SAME/VALID/explicit padding, 1 to 3 spatial dimensions, batch 1 and 3. The output buffer starts
 * as NaN, so an element the kernel does not write fails.
 *
 * <p>Tolerance: each output is a float32 FMA accumulation of at most {@code K = kernelVolume * C}
 * products of float32 inputs (exact in double), so its error against the double result is at most
 * {@code K * 2^-24 * sum_k |x_k| |w_k|} (the first-order bound for recursive summation, unit
 * roundoff 2^-24); the test allows {@code (K + 1) * 2^-24} times that sum, computed per element by
 * the same reference on {@code |x|} and {@code |w|}.
 */
class DirectConvF32Test {
  private static final int[] OUT_CHANNELS = {1, 5, 16, 17, 32, 33, 64, 70};

  @Test
  void convolveDirect_anyOutputChannelCount_matchesDefinition() {
    for (int o : OUT_CHANNELS) {
      for (int c : new int[] {1, 3, 4}) {
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
  void convolveDirect_linesNarrowerOrWiderThanTile_matchDefinition() {
    long seed = 0;
    for (ConvGeometry g : ConvGradFixtures.lineWidths(3)) {
      for (int o : new int[] {16, 32, 33}) {
        check(g, o, seed++);
      }
    }
  }

  @Test
  void convolveDirect_stridesDilationsAndPadding_matchDefinition() {
    long seed = 0;
    for (ConvGeometry g : ConvGradFixtures.stridesDilationsPaddingsAndRanks(3)) {
      check(g, 17, seed++);
      check(g, 32, seed++);
    }
  }

  @Test
  void convolveDirect_randomGeometries_matchDefinition() {
    Random r = new Random(5);
    for (int t = 0; t < 200; t++) {
      ConvGeometry g = ConvKernelsTest.randomGeometry(r, false);
      if (g.kernelVolume() * g.channels() <= DirectConvF32.MAX_DEPTH) {
        check(g, OUT_CHANNELS[r.nextInt(OUT_CHANNELS.length)], t);
      }
    }
  }

  /** Enough lines to split across the pool: chunks start at arbitrary lines of an image. */
  @Test
  void convolveDirect_largeEnoughToRunInParallel_matchesDefinition() {
    check(
        geometry(
            4, new int[] {24, 21}, 3, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, "SAME"),
        32,
        1);
    check(
        geometry(
            2,
            new int[] {16, 16},
            32,
            new int[] {3, 3},
            new int[] {1, 1},
            new int[] {1, 1},
            "SAME"),
        64,
        2);
  }

  @Test
  void convolveDirect_declinesWhatItDoesNotCompute() {
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
    assertThat(
            KernelFixtures.VECTOR.convolveDirect(
                grouped, 8, upload(16 * 4), upload(9 * 2 * 8), upload(16 * 8)))
        .as("groups = 2")
        .isFalse();

    ConvGeometry g =
        geometry(
            1, new int[] {4, 4}, 3, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, "SAME");
    assertThat(
            KernelFixtures.SCALAR.convolveDirect(
                g,
                8,
                KernelFixtures.SCALAR.upload(new float[48]),
                KernelFixtures.SCALAR.upload(new float[27 * 8]),
                KernelFixtures.SCALAR.upload(new float[16 * 8])))
        .as("scalar backend")
        .isFalse();

    ConvGeometry deep =
        geometry(
            1, new int[] {4, 4}, 129, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, "SAME");
    assertThat(
            KernelFixtures.VECTOR.convolveDirect(
                deep, 8, upload(16 * 129), upload(9 * 129 * 8), upload(16 * 8)))
        .as("K = 9 * 129 > MAX_DEPTH")
        .isFalse();

    CpuBackend b = KernelFixtures.VECTOR;
    assertThat(
            b.convolveDirect(
                g,
                8,
                b.allocate(DType.FLOAT64, 48),
                b.allocate(DType.FLOAT64, 27 * 8),
                b.allocate(DType.FLOAT64, 16 * 8)))
        .as("float64")
        .isFalse();
  }

  /**
   * The pooled kernel ({@link CpuBackend#convolveDirectPooled}) against the fused kernel followed
   * by the backend's 2x2 max pooling, bit for bit: output channel counts with and without a vector
   * tail, lines narrower and wider than a tile, several pooled lines per thread, a NaN input.
   */
  @Test
  void convolveDirectPooled_isBitForBitConvolutionThenMaxPooling() {
    CpuBackend b = KernelFixtures.VECTOR;
    long seed = 80;
    for (int[] in : new int[][] {{28, 28}, {6, 10}, {4, 2}, {10, 18}}) {
      for (int c : new int[] {1, 3, 16}) {
        ConvGeometry g =
            geometry(3, in, c, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, "SAME");
        for (int o : new int[] {16, 32, 33}) {
          for (boolean relu : new boolean[] {false, true}) {
            if (NarrowConvF32.handles(g, o)) {
              continue; // the fused direct kernel declines these too
            }
            Random r = new Random(seed++);
            float[] x = ConvKernelsTest.randomFloats(r, ConvKernelsTest.imageSize(g));
            x[x.length / 2] = Float.NaN;
            float[] w = ConvKernelsTest.randomFloats(r, (long) g.kernelVolume() * c * o);
            float[] bias = ConvKernelsTest.randomFloats(r, o);
            DeviceBuffer full = b.allocate(DType.FLOAT32, (long) g.batch() * g.outVolume() * o);
            assertThat(b.convolveDirect(g, o, b.upload(x), b.upload(w), b.upload(bias), relu, full))
                .isTrue();
            float[] want = WinogradConvF32Test.maxPool2x2(g, o, KernelFixtures.f32(full));
            float[] nan = new float[want.length];
            Arrays.fill(nan, Float.NaN);
            DeviceBuffer pooled = b.upload(nan);
            assertThat(
                    b.convolveDirectPooled(
                        g, o, b.upload(x), b.upload(w), b.upload(bias), relu, pooled))
                .as(describe(g, o))
                .isTrue();
            assertThat(KernelFixtures.f32(pooled)).as(describe(g, o)).isEqualTo(want);
          }
        }
      }
    }
    ConvGeometry odd =
        geometry(
            1, new int[] {5, 6}, 3, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, "SAME");
    assertThat(
            b.convolveDirectPooled(
                odd, 16, upload(30 * 3), upload(27 * 16), null, true, upload(2 * 3 * 16)))
        .as("an odd number of output rows")
        .isFalse();
  }

  /**
   * The fused conv + bias + ReLU ({@link VectorEpilogueRows} after each line) against the plain
   * kernel followed by a float add and {@code max(., 0)} per element, bit for bit (the same float
   * operations); output channel counts with and without a vector tail, lines split across the pool.
   */
  @Test
  void convolveDirectWithEpilogue_isBitForBitConvThenBiasThenRelu() {
    CpuBackend b = KernelFixtures.VECTOR;
    long seed = 40;
    for (ConvGeometry g :
        new ConvGeometry[] {
          geometry(
              3, new int[] {5, 9}, 1, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, "SAME"),
          geometry(
              4,
              new int[] {24, 21},
              3,
              new int[] {3, 3},
              new int[] {2, 1},
              new int[] {1, 1},
              "VALID"),
          geometry(
              2,
              new int[] {14, 14},
              16,
              new int[] {3, 3},
              new int[] {1, 1},
              new int[] {1, 1},
              "SAME")
        }) {
      for (int o : new int[] {5, 16, 17, 32, 33}) {
        Random r = new Random(seed++);
        float[] x = ConvKernelsTest.randomFloats(r, ConvKernelsTest.imageSize(g));
        float[] w = ConvKernelsTest.randomFloats(r, (long) g.kernelVolume() * g.channels() * o);
        float[] bias = ConvKernelsTest.randomFloats(r, o);
        int size = g.batch() * g.outVolume() * o;
        DeviceBuffer plain = b.allocate(DType.FLOAT32, size);
        assertThat(b.convolveDirect(g, o, b.upload(x), b.upload(w), plain)).isTrue();
        float[] conv = KernelFixtures.f32(plain);
        for (int mode = 0; mode < 3; mode++) {
          boolean withBias = mode != 1;
          boolean relu = mode != 2;
          float[] nan = new float[size];
          Arrays.fill(nan, Float.NaN);
          DeviceBuffer y = b.upload(nan);
          boolean taken =
              b.convolveDirect(
                  g, o, b.upload(x), b.upload(w), withBias ? b.upload(bias) : null, relu, y);
          String what = describe(g, o) + " bias " + withBias + " relu " + relu;
          if (NarrowConvF32.handles(g, o)) {
            assertThat(taken).as("declines the narrow kernel's geometry, " + what).isFalse();
            continue;
          }
          assertThat(taken).as(what).isTrue();
          float[] expected = new float[size];
          for (int i = 0; i < size; i++) {
            float v = withBias ? conv[i] + bias[i % o] : conv[i];
            expected[i] = relu ? Math.max(v, 0f) : v;
          }
          assertThat(KernelFixtures.f32(y)).as(what).isEqualTo(expected);
        }
      }
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static void check(ConvGeometry g, int o, long seed) {
    Random r = new Random(seed);
    int c = g.channels();
    int k = g.kernelVolume() * c;
    float[] x = ConvKernelsTest.randomFloats(r, ConvKernelsTest.imageSize(g));
    float[] w = ConvKernelsTest.randomFloats(r, (long) k * o);
    int size = g.batch() * g.outVolume() * o;
    float[] nan = new float[size];
    Arrays.fill(nan, Float.NaN);
    CpuBackend b = KernelFixtures.VECTOR;
    DeviceBuffer y = b.upload(nan);
    assertThat(b.convolveDirect(g, o, b.upload(x), b.upload(w), y))
        .as("direct kernel taken, O=%d, %s", o, ConvKernelsTest.describe(g))
        .isTrue();
    float[] actual = KernelFixtures.f32(y);

    double[] expected = reference(g, o, toDouble(x, false), toDouble(w, false));
    double[] magnitude = reference(g, o, toDouble(x, true), toDouble(w, true));
    assertWithinRounding(actual, expected, magnitude, k, "direct kernel, " + describe(g, o));
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

  private static DeviceBuffer upload(int n) {
    return KernelFixtures.VECTOR.upload(new float[n]);
  }
}

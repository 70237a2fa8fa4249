package dev.sonnet.runtime.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.backend.PoolKind;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fast pooling kernels against the scalar reference on random odd geometries. */
class PoolKernelsTest {
  private static final int GEOMETRIES = 300;

  private final CpuBackend fast = new CpuBackend(true);
  private final CpuBackend scalar = new CpuBackend(false);

  private static long outSize(ConvGeometry g) {
    return (long) g.batch() * g.outVolume() * g.channels();
  }

  @Test
  void pool_fastMatchesReference_bitForBit() {
    Random r = new Random(11);
    for (int t = 0; t < GEOMETRIES; t++) {
      ConvGeometry g = ConvKernelsTest.randomGeometry(r, false);
      float[] xf = ConvKernelsTest.randomFloats(r, ConvKernelsTest.imageSize(g));
      double[] xd = ConvKernelsTest.randomDoubles(r, ConvKernelsTest.imageSize(g));
      for (PoolKind kind : PoolKind.values()) {
        assertThat(pool(fast, kind, g, xf))
            .as("%s f32, %s", kind, ConvKernelsTest.describe(g))
            .containsExactly(pool(scalar, kind, g, xf));
        assertThat(pool(fast, kind, g, xd))
            .as("%s f64, %s", kind, ConvKernelsTest.describe(g))
            .containsExactly(pool(scalar, kind, g, xd));
      }
    }
  }

  @Test
  void poolBackward_fastMatchesReference_bitForBit() {
    Random r = new Random(12);
    for (int t = 0; t < GEOMETRIES; t++) {
      ConvGeometry g = ConvKernelsTest.randomGeometry(r, false);
      float[] xf = ConvKernelsTest.randomFloats(r, ConvKernelsTest.imageSize(g));
      float[] dyf = ConvKernelsTest.randomFloats(r, outSize(g));
      double[] xd = ConvKernelsTest.randomDoubles(r, ConvKernelsTest.imageSize(g));
      double[] dyd = ConvKernelsTest.randomDoubles(r, outSize(g));
      for (PoolKind kind : PoolKind.values()) {
        assertThat(poolBackward(fast, kind, g, xf, dyf))
            .as("%s f32, %s", kind, ConvKernelsTest.describe(g))
            .containsExactly(poolBackward(scalar, kind, g, xf, dyf));
        assertThat(poolBackward(fast, kind, g, xd, dyd))
            .as("%s f64, %s", kind, ConvKernelsTest.describe(g))
            .containsExactly(poolBackward(scalar, kind, g, xd, dyd));
      }
    }
  }

  @Test
  void pool_largeEnoughToRunInParallel_matchesReference() {
    Random r = new Random(13);
    ConvGeometry g =
        new ConvGeometry(
            5,
            new int[] {30, 26},
            24,
            new int[] {3, 3},
            new int[] {2, 2},
            new int[] {1, 1},
            new int[] {1, 0},
            new int[] {15, 12},
            1);
    float[] x = ConvKernelsTest.randomFloats(r, ConvKernelsTest.imageSize(g));
    float[] dy = ConvKernelsTest.randomFloats(r, outSize(g));
    for (PoolKind kind : PoolKind.values()) {
      assertThat(pool(fast, kind, g, x)).containsExactly(pool(scalar, kind, g, x));
      assertThat(poolBackward(fast, kind, g, x, dy))
          .containsExactly(poolBackward(scalar, kind, g, x, dy));
    }
  }

  /**
   * The vector max-pool gradient ({@link VectorMaxPoolBackward}, disjoint windows): channel counts
   * around the lane count, windows with gaps, padding and uncovered edges, on values drawn from a
   * small set with NaN and both zeros so that ties are frequent; must equal the scalar kernel.
   */
  @Test
  void maxPoolBackward_disjointWindows_vectorPathMatchesReference_bitForBit() {
    Random r = new Random(14);
    float[] values = {-0f, 0f, 1f, -1f, 2f, Float.NaN, 3f, Float.NEGATIVE_INFINITY};
    int[][] windows = { // kernel, stride, dilation, padBefore (2-d, the same on both axes)
      {2, 2, 1, 0}, {3, 3, 1, 1}, {2, 3, 1, 0}, {2, 3, 2, 0}, {1, 1, 1, 0}, {3, 4, 1, 2}
    };
    for (int[] w : windows) {
      for (int channels : new int[] {1, 3, 15, 16, 17, 32, 33, 48}) {
        int in = 5 + r.nextInt(6);
        int out = (in + w[3] - (w[0] - 1) * w[2] - 1) / w[1] + 1;
        ConvGeometry g =
            new ConvGeometry(
                2,
                new int[] {in, in + 1},
                channels,
                new int[] {w[0], w[0]},
                new int[] {w[1], w[1]},
                new int[] {w[2], w[2]},
                new int[] {w[3], w[3]},
                new int[] {out, out},
                1);
        assertThat(VectorMaxPoolBackward.handles(new ConvShape3d(g))).isTrue();
        float[] x = new float[(int) ConvKernelsTest.imageSize(g)];
        for (int i = 0; i < x.length; i++) {
          x[i] = values[r.nextInt(values.length)];
        }
        float[] dy = ConvKernelsTest.randomFloats(r, outSize(g));
        float[] vector = poolBackward(fast, PoolKind.MAX, g, x, dy);
        float[] reference = poolBackward(scalar, PoolKind.MAX, g, x, dy);
        for (int i = 0; i < x.length; i++) {
          assertThat(Float.floatToRawIntBits(vector[i]))
              .as("element %d, %s", i, ConvKernelsTest.describe(g))
              .isEqualTo(Float.floatToRawIntBits(reference[i]));
        }
      }
    }
  }

  @Test
  void maxPool_tiesAndNaN_keepFirstElement_inBothPaths() {
    // One window of 4 over [2, 2, NaN, 1] (1-d, 1 channel), then [NaN, 5, 1, 0].
    ConvGeometry g =
        new ConvGeometry(
            1,
            new int[] {8},
            1,
            new int[] {4},
            new int[] {4},
            new int[] {1},
            new int[] {0},
            new int[] {2},
            1);
    double[] x = {2, 2, Double.NaN, 1, Double.NaN, 5, 1, 0};
    for (CpuBackend b : new CpuBackend[] {fast, scalar}) {
      double[] y = pool(b, PoolKind.MAX, g, x);
      assertThat(y[0]).isEqualTo(2);
      assertThat(y[1]).isNaN();
      assertThat(poolBackward(b, PoolKind.MAX, g, x, new double[] {1, 1}))
          .containsExactly(1, 0, 0, 0, 1, 0, 0, 0);
    }
  }

  /**
   * Windows that tile the input exactly (2x2 stride 2 on even sizes, 2x1, 3x3 stride 3), where the
   * vector path skips its zero fill: every element must still be written (the output starts as
   * random values), for channel counts with and without a scalar tail; equal to the scalar kernel.
   */
  @Test
  void maxPoolBackward_tilingWindows_writeEveryElement_bitForBit() {
    Random r = new Random(15);
    float[] values = {-0f, 0f, 1f, -1f, 2f, Float.NaN, 3f, Float.NEGATIVE_INFINITY};
    int[][] shapes = { // in0, in1, k0, k1
      {8, 6, 2, 2}, {28, 28, 2, 2}, {4, 7, 2, 1}, {9, 6, 3, 3}
    };
    for (int[] sh : shapes) {
      for (int channels : new int[] {16, 32, 17, 3}) {
        ConvGeometry g =
            new ConvGeometry(
                3,
                new int[] {sh[0], sh[1]},
                channels,
                new int[] {sh[2], sh[3]},
                new int[] {sh[2], sh[3]},
                new int[] {1, 1},
                new int[] {0, 0},
                new int[] {sh[0] / sh[2], sh[1] / sh[3]},
                1);
        assertThat(VectorMaxPoolBackward.tiles(new ConvShape3d(g))).isTrue();
        assertThat(TiledMaxPool2x2.handles(new ConvShape3d(g)))
            .isEqualTo(
                sh[2] == 2
                    && sh[3] == 2
                    && channels % jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length() == 0);
        float[] x = new float[(int) ConvKernelsTest.imageSize(g)];
        for (int i = 0; i < x.length; i++) {
          x[i] = values[r.nextInt(values.length)];
        }
        float[] dy = ConvKernelsTest.randomFloats(r, outSize(g));
        float[] vector = poolBackward(fast, PoolKind.MAX, g, x, dy);
        float[] reference = poolBackward(scalar, PoolKind.MAX, g, x, dy);
        for (int i = 0; i < x.length; i++) {
          assertThat(Float.floatToRawIntBits(vector[i]))
              .as("element %d, %s", i, ConvKernelsTest.describe(g))
              .isEqualTo(Float.floatToRawIntBits(reference[i]));
        }
        // The forward pass too (TiledMaxPool2x2 for the 2x2 shapes with whole vectors).
        float[] y = pool(fast, PoolKind.MAX, g, x);
        float[] yReference = pool(scalar, PoolKind.MAX, g, x);
        for (int i = 0; i < y.length; i++) {
          assertThat(Float.floatToRawIntBits(y[i]))
              .as("output %d, %s", i, ConvKernelsTest.describe(g))
              .isEqualTo(Float.floatToRawIntBits(yReference[i]));
        }
      }
    }
  }

  @Test
  void poolBackward_overwritesGradIn() {
    ConvGeometry g =
        new ConvGeometry(
            1,
            new int[] {2},
            1,
            new int[] {2},
            new int[] {2},
            new int[] {1},
            new int[] {0},
            new int[] {1},
            1);
    for (CpuBackend b : new CpuBackend[] {fast, scalar}) {
      var gradIn = b.upload(new double[] {7, 7});
      b.poolBackward(
          PoolKind.AVG, g, b.upload(new double[] {1, 2}), b.upload(new double[] {4}), gradIn);
      double[] out = new double[2];
      b.download(gradIn, out);
      assertThat(out).containsExactly(2, 2);
    }
  }

  private static float[] pool(CpuBackend b, PoolKind kind, ConvGeometry g, float[] x) {
    var out = b.upload(ConvKernelsTest.randomFloats(new Random(5), outSize(g)));
    b.pool(kind, g, b.upload(x), out);
    float[] y = new float[(int) outSize(g)];
    b.download(out, y);
    return y;
  }

  private static double[] pool(CpuBackend b, PoolKind kind, ConvGeometry g, double[] x) {
    var out = b.upload(ConvKernelsTest.randomDoubles(new Random(5), outSize(g)));
    b.pool(kind, g, b.upload(x), out);
    double[] y = new double[(int) outSize(g)];
    b.download(out, y);
    return y;
  }

  private static float[] poolBackward(
      CpuBackend b, PoolKind kind, ConvGeometry g, float[] x, float[] dy) {
    var gradIn = b.upload(ConvKernelsTest.randomFloats(new Random(6), x.length));
    b.poolBackward(kind, g, b.upload(x), b.upload(dy), gradIn);
    float[] out = new float[x.length];
    b.download(gradIn, out);
    return out;
  }

  private static double[] poolBackward(
      CpuBackend b, PoolKind kind, ConvGeometry g, double[] x, double[] dy) {
    var gradIn = b.upload(ConvKernelsTest.randomDoubles(new Random(6), x.length));
    b.poolBackward(kind, g, b.upload(x), b.upload(dy), gradIn);
    double[] out = new double[x.length];
    b.download(gradIn, out);
    return out;
  }
}

package dev.sonnet.runtime.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.tensor.DType;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fast {@code im2col}/{@code col2im} kernels against the scalar reference, on many random odd
 * geometries (1 to 3 spatial dims, sizes 1 upwards, strides, dilations, padding, groups, channel
 * counts below and above a vector's length), plus the properties that define them.
 */
class ConvKernelsTest {
  private static final int GEOMETRIES = 300;

  /** A random, valid geometry; {@code groups} 1 for pooling. */
  static ConvGeometry randomGeometry(Random r, boolean allowGroups) {
    int n = 1 + r.nextInt(3);
    int[] in = new int[n];
    int[] k = new int[n];
    int[] s = new int[n];
    int[] d = new int[n];
    int[] p = new int[n];
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      in[i] = 1 + r.nextInt(n == 3 ? 5 : 8);
      k[i] = 1 + r.nextInt(3);
      s[i] = 1 + r.nextInt(3);
      d[i] = 1 + r.nextInt(2);
      int kEff = (k[i] - 1) * d[i] + 1;
      p[i] = r.nextInt(kEff);
      int after = r.nextInt(kEff);
      int padded = in[i] + p[i] + after;
      if (padded < kEff) {
        after += kEff - padded;
        padded = kEff;
      }
      out[i] = (padded - kEff) / s[i] + 1;
    }
    int groups = allowGroups ? 1 + r.nextInt(3) : 1;
    int cg = r.nextInt(4) == 0 ? 9 + r.nextInt(12) : 1 + r.nextInt(4);
    int batch = 1 + r.nextInt(3);
    return new ConvGeometry(batch, in, groups * cg, k, s, d, p, out, groups);
  }

  static long imageSize(ConvGeometry g) {
    return (long) g.batch() * g.inVolume() * g.channels();
  }

  static long colsSize(ConvGeometry g) {
    return (long) g.batch() * g.outVolume() * g.kernelVolume() * g.channels();
  }

  static float[] randomFloats(Random r, long n) {
    float[] v = new float[(int) n];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextFloat() * 2 - 1;
    }
    return v;
  }

  static double[] randomDoubles(Random r, long n) {
    double[] v = new double[(int) n];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextDouble() * 2 - 1;
    }
    return v;
  }

  private final CpuBackend fast = new CpuBackend(true);
  private final CpuBackend scalar = new CpuBackend(false);

  @Test
  void im2col_fastMatchesReference_onRandomGeometries() {
    Random r = new Random(1);
    for (int t = 0; t < GEOMETRIES; t++) {
      ConvGeometry g = randomGeometry(r, true);
      float[] xf = randomFloats(r, imageSize(g));
      double[] xd = randomDoubles(r, imageSize(g));
      // Garbage in the output: im2col must write every element, padding included.
      float[] expectedF = im2col(scalar, g, xf);
      float[] actualF = im2col(fast, g, xf);
      assertThat(actualF).as("f32 im2col, %s", describe(g)).containsExactly(expectedF);
      assertThat(im2col(fast, g, xd))
          .as("f64 im2col, %s", describe(g))
          .containsExactly(im2col(scalar, g, xd));
    }
  }

  @Test
  void col2im_fastMatchesReference_andAccumulates_onRandomGeometries() {
    Random r = new Random(2);
    for (int t = 0; t < GEOMETRIES; t++) {
      ConvGeometry g = randomGeometry(r, true);
      double[] cols = randomDoubles(r, colsSize(g));
      double[] start = randomDoubles(r, imageSize(g));
      double[] expected = col2im(scalar, g, cols, start);
      double[] actual = col2im(fast, g, cols, start);
      for (int i = 0; i < expected.length; i++) {
        assertThat(actual[i])
            .as("f64 col2im element %d, %s", i, describe(g))
            .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-12));
      }
      float[] colsF = randomFloats(r, colsSize(g));
      float[] startF = randomFloats(r, imageSize(g));
      float[] expectedF = col2im(scalar, g, colsF, startF);
      float[] actualF = col2im(fast, g, colsF, startF);
      for (int i = 0; i < expectedF.length; i++) {
        assertThat(actualF[i])
            .as("f32 col2im element %d, %s", i, describe(g))
            .isCloseTo(expectedF[i], org.assertj.core.data.Offset.offset(1e-5f));
      }
    }
  }

  @Test
  void im2colAndCol2im_largeEnoughToRunInParallel_matchReference() {
    Random r = new Random(4);
    ConvGeometry[] geometries = {
      new ConvGeometry(
          4,
          new int[] {24, 20},
          16,
          new int[] {3, 3},
          new int[] {1, 1},
          new int[] {1, 1},
          new int[] {1, 1},
          new int[] {24, 20},
          1),
      new ConvGeometry(
          3,
          new int[] {6, 9, 10},
          12,
          new int[] {2, 3, 3},
          new int[] {2, 1, 2},
          new int[] {1, 2, 1},
          new int[] {0, 2, 1},
          new int[] {3, 7, 5},
          4)
    };
    for (ConvGeometry g : geometries) {
      float[] x = randomFloats(r, imageSize(g));
      assertThat(im2col(fast, g, x)).as(describe(g)).containsExactly(im2col(scalar, g, x));
      double[] cols = randomDoubles(r, colsSize(g));
      double[] start = randomDoubles(r, imageSize(g));
      double[] expected = col2im(scalar, g, cols, start);
      double[] actual = col2im(fast, g, cols, start);
      for (int i = 0; i < expected.length; i++) {
        assertThat(actual[i])
            .as("col2im element %d, %s", i, describe(g))
            .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-12));
      }
    }
  }

  @Test
  void col2im_isAdjointOfIm2col() {
    Random r = new Random(3);
    for (int t = 0; t < 50; t++) {
      ConvGeometry g = randomGeometry(r, true);
      double[] x = randomDoubles(r, imageSize(g));
      double[] c = randomDoubles(r, colsSize(g));
      for (CpuBackend b : new CpuBackend[] {fast, scalar}) {
        double[] cols = im2col(b, g, x);
        double[] back = col2im(b, g, c, new double[x.length]);
        double lhs = 0;
        double rhs = 0;
        for (int i = 0; i < cols.length; i++) {
          lhs += cols[i] * c[i];
        }
        for (int i = 0; i < x.length; i++) {
          rhs += x[i] * back[i];
        }
        assertThat(lhs)
            .as("<im2col(x), c> vs <x, col2im(c)>, %s", describe(g))
            .isCloseTo(rhs, org.assertj.core.data.Offset.offset(1e-9));
      }
    }
  }

  @Test
  void im2col_singleImage_placesWindowsRowByRow() {
    // 1-d, 4 positions, 1 channel, kernel 2, SAME-like padding of one after: rows are windows.
    ConvGeometry g =
        new ConvGeometry(
            1,
            new int[] {4},
            1,
            new int[] {2},
            new int[] {1},
            new int[] {1},
            new int[] {0},
            new int[] {4},
            1);
    for (CpuBackend b : new CpuBackend[] {fast, scalar}) {
      assertThat(im2col(b, g, new double[] {1, 2, 3, 4})).containsExactly(1, 2, 2, 3, 3, 4, 4, 0);
    }
  }

  static String describe(ConvGeometry g) {
    return "batch "
        + g.batch()
        + ", in "
        + java.util.Arrays.toString(g.inSpatial())
        + ", channels "
        + g.channels()
        + ", kernel "
        + java.util.Arrays.toString(g.kernel())
        + ", stride "
        + java.util.Arrays.toString(g.stride())
        + ", dilation "
        + java.util.Arrays.toString(g.dilation())
        + ", padBefore "
        + java.util.Arrays.toString(g.padBefore())
        + ", out "
        + java.util.Arrays.toString(g.outSpatial())
        + ", groups "
        + g.groups();
  }

  private static float[] im2col(CpuBackend b, ConvGeometry g, float[] x) {
    CpuBuffer cols = (CpuBuffer) b.upload(randomFloats(new Random(99), colsSize(g)));
    b.im2col(g, b.upload(x), cols);
    float[] out = new float[cols.length()];
    b.download(cols, out);
    return out;
  }

  private static double[] im2col(CpuBackend b, ConvGeometry g, double[] x) {
    CpuBuffer cols = (CpuBuffer) b.upload(randomDoubles(new Random(99), colsSize(g)));
    b.im2col(g, b.upload(x), cols);
    double[] out = new double[cols.length()];
    b.download(cols, out);
    return out;
  }

  private static double[] col2im(CpuBackend b, ConvGeometry g, double[] cols, double[] start) {
    var x = b.upload(start);
    b.col2im(g, b.upload(cols), x);
    double[] out = new double[start.length];
    b.download(x, out);
    return out;
  }

  private static float[] col2im(CpuBackend b, ConvGeometry g, float[] cols, float[] start) {
    var x = b.upload(start);
    b.col2im(g, b.upload(cols), x);
    float[] out = new float[start.length];
    b.download(x, out);
    return out;
  }

  @Test
  void im2col_rejectsIntegerBuffers() {
    ConvGeometry g =
        new ConvGeometry(
            1,
            new int[] {2},
            1,
            new int[] {1},
            new int[] {1},
            new int[] {1},
            new int[] {0},
            new int[] {2},
            1);
    CpuBuffer x = CpuBuffer.allocate(fast, DType.INT32, 2);
    CpuBuffer cols = CpuBuffer.allocate(fast, DType.INT32, 2);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConvKernels.im2col(g, x, cols, true))
        .hasMessageContaining("f32 and f64");
  }

  /**
   * The row-range fast path, started at every row (as a thread's chunk may be): its output
   * coordinates are advanced row by row from {@code lo}, across window rows, images and the padded
   * border. First-layer-like geometries: 2-D 3x3, stride 1 and 2, padding 0 to 2, C = 1, 3, 4 (runs
   * shorter than {@link ConvKernels#SHORT_RUN}) and 12 (longer, kernel row 36).
   */
  @Test
  void im2colRows_fromAnyStartRow_matchesReference_onFirstLayerGeometries() {
    Random r = new Random(3);
    for (int c : new int[] {1, 3, 4, 12}) {
      for (int stride = 1; stride <= 2; stride++) {
        for (int pad = 0; pad <= 2; pad++) {
          int h = 5;
          int w = 6;
          int oh = (h + 2 * pad - 3) / stride + 1;
          int ow = (w + 2 * pad - 3) / stride + 1;
          ConvGeometry g =
              new ConvGeometry(
                  2,
                  new int[] {h, w},
                  c,
                  new int[] {3, 3},
                  new int[] {stride, stride},
                  new int[] {1, 1},
                  new int[] {pad, pad},
                  new int[] {oh, ow},
                  1);
          ConvShape3d s = new ConvShape3d(g);
          float[] xf = randomFloats(r, imageSize(g));
          double[] xd = randomDoubles(r, imageSize(g));
          float[] expectedF = new float[(int) colsSize(g)];
          double[] expectedD = new double[(int) colsSize(g)];
          ConvKernels.im2colReference(s, xf, expectedF);
          ConvKernels.im2colReference(s, xd, expectedD);
          int width = s.cols();
          for (int lo = 0; lo < s.rows(); lo++) {
            float[] actualF = new float[expectedF.length];
            double[] actualD = new double[expectedD.length];
            java.util.Arrays.fill(actualF, Float.NaN);
            java.util.Arrays.fill(actualD, Double.NaN);
            ConvKernels.im2colRows(s, xf, actualF, lo, s.rows());
            ConvKernels.im2colRows(s, xd, actualD, lo, s.rows());
            String what = String.format("C=%d stride=%d pad=%d from row %d", c, stride, pad, lo);
            assertThat(java.util.Arrays.copyOfRange(actualF, lo * width, actualF.length))
                .as("f32 %s", what)
                .containsExactly(
                    java.util.Arrays.copyOfRange(expectedF, lo * width, expectedF.length));
            assertThat(java.util.Arrays.copyOfRange(actualD, lo * width, actualD.length))
                .as("f64 %s", what)
                .containsExactly(
                    java.util.Arrays.copyOfRange(expectedD, lo * width, expectedD.length));
          }
        }
      }
    }
  }
}

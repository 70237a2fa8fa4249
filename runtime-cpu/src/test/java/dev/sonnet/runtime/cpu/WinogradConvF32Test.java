package dev.sonnet.runtime.cpu;

import static dev.sonnet.runtime.cpu.ConvGradFixtures.describe;
import static dev.sonnet.runtime.cpu.ConvGradFixtures.geometry;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.tensor.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Winograd F(2x2, 3x3) convolution ({@link CpuBackend#convolveWinograd}) against the plain-loop
 * definition of the convolution in double, on odd shapes: output sizes odd and even (edge tiles cut
 * by the image), SAME, VALID and explicit padding, input channel counts with and without a vector
 * tail, output channel counts taking the four-vector and the one-vector product, several blocks per
 * call, batch 1 to 3, with and without bias and ReLU. The output buffer starts as NaN, so an
 * element the kernel does not write fails.
 *
 * <p>Tolerance, reasoned per element. The filter is transformed in double here and rounded once.
 * Every transform coefficient is 0, ±1/2 or ±1, so scaling is exact and each stage only adds
 * roundings: the input transform 2 (two levels of adds), the filter's rounding 1, the {@code
 * C}-deep FMA accumulation {@code C}, the output transform 4 ({@code (a + b) + c} at two levels),
 * the bias add 1. By the standard forward error analysis the computed output differs from the exact
 * one by at most {@code γ_n} times the same algorithm run on absolute values, {@code |Aᵀ| [Σ_c (|G|
 * |g| |Gᵀ|) ⊙ (|Bᵀ| |d| |B|)] |A| + |bias|}, with {@code n = C + 8} and {@code γ_n = n u / (1 - n
 * u)}, {@code u = 2⁻²⁴}; the test allows {@code (C + 9) u} times that magnitude, computed per
 * element in double. ReLU is 1-Lipschitz, so it does not widen the error.
 */
class WinogradConvF32Test {
  private static final double[][] G = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
  private static final double[][] BT = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
  private static final double[][] AT = {{1, 1, 1, 0}, {0, 1, -1, -1}};

  private static final CpuBackend B = KernelFixtures.VECTOR;

  private static List<ConvGeometry> geometries() {
    List<ConvGeometry> all = new ArrayList<>();
    int[][] sizes = {{14, 14}, {7, 9}, {5, 6}, {3, 3}, {4, 4}, {1, 2}, {2, 1}, {11, 16}};
    int[] channels = {8, 19, 32, 40};
    int i = 0;
    for (int[] in : sizes) {
      for (String padding : new String[] {"SAME", "VALID", "EXPLICIT"}) {
        if (padding.equals("VALID") && (in[0] < 3 || in[1] < 3)) {
          continue;
        }
        int c = channels[i++ % channels.length];
        all.add(geometry(1 + i % 3, in, c, new int[] {3, 3}, ones(), ones(), padding));
      }
    }
    return all;
  }

  private static int[] ones() {
    return new int[] {1, 1};
  }

  @Test
  void convolveWinograd_oddShapesPaddingsAndChannels_matchTheDefinition() {
    long seed = 0;
    for (ConvGeometry g : geometries()) {
      for (int o : new int[] {16, 48, 64}) {
        for (int mode = 0; mode < 3; mode++) {
          check(g, o, mode != 1, mode != 2, seed++);
        }
      }
    }
  }

  /** The main job's middle layer: 4900 tiles, many blocks split across the pool. */
  @Test
  void convolveWinograd_manyBlocksAcrossThreads_matchesTheDefinition() {
    check(
        geometry(100, new int[] {14, 14}, 32, new int[] {3, 3}, ones(), ones(), "SAME"),
        64,
        true,
        true,
        99);
    check(
        geometry(3, new int[] {16, 16}, 64, new int[] {3, 3}, ones(), ones(), "SAME"),
        128,
        true,
        false,
        98);
  }

  /**
   * Blocks are fixed by the shape, not the split, so the bits do not depend on the thread count.
   */
  @Test
  void convolveWinograd_sameBitsOnOneAndTwoThreads() {
    ConvGeometry g = geometry(9, new int[] {14, 14}, 32, new int[] {3, 3}, ones(), ones(), "SAME");
    int o = 64;
    Random r = new Random(3);
    float[] x = ConvKernelsTest.randomFloats(r, ConvKernelsTest.imageSize(g));
    float[] u = transformFilter(ConvKernelsTest.randomFloats(r, 9L * g.channels() * o), g, o);
    float[] bias = ConvKernelsTest.randomFloats(r, o);
    float[] one = CpuParallel.withThreads(1, () -> run(g, o, x, u, bias, true));
    float[] two = CpuParallel.withThreads(2, () -> run(g, o, x, u, bias, true));
    assertThat(two).isEqualTo(one);
  }

  @Test
  void convolveWinograd_declinesWhatItDoesNotCompute() {
    int o = 16;
    ConvGeometry ok = geometry(1, new int[] {6, 6}, 8, new int[] {3, 3}, ones(), ones(), "SAME");
    assertThat(declines(ok, o)).as("a 3x3 stride-1 convolution").isFalse();
    assertThat(declines(ok, o + 1)).as("output channels not in whole vectors").isTrue();
    assertThat(
            declines(geometry(1, new int[] {6, 6}, 7, new int[] {3, 3}, ones(), ones(), "SAME"), o))
        .as("fewer than MIN_CHANNELS input channels")
        .isTrue();
    assertThat(
            declines(
                geometry(
                    1, new int[] {6, 6}, 8, new int[] {3, 3}, new int[] {2, 1}, ones(), "SAME"),
                o))
        .as("stride 2")
        .isTrue();
    assertThat(
            declines(
                geometry(
                    1, new int[] {6, 6}, 8, new int[] {3, 3}, ones(), new int[] {1, 2}, "SAME"),
                o))
        .as("dilation 2")
        .isTrue();
    assertThat(
            declines(geometry(1, new int[] {6, 6}, 8, new int[] {5, 3}, ones(), ones(), "SAME"), o))
        .as("a 5x3 kernel")
        .isTrue();
    assertThat(
            declines(
                geometry(1, new int[] {6}, 8, new int[] {3}, new int[] {1}, new int[] {1}, "SAME"),
                o))
        .as("1-d")
        .isTrue();
    ConvGeometry grouped =
        new ConvGeometry(
            1, new int[] {6, 6}, 16, new int[] {3, 3}, ones(), ones(), ones(), new int[] {6, 6}, 2);
    assertThat(declines(grouped, o)).as("2 groups").isTrue();
    DeviceBuffer x = B.allocate(DType.FLOAT64, 36 * 8);
    assertThat(
            B.convolveWinograd(
                ok,
                o,
                x,
                B.allocate(DType.FLOAT64, 16 * 8 * o),
                null,
                false,
                false,
                B.allocate(DType.FLOAT64, 36 * o)))
        .as("float64")
        .isFalse();
    DeviceBuffer f = KernelFixtures.SCALAR.allocate(DType.FLOAT32, 36 * 8);
    assertThat(
            KernelFixtures.SCALAR.convolveWinograd(
                ok,
                o,
                f,
                KernelFixtures.SCALAR.allocate(DType.FLOAT32, 16 * 8 * o),
                null,
                false,
                false,
                KernelFixtures.SCALAR.allocate(DType.FLOAT32, 36 * o)))
        .as("scalar backend")
        .isFalse();
  }

  private static boolean declines(ConvGeometry g, int o) {
    int c = g.channels();
    long in = ConvKernelsTest.imageSize(g);
    long out = (long) g.batch() * g.outVolume() * o;
    return !B.convolveWinograd(
        g,
        o,
        B.allocate(DType.FLOAT32, in),
        B.allocate(DType.FLOAT32, 16L * c * o),
        null,
        false,
        false,
        B.allocate(DType.FLOAT32, out));
  }

  private static float[] run(
      ConvGeometry g, int o, float[] x, float[] u, float[] bias, boolean relu) {
    return run(g, o, x, u, bias, relu, false);
  }

  private static float[] run(
      ConvGeometry g, int o, float[] x, float[] u, float[] bias, boolean relu, boolean maxPool) {
    float[] nan = new float[g.batch() * g.outVolume() * o / (maxPool ? 4 : 1)];
    Arrays.fill(nan, Float.NaN);
    DeviceBuffer y = B.upload(nan);
    assertThat(
            B.convolveWinograd(
                g,
                o,
                B.upload(x),
                B.upload(u),
                bias == null ? null : B.upload(bias),
                relu,
                maxPool,
                y))
        .as(describe(g, o))
        .isTrue();
    return KernelFixtures.f32(y);
  }

  /**
   * With {@code maxPool} the kernel pools each tile (a 2x2 window) instead of storing it: bit for
   * bit the unpooled result followed by the backend's max pooling, including equal maxima, zeros
   * from the ReLU and a NaN in the input (which the pooling's strict comparison keeps only in a
   * window's first position).
   */
  @Test
  void maxPooled_isBitForBitTheConvolutionThenMaxPooling() {
    long seed = 60;
    for (int[] in : new int[][] {{14, 14}, {6, 10}, {8, 4}}) {
      for (int o : new int[] {16, 48, 64}) {
        for (boolean relu : new boolean[] {false, true}) {
          ConvGeometry g = geometry(2, in, 24, new int[] {3, 3}, ones(), ones(), "SAME");
          Random r = new Random(seed++);
          float[] x = ConvKernelsTest.randomFloats(r, ConvKernelsTest.imageSize(g));
          x[5 * 24 + 3] = Float.NaN;
          float[] u = transformFilter(ConvKernelsTest.randomFloats(r, 9L * 24 * o), g, o);
          float[] bias = ConvKernelsTest.randomFloats(r, o);
          float[] pooled = run(g, o, x, u, bias, relu, true);
          float[] plain = run(g, o, x, u, bias, relu, false);
          assertThat(pooled).isEqualTo(maxPool2x2(g, o, plain));
        }
      }
    }
    ConvGeometry odd = geometry(1, new int[] {7, 8}, 8, new int[] {3, 3}, ones(), ones(), "SAME");
    assertThat(
            B.convolveWinograd(
                odd,
                16,
                B.allocate(DType.FLOAT32, 56 * 8),
                B.allocate(DType.FLOAT32, 16 * 8 * 16),
                null,
                true,
                true,
                B.allocate(DType.FLOAT32, 3 * 4 * 16)))
        .as("an odd number of output rows")
        .isFalse();
  }

  /** The backend's own max pooling (2x2 windows, stride 2) of a convolution's output. */
  static float[] maxPool2x2(ConvGeometry g, int o, float[] y) {
    int oh = g.outSpatial()[0];
    int ow = g.outSpatial()[1];
    ConvGeometry pool =
        new ConvGeometry(
            g.batch(),
            new int[] {oh, ow},
            o,
            new int[] {2, 2},
            new int[] {2, 2},
            ones(),
            new int[] {0, 0},
            new int[] {oh / 2, ow / 2},
            1);
    DeviceBuffer out = B.allocate(DType.FLOAT32, (long) g.batch() * (oh / 2) * (ow / 2) * o);
    B.pool(dev.sonnet.backend.PoolKind.MAX, pool, B.upload(y), out);
    return KernelFixtures.f32(out);
  }

  private static void check(ConvGeometry g, int o, boolean withBias, boolean relu, long seed) {
    Random r = new Random(seed);
    int c = g.channels();
    float[] x = ConvKernelsTest.randomFloats(r, ConvKernelsTest.imageSize(g));
    float[] w = ConvKernelsTest.randomFloats(r, 9L * c * o);
    float[] bias = withBias ? ConvKernelsTest.randomFloats(r, o) : null;
    float[] y = run(g, o, x, transformFilter(w, g, o), bias, relu);
    double[][] exactAndMagnitude = reference(g, o, x, w, bias);
    double[] exact = exactAndMagnitude[0];
    double[] magnitude = exactAndMagnitude[1];
    double unit = Math.scalb(1.0, -24);
    for (int i = 0; i < y.length; i++) {
      double want = relu ? Math.max(exact[i], 0) : exact[i];
      double tol = (c + 9) * unit * magnitude[i];
      assertThat((double) y[i])
          .as("%s, bias %s, relu %s, element %d", describe(g, o), withBias, relu, i)
          .isCloseTo(want, org.assertj.core.data.Offset.offset(tol));
    }
  }

  /** {@code u[4i + j, c, o] = (G w Gᵀ)[i, j]} in double, rounded once to float. */
  private static float[] transformFilter(float[] w, ConvGeometry g, int o) {
    int c = g.channels();
    float[] u = new float[16 * c * o];
    for (int ch = 0; ch < c; ch++) {
      for (int oc = 0; oc < o; oc++) {
        double[][] t = sandwich(G, window(w, c, o, ch, oc, false), G, false);
        for (int i = 0; i < 4; i++) {
          for (int j = 0; j < 4; j++) {
            u[((4 * i + j) * c + ch) * o + oc] = (float) t[i][j];
          }
        }
      }
    }
    return u;
  }

  /** The 3x3 filter of one channel pair, or its absolute values. */
  private static double[][] window(float[] w, int c, int o, int ch, int oc, boolean abs) {
    double[][] k = new double[3][3];
    for (int a = 0; a < 3; a++) {
      for (int b = 0; b < 3; b++) {
        double v = w[((a * 3 + b) * c + ch) * o + oc];
        k[a][b] = abs ? Math.abs(v) : v;
      }
    }
    return k;
  }

  /**
   * The exact convolution plus bias in double (the definition: a sum over the 3x3 window, padding
   * as zeros), and per output the magnitude of the Winograd algorithm on absolute values plus
   * {@code |bias|}.
   */
  private static double[][] reference(ConvGeometry g, int o, float[] x, float[] w, float[] bias) {
    int n = g.batch();
    int h = g.inSpatial()[0];
    int wd = g.inSpatial()[1];
    int oh = g.outSpatial()[0];
    int ow = g.outSpatial()[1];
    int c = g.channels();
    int pt = g.padBefore()[0];
    int pl = g.padBefore()[1];
    double[] exact = new double[n * oh * ow * o];
    double[] magnitude = new double[exact.length];
    // |G| |g| |Gᵀ| per channel pair, in double.
    double[][][] absU = new double[c * o][][];
    for (int ch = 0; ch < c; ch++) {
      for (int oc = 0; oc < o; oc++) {
        absU[ch * o + oc] = sandwich(G, window(w, c, o, ch, oc, true), G, true);
      }
    }
    for (int b = 0; b < n; b++) {
      for (int r = 0; r < oh; r++) {
        for (int q = 0; q < ow; q++) {
          for (int oc = 0; oc < o; oc++) {
            double s = bias == null ? 0 : bias[oc];
            for (int a = 0; a < 3; a++) {
              for (int e = 0; e < 3; e++) {
                int row = r - pt + a;
                int col = q - pl + e;
                if (row < 0 || row >= h || col < 0 || col >= wd) {
                  continue;
                }
                for (int ch = 0; ch < c; ch++) {
                  s +=
                      (double) x[((b * h + row) * wd + col) * c + ch]
                          * w[((a * 3 + e) * c + ch) * o + oc];
                }
              }
            }
            exact[((b * oh + r) * ow + q) * o + oc] = s;
          }
        }
      }
      // Magnitudes tile by tile: |Aᵀ| [Σ_c |U| ⊙ |Bᵀ| |d| |B|] |A|.
      for (int ti = 0; ti < (oh + 1) / 2; ti++) {
        for (int tj = 0; tj < (ow + 1) / 2; tj++) {
          double[][][] absV = new double[c][4][4];
          for (int ch = 0; ch < c; ch++) {
            double[][] d = new double[4][4];
            for (int a = 0; a < 4; a++) {
              for (int e = 0; e < 4; e++) {
                int row = 2 * ti - pt + a;
                int col = 2 * tj - pl + e;
                boolean inside = row >= 0 && row < h && col >= 0 && col < wd;
                d[a][e] = inside ? Math.abs(x[((b * h + row) * wd + col) * c + ch]) : 0;
              }
            }
            absV[ch] = sandwich(BT, d, BT, true);
          }
          for (int oc = 0; oc < o; oc++) {
            double[][] m = new double[4][4];
            for (int ch = 0; ch < c; ch++) {
              for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                  m[i][j] += absU[ch * o + oc][i][j] * absV[ch][i][j];
                }
              }
            }
            double[][] yAbs = sandwich(AT, m, AT, true);
            for (int i = 0; i < 2; i++) {
              for (int j = 0; j < 2; j++) {
                int r = 2 * ti + i;
                int q = 2 * tj + j;
                if (r < oh && q < ow) {
                  magnitude[((b * oh + r) * ow + q) * o + oc] =
                      yAbs[i][j] + (bias == null ? 0 : Math.abs(bias[oc]));
                }
              }
            }
          }
        }
      }
    }
    return new double[][] {exact, magnitude};
  }

  /** {@code left m rightᵀ}, or {@code |left| m |right|ᵀ} when {@code abs}. */
  private static double[][] sandwich(double[][] left, double[][] m, double[][] right, boolean abs) {
    double[][] out = new double[left.length][right.length];
    for (int i = 0; i < left.length; i++) {
      for (int j = 0; j < right.length; j++) {
        double s = 0;
        for (int a = 0; a < m.length; a++) {
          for (int e = 0; e < m[0].length; e++) {
            double l = abs ? Math.abs(left[i][a]) : left[i][a];
            double r = abs ? Math.abs(right[j][e]) : right[j][e];
            s += l * m[a][e] * r;
          }
        }
        out[i][j] = s;
      }
    }
    return out;
  }
}

package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.backend.PoolKind;
import java.util.Arrays;

/**
 * Max and average pooling over channels-last images, and their gradients.
 *
 * <p>Semantics ({@link PoolKind}): windows are walked in row-major order of their offsets;
 * positions in the padding are skipped. Max keeps the first of equal maxima (a later element
 * replaces the running maximum only if strictly greater) and the gradient goes to that element;
 * average divides the sum by the number of in-input positions. A window with no position inside the
 * input (impossible through the op layer) gives 0.
 *
 * <p>The scalar reference walks one output element at a time using {@link ConvKernels#sourceIndex};
 * the fast path walks one output position at a time over whole channel runs with {@link ConvRuns},
 * in parallel over output positions (forward) or images (backward, whose windows overlap).
 */
final class PoolKernels {
  private PoolKernels() {}

  static void pool(PoolKind kind, ConvGeometry g, CpuBuffer x, CpuBuffer out, boolean vectorized) {
    ConvShape3d s = new ConvShape3d(g);
    boolean max = kind == PoolKind.MAX;
    int grain = CpuParallel.grainFor((long) s.kernelVolume * s.channels);
    switch (x.dtype()) {
      case FLOAT32 -> {
        if (vectorized && max && TiledMaxPool2x2.handles(s)) {
          CpuParallel.parallelFor(
              s.batch * s.out0 * s.out1,
              CpuParallel.grainFor((long) s.out2 * s.kernelVolume * s.channels),
              (lo, hi) -> TiledMaxPool2x2.lines(s, x.f32(), out.f32(), lo, hi));
        } else if (vectorized) {
          CpuParallel.parallelFor(
              s.rows(), grain, (lo, hi) -> poolRows(max, s, x.f32(), out.f32(), lo, hi));
        } else {
          poolReference(max, s, x.f32(), out.f32());
        }
      }
      case FLOAT64 -> {
        if (vectorized) {
          CpuParallel.parallelFor(
              s.rows(), grain, (lo, hi) -> poolRows(max, s, x.f64(), out.f64(), lo, hi));
        } else {
          poolReference(max, s, x.f64(), out.f64());
        }
      }
      default -> throw ConvKernels.unsupported("pool", x);
    }
  }

  static void poolBackward(
      PoolKind kind,
      ConvGeometry g,
      CpuBuffer x,
      CpuBuffer gradOut,
      CpuBuffer gradIn,
      boolean vectorized) {
    ConvShape3d s = new ConvShape3d(g);
    boolean max = kind == PoolKind.MAX;
    int grain = CpuParallel.grainFor((long) s.outVolume * s.kernelVolume * s.channels);
    switch (x.dtype()) {
      case FLOAT32 -> {
        if (vectorized && max && VectorMaxPoolBackward.handles(s)) {
          CpuParallel.parallelFor(
              s.batch,
              grain,
              (lo, hi) ->
                  VectorMaxPoolBackward.images(s, x.f32(), gradOut.f32(), gradIn.f32(), lo, hi));
        } else if (vectorized) {
          CpuParallel.parallelFor(
              s.batch,
              grain,
              (lo, hi) -> poolBackwardImages(max, s, x.f32(), gradOut.f32(), gradIn.f32(), lo, hi));
        } else {
          poolBackwardReference(max, s, x.f32(), gradOut.f32(), gradIn.f32());
        }
      }
      case FLOAT64 -> {
        if (vectorized) {
          CpuParallel.parallelFor(
              s.batch,
              grain,
              (lo, hi) -> poolBackwardImages(max, s, x.f64(), gradOut.f64(), gradIn.f64(), lo, hi));
        } else {
          poolBackwardReference(max, s, x.f64(), gradOut.f64(), gradIn.f64());
        }
      }
      default -> throw ConvKernels.unsupported("poolBackward", x);
    }
  }

  // ---- scalar reference ----------------------------------------------------------------------

  static void poolReference(boolean max, ConvShape3d s, float[] x, float[] out) {
    int c = s.channels;
    for (int r = 0; r < s.rows(); r++) {
      for (int ch = 0; ch < c; ch++) {
        float acc = 0f;
        int count = 0;
        for (int k = 0; k < s.kernelVolume; k++) {
          int src = ConvKernels.sourceIndex(s, 0, r, k * c + ch);
          if (src < 0) {
            continue;
          }
          float v = x[src];
          if (!max) {
            acc += v;
          } else if (count == 0 || v > acc) {
            acc = v;
          }
          count++;
        }
        out[r * c + ch] = count == 0 ? 0f : max ? acc : acc / count;
      }
    }
  }

  static void poolReference(boolean max, ConvShape3d s, double[] x, double[] out) {
    int c = s.channels;
    for (int r = 0; r < s.rows(); r++) {
      for (int ch = 0; ch < c; ch++) {
        double acc = 0.0;
        int count = 0;
        for (int k = 0; k < s.kernelVolume; k++) {
          int src = ConvKernels.sourceIndex(s, 0, r, k * c + ch);
          if (src < 0) {
            continue;
          }
          double v = x[src];
          if (!max) {
            acc += v;
          } else if (count == 0 || v > acc) {
            acc = v;
          }
          count++;
        }
        out[r * c + ch] = count == 0 ? 0.0 : max ? acc : acc / count;
      }
    }
  }

  static void poolBackwardReference(
      boolean max, ConvShape3d s, float[] x, float[] gradOut, float[] gradIn) {
    Arrays.fill(gradIn, 0f);
    int c = s.channels;
    for (int r = 0; r < s.rows(); r++) {
      for (int ch = 0; ch < c; ch++) {
        float dy = gradOut[r * c + ch];
        if (max) {
          int best = -1;
          for (int k = 0; k < s.kernelVolume; k++) {
            int src = ConvKernels.sourceIndex(s, 0, r, k * c + ch);
            if (src >= 0 && (best < 0 || x[src] > x[best])) {
              best = src;
            }
          }
          if (best >= 0) {
            gradIn[best] += dy;
          }
        } else {
          int count = 0;
          for (int k = 0; k < s.kernelVolume; k++) {
            if (ConvKernels.sourceIndex(s, 0, r, k * c + ch) >= 0) {
              count++;
            }
          }
          for (int k = 0; k < s.kernelVolume; k++) {
            int src = ConvKernels.sourceIndex(s, 0, r, k * c + ch);
            if (src >= 0) {
              gradIn[src] += dy / count;
            }
          }
        }
      }
    }
  }

  static void poolBackwardReference(
      boolean max, ConvShape3d s, double[] x, double[] gradOut, double[] gradIn) {
    Arrays.fill(gradIn, 0.0);
    int c = s.channels;
    for (int r = 0; r < s.rows(); r++) {
      for (int ch = 0; ch < c; ch++) {
        double dy = gradOut[r * c + ch];
        if (max) {
          int best = -1;
          for (int k = 0; k < s.kernelVolume; k++) {
            int src = ConvKernels.sourceIndex(s, 0, r, k * c + ch);
            if (src >= 0 && (best < 0 || x[src] > x[best])) {
              best = src;
            }
          }
          if (best >= 0) {
            gradIn[best] += dy;
          }
        } else {
          int count = 0;
          for (int k = 0; k < s.kernelVolume; k++) {
            if (ConvKernels.sourceIndex(s, 0, r, k * c + ch) >= 0) {
              count++;
            }
          }
          for (int k = 0; k < s.kernelVolume; k++) {
            int src = ConvKernels.sourceIndex(s, 0, r, k * c + ch);
            if (src >= 0) {
              gradIn[src] += dy / count;
            }
          }
        }
      }
    }
  }

  // ---- fast path -----------------------------------------------------------------------------

  /** How many window offsets {@code j < k} put {@code start + j * dilation} in {@code [0, in)}. */
  private static int inside(int start, int k, int dilation, int in) {
    int count = 0;
    for (int j = 0; j < k; j++) {
      int i = start + j * dilation;
      if (i >= 0 && i < in) {
        count++;
      }
    }
    return count;
  }

  static void poolRows(boolean max, ConvShape3d s, float[] x, float[] out, int lo, int hi) {
    int c = s.channels;
    for (int r = lo; r < hi; r++) {
      int n = r / s.outVolume;
      int o = r % s.outVolume;
      int i0s = s.start0(o);
      int i1s = s.start1(o);
      int i2s = s.start2(o);
      int xImage = n * s.inVolume;
      int dst = r * c;
      int count = 0;
      for (int j0 = 0; j0 < s.k0; j0++) {
        int i0 = i0s + j0 * s.d0;
        if (i0 < 0 || i0 >= s.in0) {
          continue;
        }
        for (int j1 = 0; j1 < s.k1; j1++) {
          int i1 = i1s + j1 * s.d1;
          if (i1 < 0 || i1 >= s.in1) {
            continue;
          }
          for (int j2 = 0; j2 < s.k2; j2++) {
            int i2 = i2s + j2 * s.d2;
            if (i2 < 0 || i2 >= s.in2) {
              continue;
            }
            int src = (xImage + (i0 * s.in1 + i1) * s.in2 + i2) * c;
            if (count == 0) {
              System.arraycopy(x, src, out, dst, c);
            } else if (max) {
              ConvRuns.max(out, dst, x, src, c);
            } else {
              ConvRuns.add(out, dst, x, src, c);
            }
            count++;
          }
        }
      }
      if (count == 0) {
        Arrays.fill(out, dst, dst + c, 0f);
      } else if (!max) {
        ConvRuns.divide(out, dst, c, count);
      }
    }
  }

  static void poolRows(boolean max, ConvShape3d s, double[] x, double[] out, int lo, int hi) {
    int c = s.channels;
    for (int r = lo; r < hi; r++) {
      int n = r / s.outVolume;
      int o = r % s.outVolume;
      int i0s = s.start0(o);
      int i1s = s.start1(o);
      int i2s = s.start2(o);
      int xImage = n * s.inVolume;
      int dst = r * c;
      int count = 0;
      for (int j0 = 0; j0 < s.k0; j0++) {
        int i0 = i0s + j0 * s.d0;
        if (i0 < 0 || i0 >= s.in0) {
          continue;
        }
        for (int j1 = 0; j1 < s.k1; j1++) {
          int i1 = i1s + j1 * s.d1;
          if (i1 < 0 || i1 >= s.in1) {
            continue;
          }
          for (int j2 = 0; j2 < s.k2; j2++) {
            int i2 = i2s + j2 * s.d2;
            if (i2 < 0 || i2 >= s.in2) {
              continue;
            }
            int src = (xImage + (i0 * s.in1 + i1) * s.in2 + i2) * c;
            if (count == 0) {
              System.arraycopy(x, src, out, dst, c);
            } else if (max) {
              ConvRuns.max(out, dst, x, src, c);
            } else {
              ConvRuns.add(out, dst, x, src, c);
            }
            count++;
          }
        }
      }
      if (count == 0) {
        Arrays.fill(out, dst, dst + c, 0.0);
      } else if (!max) {
        ConvRuns.divide(out, dst, c, count);
      }
    }
  }

  /** Writes the input gradient of images {@code [lo, hi)}; images are disjoint. */
  static void poolBackwardImages(
      boolean max, ConvShape3d s, float[] x, float[] gradOut, float[] gradIn, int lo, int hi) {
    int c = s.channels;
    float[] best = max ? new float[c] : null;
    int[] at = max ? new int[c] : null;
    for (int n = lo; n < hi; n++) {
      int xImage = n * s.inVolume;
      Arrays.fill(gradIn, xImage * c, (xImage + s.inVolume) * c, 0f);
      for (int o = 0; o < s.outVolume; o++) {
        int dy = (n * s.outVolume + o) * c;
        int i0s = s.start0(o);
        int i1s = s.start1(o);
        int i2s = s.start2(o);
        int count =
            inside(i0s, s.k0, s.d0, s.in0)
                * inside(i1s, s.k1, s.d1, s.in1)
                * inside(i2s, s.k2, s.d2, s.in2);
        if (count == 0) {
          continue;
        }
        boolean first = true;
        for (int j0 = 0; j0 < s.k0; j0++) {
          int i0 = i0s + j0 * s.d0;
          if (i0 < 0 || i0 >= s.in0) {
            continue;
          }
          for (int j1 = 0; j1 < s.k1; j1++) {
            int i1 = i1s + j1 * s.d1;
            if (i1 < 0 || i1 >= s.in1) {
              continue;
            }
            for (int j2 = 0; j2 < s.k2; j2++) {
              int i2 = i2s + j2 * s.d2;
              if (i2 < 0 || i2 >= s.in2) {
                continue;
              }
              int src = (xImage + (i0 * s.in1 + i1) * s.in2 + i2) * c;
              if (!max) {
                ConvRuns.addDivided(gradIn, src, gradOut, dy, c, count);
              } else if (first) {
                System.arraycopy(x, src, best, 0, c);
                for (int ch = 0; ch < c; ch++) {
                  at[ch] = src + ch;
                }
              } else {
                for (int ch = 0; ch < c; ch++) {
                  float v = x[src + ch];
                  if (v > best[ch]) {
                    best[ch] = v;
                    at[ch] = src + ch;
                  }
                }
              }
              first = false;
            }
          }
        }
        if (max) {
          for (int ch = 0; ch < c; ch++) {
            gradIn[at[ch]] += gradOut[dy + ch];
          }
        }
      }
    }
  }

  static void poolBackwardImages(
      boolean max, ConvShape3d s, double[] x, double[] gradOut, double[] gradIn, int lo, int hi) {
    int c = s.channels;
    double[] best = max ? new double[c] : null;
    int[] at = max ? new int[c] : null;
    for (int n = lo; n < hi; n++) {
      int xImage = n * s.inVolume;
      Arrays.fill(gradIn, xImage * c, (xImage + s.inVolume) * c, 0.0);
      for (int o = 0; o < s.outVolume; o++) {
        int dy = (n * s.outVolume + o) * c;
        int i0s = s.start0(o);
        int i1s = s.start1(o);
        int i2s = s.start2(o);
        int count =
            inside(i0s, s.k0, s.d0, s.in0)
                * inside(i1s, s.k1, s.d1, s.in1)
                * inside(i2s, s.k2, s.d2, s.in2);
        if (count == 0) {
          continue;
        }
        boolean first = true;
        for (int j0 = 0; j0 < s.k0; j0++) {
          int i0 = i0s + j0 * s.d0;
          if (i0 < 0 || i0 >= s.in0) {
            continue;
          }
          for (int j1 = 0; j1 < s.k1; j1++) {
            int i1 = i1s + j1 * s.d1;
            if (i1 < 0 || i1 >= s.in1) {
              continue;
            }
            for (int j2 = 0; j2 < s.k2; j2++) {
              int i2 = i2s + j2 * s.d2;
              if (i2 < 0 || i2 >= s.in2) {
                continue;
              }
              int src = (xImage + (i0 * s.in1 + i1) * s.in2 + i2) * c;
              if (!max) {
                ConvRuns.addDivided(gradIn, src, gradOut, dy, c, count);
              } else if (first) {
                System.arraycopy(x, src, best, 0, c);
                for (int ch = 0; ch < c; ch++) {
                  at[ch] = src + ch;
                }
              } else {
                for (int ch = 0; ch < c; ch++) {
                  double v = x[src + ch];
                  if (v > best[ch]) {
                    best[ch] = v;
                    at[ch] = src + ch;
                  }
                }
              }
              first = false;
            }
          }
        }
        if (max) {
          for (int ch = 0; ch < c; ch++) {
            gradIn[at[ch]] += gradOut[dy + ch];
          }
        }
      }
    }
  }
}

package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.ConvGeometry;
import java.util.Arrays;

/**
 * The unfolding kernels behind convolution: {@code im2col} copies every convolution window into one
 * row of a matrix, {@code col2im} adds such a matrix back into an image (its adjoint).
 *
 * <p>Layouts (see {@link dev.sonnet.backend.Backend#im2col}): the image is channels-last {@code
 * [batch, in..., C]}; the matrix is {@code [groups, batch * outVolume, kernelVolume * C/groups]},
 * row = output position, column = kernel offset (major) then channel within the group (minor).
 *
 * <p>Two implementations: the scalar reference computes, for every matrix element, the image index
 * it mirrors ({@link #sourceIndex}), the specification in one function; the fast path walks a row
 * at a time, copying (or adding) whole channel runs, and over a kernel row at once when the
 * channels of consecutive window positions are contiguous (one group, dilation 1), in parallel over
 * rows (im2col) or over images and groups (col2im, whose rows overlap).
 */
final class ConvKernels {
  /** Runs up to this many elements are copied or cleared in a plain loop, longer ones in bulk. */
  static final int SHORT_RUN = 32;

  private ConvKernels() {}

  static void im2col(ConvGeometry g, CpuBuffer x, CpuBuffer cols, boolean vectorized) {
    ConvShape3d s = new ConvShape3d(g);
    int grain = CpuParallel.grainFor((long) s.groups * s.cols());
    switch (x.dtype()) {
      case FLOAT32 -> {
        if (vectorized) {
          CpuParallel.parallelFor(
              s.rows(), grain, (lo, hi) -> im2colRows(s, x.f32(), cols.f32(), lo, hi));
        } else {
          im2colReference(s, x.f32(), cols.f32());
        }
      }
      case FLOAT64 -> {
        if (vectorized) {
          CpuParallel.parallelFor(
              s.rows(), grain, (lo, hi) -> im2colRows(s, x.f64(), cols.f64(), lo, hi));
        } else {
          im2colReference(s, x.f64(), cols.f64());
        }
      }
      default -> throw unsupported("im2col", x);
    }
  }

  static void col2im(ConvGeometry g, CpuBuffer cols, CpuBuffer x, boolean vectorized) {
    ConvShape3d s = new ConvShape3d(g);
    int grain = CpuParallel.grainFor((long) s.outVolume * s.cols());
    switch (x.dtype()) {
      case FLOAT32 -> {
        if (vectorized) {
          CpuParallel.parallelFor(
              s.batch * s.groups, grain, (lo, hi) -> col2imImages(s, cols.f32(), x.f32(), lo, hi));
        } else {
          col2imReference(s, cols.f32(), x.f32());
        }
      }
      case FLOAT64 -> {
        if (vectorized) {
          CpuParallel.parallelFor(
              s.batch * s.groups, grain, (lo, hi) -> col2imImages(s, cols.f64(), x.f64(), lo, hi));
        } else {
          col2imReference(s, cols.f64(), x.f64());
        }
      }
      default -> throw unsupported("col2im", x);
    }
  }

  static UnsupportedOperationException unsupported(String kernel, CpuBuffer x) {
    return new UnsupportedOperationException(
        kernel + " supports f32 and f64 only, got " + x.dtype());
  }

  // ---- scalar reference ----------------------------------------------------------------------

  /**
   * The image element that matrix element {@code (group, row, col)} mirrors, or -1 where the window
   * lies in the padding.
   */
  static int sourceIndex(ConvShape3d s, int group, int row, int col) {
    int n = row / s.outVolume;
    int o = row % s.outVolume;
    int o0 = o / (s.out1 * s.out2);
    int o1 = o / s.out2 % s.out1;
    int o2 = o % s.out2;
    int k = col / s.cg;
    int c = col % s.cg;
    int j0 = k / (s.k1 * s.k2);
    int j1 = k / s.k2 % s.k1;
    int j2 = k % s.k2;
    int i0 = o0 * s.s0 - s.p0 + j0 * s.d0;
    int i1 = o1 * s.s1 - s.p1 + j1 * s.d1;
    int i2 = o2 * s.s2 - s.p2 + j2 * s.d2;
    if (i0 < 0 || i0 >= s.in0 || i1 < 0 || i1 >= s.in1 || i2 < 0 || i2 >= s.in2) {
      return -1;
    }
    return (((n * s.in0 + i0) * s.in1 + i1) * s.in2 + i2) * s.channels + group * s.cg + c;
  }

  static void im2colReference(ConvShape3d s, float[] x, float[] cols) {
    int rows = s.rows();
    int width = s.cols();
    for (int g = 0; g < s.groups; g++) {
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < width; c++) {
          int src = sourceIndex(s, g, r, c);
          cols[(g * rows + r) * width + c] = src < 0 ? 0f : x[src];
        }
      }
    }
  }

  static void im2colReference(ConvShape3d s, double[] x, double[] cols) {
    int rows = s.rows();
    int width = s.cols();
    for (int g = 0; g < s.groups; g++) {
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < width; c++) {
          int src = sourceIndex(s, g, r, c);
          cols[(g * rows + r) * width + c] = src < 0 ? 0.0 : x[src];
        }
      }
    }
  }

  static void col2imReference(ConvShape3d s, float[] cols, float[] x) {
    int rows = s.rows();
    int width = s.cols();
    for (int g = 0; g < s.groups; g++) {
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < width; c++) {
          int dst = sourceIndex(s, g, r, c);
          if (dst >= 0) {
            x[dst] += cols[(g * rows + r) * width + c];
          }
        }
      }
    }
  }

  static void col2imReference(ConvShape3d s, double[] cols, double[] x) {
    int rows = s.rows();
    int width = s.cols();
    for (int g = 0; g < s.groups; g++) {
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < width; c++) {
          int dst = sourceIndex(s, g, r, c);
          if (dst >= 0) {
            x[dst] += cols[(g * rows + r) * width + c];
          }
        }
      }
    }
  }

  // ---- fast path -----------------------------------------------------------------------------

  /** Fills matrix rows {@code [lo, hi)} of every group. */
  static void im2colRows(ConvShape3d s, float[] x, float[] cols, int lo, int hi) {
    int rows = s.rows();
    int width = s.cols();
    int cg = s.cg;
    int c = s.channels;
    int plane = s.k1 * s.k2 * cg;
    int line = s.k2 * cg;
    boolean contiguous = s.groups == 1 && s.d2 == 1;
    // Output coordinates of row lo, then advanced row by row (no divisions per row).
    int n = lo / s.outVolume;
    int o = lo % s.outVolume;
    int o0 = o / (s.out1 * s.out2);
    int o1 = o / s.out2 % s.out1;
    int o2 = o % s.out2;
    for (int r = lo; r < hi; r++) {
      if (r > lo && ++o2 == s.out2) {
        o2 = 0;
        if (++o1 == s.out1) {
          o1 = 0;
          if (++o0 == s.out0) {
            o0 = 0;
            n++;
          }
        }
      }
      int i0s = o0 * s.s0 - s.p0;
      int i1s = o1 * s.s1 - s.p1;
      int i2s = o2 * s.s2 - s.p2;
      // Window positions j2 in [first2, last2) read inside the input along the last axis.
      int first2 = contiguous ? Math.min(s.k2, Math.max(0, -i2s)) : 0;
      int last2 = contiguous ? Math.max(first2, Math.min(s.k2, s.in2 - i2s)) : 0;
      int xImage = n * s.inVolume * c;
      for (int g = 0; g < s.groups; g++) {
        int pos = (g * rows + r) * width;
        int xGroup = xImage + g * cg;
        for (int j0 = 0; j0 < s.k0; j0++) {
          int i0 = i0s + j0 * s.d0;
          if (i0 < 0 || i0 >= s.in0) {
            Arrays.fill(cols, pos, pos + plane, 0f);
            pos += plane;
            continue;
          }
          for (int j1 = 0; j1 < s.k1; j1++) {
            int i1 = i1s + j1 * s.d1;
            if (i1 < 0 || i1 >= s.in1) {
              Arrays.fill(cols, pos, pos + line, 0f);
              pos += line;
              continue;
            }
            int xLine = xGroup + (i0 * s.in1 + i1) * s.in2 * c;
            if (contiguous) {
              zeroRun(cols, pos, first2 * cg);
              copyRun(
                  x, xLine + (i2s + first2) * c, cols, pos + first2 * cg, (last2 - first2) * cg);
              zeroRun(cols, pos + last2 * cg, (s.k2 - last2) * cg);
              pos += line;
              continue;
            }
            for (int j2 = 0; j2 < s.k2; j2++) {
              int i2 = i2s + j2 * s.d2;
              if (i2 < 0 || i2 >= s.in2) {
                zeroRun(cols, pos, cg);
              } else {
                copyRun(x, xLine + i2 * c, cols, pos, cg);
              }
              pos += cg;
            }
          }
        }
      }
    }
  }

  /**
   * {@code cols[dst, dst + len) = x[src, src + len)}: short runs (a window row of a few channels)
   * in a plain loop, which beats the call into the arraycopy stub.
   */
  private static void copyRun(float[] x, int src, float[] cols, int dst, int len) {
    if (len > SHORT_RUN) {
      System.arraycopy(x, src, cols, dst, len);
    } else {
      for (int i = 0; i < len; i++) {
        cols[dst + i] = x[src + i];
      }
    }
  }

  /** {@code cols[dst, dst + len) = 0}, short runs in a plain loop. */
  private static void zeroRun(float[] cols, int dst, int len) {
    if (len > SHORT_RUN) {
      Arrays.fill(cols, dst, dst + len, 0f);
    } else {
      for (int i = 0; i < len; i++) {
        cols[dst + i] = 0f;
      }
    }
  }

  static void im2colRows(ConvShape3d s, double[] x, double[] cols, int lo, int hi) {
    int rows = s.rows();
    int width = s.cols();
    int cg = s.cg;
    int c = s.channels;
    int plane = s.k1 * s.k2 * cg;
    int line = s.k2 * cg;
    boolean contiguous = s.groups == 1 && s.d2 == 1;
    // Output coordinates of row lo, then advanced row by row (no divisions per row).
    int n = lo / s.outVolume;
    int o = lo % s.outVolume;
    int o0 = o / (s.out1 * s.out2);
    int o1 = o / s.out2 % s.out1;
    int o2 = o % s.out2;
    for (int r = lo; r < hi; r++) {
      if (r > lo && ++o2 == s.out2) {
        o2 = 0;
        if (++o1 == s.out1) {
          o1 = 0;
          if (++o0 == s.out0) {
            o0 = 0;
            n++;
          }
        }
      }
      int i0s = o0 * s.s0 - s.p0;
      int i1s = o1 * s.s1 - s.p1;
      int i2s = o2 * s.s2 - s.p2;
      int first2 = contiguous ? Math.min(s.k2, Math.max(0, -i2s)) : 0;
      int last2 = contiguous ? Math.max(first2, Math.min(s.k2, s.in2 - i2s)) : 0;
      int xImage = n * s.inVolume * c;
      for (int g = 0; g < s.groups; g++) {
        int pos = (g * rows + r) * width;
        int xGroup = xImage + g * cg;
        for (int j0 = 0; j0 < s.k0; j0++) {
          int i0 = i0s + j0 * s.d0;
          if (i0 < 0 || i0 >= s.in0) {
            Arrays.fill(cols, pos, pos + plane, 0.0);
            pos += plane;
            continue;
          }
          for (int j1 = 0; j1 < s.k1; j1++) {
            int i1 = i1s + j1 * s.d1;
            if (i1 < 0 || i1 >= s.in1) {
              Arrays.fill(cols, pos, pos + line, 0.0);
              pos += line;
              continue;
            }
            int xLine = xGroup + (i0 * s.in1 + i1) * s.in2 * c;
            if (contiguous) {
              zeroRun(cols, pos, first2 * cg);
              copyRun(
                  x, xLine + (i2s + first2) * c, cols, pos + first2 * cg, (last2 - first2) * cg);
              zeroRun(cols, pos + last2 * cg, (s.k2 - last2) * cg);
              pos += line;
              continue;
            }
            for (int j2 = 0; j2 < s.k2; j2++) {
              int i2 = i2s + j2 * s.d2;
              if (i2 < 0 || i2 >= s.in2) {
                zeroRun(cols, pos, cg);
              } else {
                copyRun(x, xLine + i2 * c, cols, pos, cg);
              }
              pos += cg;
            }
          }
        }
      }
    }
  }

  /**
   * {@code cols[dst, dst + len) = x[src, src + len)}: short runs (a window row of a few channels)
   * in a plain loop, which beats the call into the arraycopy stub.
   */
  private static void copyRun(double[] x, int src, double[] cols, int dst, int len) {
    if (len > SHORT_RUN) {
      System.arraycopy(x, src, cols, dst, len);
    } else {
      for (int i = 0; i < len; i++) {
        cols[dst + i] = x[src + i];
      }
    }
  }

  /** {@code cols[dst, dst + len) = 0}, short runs in a plain loop. */
  private static void zeroRun(double[] cols, int dst, int len) {
    if (len > SHORT_RUN) {
      Arrays.fill(cols, dst, dst + len, 0.0);
    } else {
      for (int i = 0; i < len; i++) {
        cols[dst + i] = 0.0;
      }
    }
  }

  /**
   * Adds back the matrix rows of images-and-groups {@code [lo, hi)} (task {@code t} is image {@code
   * t / groups}, group {@code t % groups}); tasks write disjoint image elements.
   */
  static void col2imImages(ConvShape3d s, float[] cols, float[] x, int lo, int hi) {
    int rows = s.rows();
    int width = s.cols();
    int cg = s.cg;
    int c = s.channels;
    boolean contiguous = s.groups == 1 && s.d2 == 1;
    for (int t = lo; t < hi; t++) {
      int n = t / s.groups;
      int g = t % s.groups;
      int xGroup = n * s.inVolume * c + g * cg;
      for (int o = 0; o < s.outVolume; o++) {
        int r = n * s.outVolume + o;
        int i0s = s.start0(o);
        int i1s = s.start1(o);
        int i2s = s.start2(o);
        int first2 = contiguous ? Math.min(s.k2, Math.max(0, -i2s)) : 0;
        int last2 = contiguous ? Math.max(first2, Math.min(s.k2, s.in2 - i2s)) : 0;
        int rowStart = (g * rows + r) * width;
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
            int pos = rowStart + (j0 * s.k1 + j1) * s.k2 * cg;
            int xLine = xGroup + (i0 * s.in1 + i1) * s.in2 * c;
            if (contiguous) {
              ConvRuns.add(
                  x, xLine + (i2s + first2) * c, cols, pos + first2 * cg, (last2 - first2) * cg);
              continue;
            }
            for (int j2 = 0; j2 < s.k2; j2++) {
              int i2 = i2s + j2 * s.d2;
              if (i2 >= 0 && i2 < s.in2) {
                if (cg == 1) {
                  x[xLine + i2 * c] += cols[pos];
                } else {
                  ConvRuns.add(x, xLine + i2 * c, cols, pos, cg);
                }
              }
              pos += cg;
            }
          }
        }
      }
    }
  }

  static void col2imImages(ConvShape3d s, double[] cols, double[] x, int lo, int hi) {
    int rows = s.rows();
    int width = s.cols();
    int cg = s.cg;
    int c = s.channels;
    boolean contiguous = s.groups == 1 && s.d2 == 1;
    for (int t = lo; t < hi; t++) {
      int n = t / s.groups;
      int g = t % s.groups;
      int xGroup = n * s.inVolume * c + g * cg;
      for (int o = 0; o < s.outVolume; o++) {
        int r = n * s.outVolume + o;
        int i0s = s.start0(o);
        int i1s = s.start1(o);
        int i2s = s.start2(o);
        int first2 = contiguous ? Math.min(s.k2, Math.max(0, -i2s)) : 0;
        int last2 = contiguous ? Math.max(first2, Math.min(s.k2, s.in2 - i2s)) : 0;
        int rowStart = (g * rows + r) * width;
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
            int pos = rowStart + (j0 * s.k1 + j1) * s.k2 * cg;
            int xLine = xGroup + (i0 * s.in1 + i1) * s.in2 * c;
            if (contiguous) {
              ConvRuns.add(
                  x, xLine + (i2s + first2) * c, cols, pos + first2 * cg, (last2 - first2) * cg);
              continue;
            }
            for (int j2 = 0; j2 < s.k2; j2++) {
              int i2 = i2s + j2 * s.d2;
              if (i2 >= 0 && i2 < s.in2) {
                if (cg == 1) {
                  x[xLine + i2 * c] += cols[pos];
                } else {
                  ConvRuns.add(x, xLine + i2 * c, cols, pos, cg);
                }
              }
              pos += cg;
            }
          }
        }
      }
    }
  }
}

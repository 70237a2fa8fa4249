package dev.sonnet.runtime.cpu;

import static dev.sonnet.runtime.cpu.ThreadCountFixtures.assertSameBitsForEveryThreadCount;

import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.GemmSpec;
import dev.sonnet.backend.PoolKind;
import dev.sonnet.backend.ReduceKind;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.ops.ShapeOps;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every CPU kernel family gives bit-identical results with 1, 2 and 3 threads, on both the vector
 * and the scalar reference backends.
 *
 * <p>Sizes are odd and large enough that each kernel's parallel path engages: more work than two
 * chunks' grain ({@link CpuParallel#grainFor}, at least 1024 elements for element-wise kernels),
 * GEMMs above {@link VectorGemmF32#PARALLEL_MIN_FLOPS}, convolutions of several output lines per
 * image. Element-wise sizes are not multiples of the vector length, so chunk boundaries would fall
 * inside a vector's span if the splitter did not align them.
 */
class ThreadCountDeterminismTest {
  private static final List<CpuBackend> BACKENDS =
      List.of(KernelFixtures.VECTOR, KernelFixtures.SCALAR);

  /** 3 * 2^15 + 7 elements: three chunks even for the cheapest kernels, an odd tail. */
  private static final int LARGE = 3 * (1 << 15) + 7;

  // ---- matrix products -----------------------------------------------------------------------

  @Test
  void gemm_f32AndF64_sameForEveryThreadCount() {
    // m, n, k, transA, transB, batch: wide (split by columns), tall (by rows), the small-shape
    // direct path (m <= 128, k <= 64), a shallow A (first conv layer), deep K over several KC
    // blocks, and batches fewer and more than the thread counts.
    int[][] shapes = {
      {37, 515, 301, 0, 0, 1}, {517, 19, 133, 0, 0, 1}, {100, 1001, 50, 0, 0, 1},
      {1025, 32, 27, 0, 0, 1}, {67, 131, 601, 1, 0, 1}, {131, 67, 257, 0, 1, 1},
      {71, 93, 211, 1, 1, 1}, {45, 77, 129, 0, 0, 2}, {33, 45, 77, 0, 0, 5}
    };
    for (CpuBackend backend : BACKENDS) {
      for (int[] s : shapes) {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
          int m = s[0];
          int n = s[1];
          int k = s[2];
          boolean ta = s[3] == 1;
          boolean tb = s[4] == 1;
          int batch = s[5];
          GemmSpec spec =
              new GemmSpec(
                  batch,
                  m,
                  n,
                  k,
                  ta,
                  0,
                  ta ? m : k,
                  (long) m * k,
                  tb,
                  0,
                  tb ? k : n,
                  (long) k * n,
                  0,
                  n,
                  (long) m * n,
                  false);
          DeviceBuffer a = random(backend, dtype, batch * m * k, 1);
          DeviceBuffer b = random(backend, dtype, batch * k * n, 2);
          assertSameBitsForEveryThreadCount(
              "gemm " + dtype + " " + java.util.Arrays.toString(s) + " on " + name(backend),
              () -> {
                DeviceBuffer c = backend.allocate(dtype, (long) batch * m * n);
                backend.gemm(spec, a, b, c);
                return download(c);
              });
        }
      }
    }
  }

  // ---- convolutions --------------------------------------------------------------------------

  /** The forward convolution's kernels: {@link DirectConvF32}, {@link NarrowConvF32}, im2col. */
  @Test
  void convolutionForward_directNarrowAndIm2col_sameForEveryThreadCount() {
    // c, o: output channels along lanes (direct), few output channels (narrow).
    int[][] channels = {{16, 33}, {32, 3}, {5, 17}};
    for (int[] co : channels) {
      ConvGeometry g = ConvGradFixtures.square(3, 2, 19, co[0], 1, 1, "SAME");
      DeviceBuffer x = random(KernelFixtures.VECTOR, DType.FLOAT32, g.batch() * 19 * 19 * co[0], 3);
      DeviceBuffer w = random(KernelFixtures.VECTOR, DType.FLOAT32, 9 * co[0] * co[1], 4);
      assertSameBitsForEveryThreadCount(
          "direct conv " + co[0] + "->" + co[1],
          () -> {
            DeviceBuffer y =
                KernelFixtures.VECTOR.allocate(
                    DType.FLOAT32, (long) g.batch() * g.outVolume() * co[1]);
            if (!KernelFixtures.VECTOR.convolveDirect(g, co[1], x, w, y)) {
              throw new AssertionError("the vector backend declined a direct convolution");
            }
            return KernelFixtures.f32(y);
          });
    }
    ConvGeometry g =
        ConvGradFixtures.geometry(
            3, new int[] {21, 17}, 7, new int[] {3, 3}, new int[] {2, 1}, new int[] {1, 2}, "SAME");
    ConvShape3d s = new ConvShape3d(g);
    for (CpuBackend backend : BACKENDS) {
      for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
        DeviceBuffer x = random(backend, dtype, g.batch() * g.inVolume() * 7, 5);
        DeviceBuffer cols = random(backend, dtype, s.groups * s.rows() * s.cols(), 6);
        assertSameBitsForEveryThreadCount(
            "im2col " + dtype + " on " + name(backend),
            () -> {
              DeviceBuffer out = backend.allocate(dtype, (long) s.groups * s.rows() * s.cols());
              backend.im2col(g, x, out);
              return download(out);
            });
        assertSameBitsForEveryThreadCount(
            "col2im " + dtype + " on " + name(backend),
            () -> {
              DeviceBuffer out = backend.allocate(dtype, (long) g.batch() * g.inVolume() * 7);
              backend.col2im(g, cols, out);
              return download(out);
            });
      }
    }
  }

  /**
   * {@link DirectConvFilterGradF32}: a sum over every output pixel of the batch, split into parts.
   * Before parts were fixed by the size, 1 and 2 threads differed in most elements.
   */
  @Test
  void convolutionFilterGradient_sameForEveryThreadCount() {
    Object[][] cases = {
      {ConvGradFixtures.square(5, 2, 23, 3, 1, 1, "SAME"), 32},
      {ConvGradFixtures.square(4, 2, 16, 32, 1, 1, "SAME"), 64},
      {ConvGradFixtures.square(3, 2, 15, 16, 2, 1, "VALID"), 33},
      {ConvGradFixtures.square(2, 3, 9, 4, 1, 1, "SAME"), 17},
      {
        ConvGradFixtures.geometry(
            64,
            new int[] {14, 14},
            1,
            new int[] {3, 3},
            new int[] {1, 1},
            new int[] {1, 1},
            "SAME"),
        8
      }
    };
    for (Object[] c : cases) {
      ConvGeometry g = (ConvGeometry) c[0];
      int o = (Integer) c[1];
      DeviceBuffer x =
          random(KernelFixtures.VECTOR, DType.FLOAT32, g.batch() * g.inVolume() * g.channels(), 7);
      DeviceBuffer dy =
          random(KernelFixtures.VECTOR, DType.FLOAT32, g.batch() * g.outVolume() * o, 8);
      assertSameBitsForEveryThreadCount(
          "conv filter gradient " + ConvGradFixtures.describe(g, o),
          () -> {
            DeviceBuffer dw =
                KernelFixtures.VECTOR.allocate(
                    DType.FLOAT32, (long) g.kernelVolume() * g.channels() * o);
            if (!KernelFixtures.VECTOR.convolveFilterGradientDirect(g, o, x, dy, dw)) {
              throw new AssertionError("the vector backend declined a filter gradient");
            }
            return KernelFixtures.f32(dw);
          });
    }
  }

  /** {@link DirectConvInputGradF32}: a forward convolution of {@code dy}, direct or narrow. */
  @Test
  void convolutionInputGradient_sameForEveryThreadCount() {
    int[][] channels = {{3, 32}, {32, 64}, {17, 5}};
    for (int[] co : channels) {
      ConvGeometry g = ConvGradFixtures.square(3, 2, 18, co[0], 1, 1, "SAME");
      int o = co[1];
      DeviceBuffer dy =
          random(KernelFixtures.VECTOR, DType.FLOAT32, g.batch() * g.outVolume() * o, 9);
      DeviceBuffer w =
          random(KernelFixtures.VECTOR, DType.FLOAT32, g.kernelVolume() * g.channels() * o, 10);
      assertSameBitsForEveryThreadCount(
          "conv input gradient " + co[0] + "<-" + o,
          () -> {
            DeviceBuffer dx =
                KernelFixtures.VECTOR.allocate(
                    DType.FLOAT32, (long) g.batch() * g.inVolume() * g.channels());
            if (!KernelFixtures.VECTOR.convolveInputGradientDirect(g, o, dy, w, dx)) {
              throw new AssertionError("the vector backend declined an input gradient");
            }
            return KernelFixtures.f32(dx);
          });
    }
  }

  // ---- reductions ----------------------------------------------------------------------------

  @Test
  void reductions_overRowsColumnsAndAllAxes_sameForEveryThreadCount() {
    int[] shape = {7, 101, 1501};
    boolean[][] axes = {
      {false, false, true}, // rows: [K, R]
      {true, false, false}, // leading axis: [R, K2]
      {false, true, false}, // middle axis: [K1, R, K2]
      {true, false, true}, // outer and inner: strided rows (scalar path)
      {true, true, true}
    }; // everything
    int volume = 7 * 101 * 1501;
    for (CpuBackend backend : BACKENDS) {
      for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
        DeviceBuffer x = random(backend, dtype, volume, 11);
        for (boolean[] reduce : axes) {
          int outSize = 1;
          for (int d = 0; d < shape.length; d++) {
            outSize *= reduce[d] ? 1 : shape[d];
          }
          int size = outSize;
          for (ReduceKind kind :
              new ReduceKind[] {ReduceKind.SUM, ReduceKind.PROD, ReduceKind.MAX, ReduceKind.MIN}) {
            assertSameBitsForEveryThreadCount(
                kind
                    + " "
                    + dtype
                    + " over "
                    + java.util.Arrays.toString(reduce)
                    + " on "
                    + name(backend),
                () -> {
                  DeviceBuffer out = backend.allocate(dtype, size);
                  backend.reduce(kind, x, shape, reduce, out);
                  return download(out);
                });
          }
        }
        for (int axis = 0; axis < 3; axis++) {
          boolean[] reduce = new boolean[3];
          reduce[axis] = true;
          int size = volume / shape[axis];
          assertSameBitsForEveryThreadCount(
              "ARGMAX " + dtype + " axis " + axis + " on " + name(backend),
              () -> {
                DeviceBuffer out = backend.allocate(DType.INT64, size);
                backend.reduce(ReduceKind.ARGMAX, x, shape, reduce, out);
                return KernelFixtures.i64(out);
              });
        }
      }
    }
  }

  // ---- pooling -------------------------------------------------------------------------------

  @Test
  void reluBiasGradient_sameForEveryThreadCount() {
    // 4 * MIN_PART_ROWS + 7 rows: several parts, split differently on each thread count.
    int rows = 4 * ReluBiasGradKernels.MIN_PART_ROWS + 7;
    for (CpuBackend backend : BACKENDS) {
      for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
        for (int channels : new int[] {32, 20}) {
          DeviceBuffer y = random(backend, dtype, rows * channels, 14);
          DeviceBuffer g = random(backend, dtype, rows * channels, 15);
          assertSameBitsForEveryThreadCount(
              "relu + bias gradient " + dtype + ", " + channels + " channels on " + name(backend),
              () -> {
                DeviceBuffer dz = backend.allocate(dtype, (long) rows * channels);
                DeviceBuffer db = backend.allocate(dtype, channels);
                backend.reluBiasGradient(y, g, rows, channels, dz, db);
                return List.of(download(dz), download(db));
              });
        }
      }
    }
  }

  @Test
  void pooling_forwardAndBackward_sameForEveryThreadCount() {
    ConvGeometry g =
        ConvGradFixtures.geometry(
            4,
            new int[] {31, 29},
            33,
            new int[] {3, 3},
            new int[] {2, 2},
            new int[] {1, 1},
            "SAME");
    int in = g.batch() * g.inVolume() * g.channels();
    int out = g.batch() * g.outVolume() * g.channels();
    for (CpuBackend backend : BACKENDS) {
      for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
        DeviceBuffer x = random(backend, dtype, in, 12);
        DeviceBuffer gradOut = random(backend, dtype, out, 13);
        for (PoolKind kind : PoolKind.values()) {
          String what = kind + " pool " + dtype + " on " + name(backend);
          assertSameBitsForEveryThreadCount(
              what,
              () -> {
                DeviceBuffer y = backend.allocate(dtype, out);
                backend.pool(kind, g, x, y);
                return download(y);
              });
          assertSameBitsForEveryThreadCount(
              what + " backward",
              () -> {
                DeviceBuffer dx = backend.allocate(dtype, in);
                backend.poolBackward(kind, g, x, gradOut, dx);
                return download(dx);
              });
        }
      }
    }
  }

  // ---- element-wise --------------------------------------------------------------------------

  @Test
  void unary_everyFloatKind_sameForEveryThreadCount() {
    for (CpuBackend backend : BACKENDS) {
      for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
        // Positive, so that LOG, SQRT and RSQRT give numbers rather than NaN everywhere.
        DeviceBuffer x = random(backend, dtype, LARGE, 14, 0.01, 4);
        for (UnaryKind kind : UnaryKind.values()) {
          if (kind == UnaryKind.LOGICAL_NOT) {
            continue;
          }
          assertSameBitsForEveryThreadCount(
              kind + " " + dtype + " on " + name(backend),
              () -> {
                DeviceBuffer out = backend.allocate(dtype, LARGE);
                backend.unary(kind, x, out);
                return download(out);
              });
        }
      }
    }
  }

  @Test
  void binary_sameShapeScalarAndBroadcasts_sameForEveryThreadCount() {
    int rows = 61;
    int cols = 1611;
    int[] shape = {rows, cols};
    long[] dense = {cols, 1};
    // b's strides: same shape, a scalar, a row [cols], a column [rows, 1].
    long[][] bStrides = {dense, {0, 0}, {0, 1}, {1, 0}};
    int[] bSizes = {rows * cols, 1, cols, rows};
    for (CpuBackend backend : BACKENDS) {
      for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
        DeviceBuffer a = random(backend, dtype, rows * cols, 15, 0.5, 2);
        for (int v = 0; v < bStrides.length; v++) {
          DeviceBuffer b = random(backend, dtype, bSizes[v], 16 + v, 0.5, 2);
          long[] bs = bStrides[v];
          for (BinaryKind kind : BinaryKind.values()) {
            if (kind == BinaryKind.LOGICAL_AND || kind == BinaryKind.LOGICAL_OR) {
              continue;
            }
            DType outType = kind.returnsBool() ? DType.BOOL : dtype;
            assertSameBitsForEveryThreadCount(
                kind
                    + " "
                    + dtype
                    + " b strides "
                    + java.util.Arrays.toString(bs)
                    + " on "
                    + name(backend),
                () -> {
                  DeviceBuffer out = backend.allocate(outType, (long) rows * cols);
                  backend.binary(kind, a, dense, b, bs, out, shape);
                  return download(out);
                });
          }
        }
      }
    }
  }

  @Test
  void whereAndCast_sameForEveryThreadCount() {
    int[] shape = {LARGE};
    long[] dense = {1};
    boolean[] mask = new boolean[LARGE];
    Random r = new Random(17);
    for (int i = 0; i < LARGE; i++) {
      mask[i] = r.nextBoolean();
    }
    for (CpuBackend backend : BACKENDS) {
      DeviceBuffer cond = backend.upload(mask);
      for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
        DeviceBuffer a = random(backend, dtype, LARGE, 18);
        DeviceBuffer zero = backend.allocate(dtype, 1);
        assertSameBitsForEveryThreadCount(
            "where " + dtype + " on " + name(backend),
            () -> {
              DeviceBuffer out = backend.allocate(dtype, LARGE);
              backend.where(cond, dense, a, dense, zero, new long[] {0}, out, shape);
              return download(out);
            });
        for (DType to : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64}) {
          assertSameBitsForEveryThreadCount(
              "cast " + dtype + " to " + to + " on " + name(backend),
              () -> {
                DeviceBuffer out = backend.allocate(to, LARGE);
                backend.cast(a, out);
                return download(out);
              });
        }
      }
    }
  }

  // ---- index kernels and composite ops through the public API --------------------------------

  /** Gather, scatter-add and one-hot through the ops, on the default (CPU) backend. */
  @Test
  void gatherScatterAddAndOneHot_sameForEveryThreadCount() {
    Rng rng = new Rng(19);
    Tensor x = Tensor.randomNormal(rng, DType.FLOAT32, Shape.of(37, 211, 129), 0, 1);
    int[] picks = new int[301];
    Random r = new Random(20);
    for (int i = 0; i < picks.length; i++) {
      picks[i] = r.nextInt(211); // with repeats: scatter-add sums duplicates
    }
    Tensor indices = Tensor.of(picks, picks.length);
    assertSameBitsForEveryThreadCount("gather", () -> x.gather(indices, 1).toFloatArray());
    Tensor updates = Tensor.randomNormal(rng, DType.FLOAT32, Shape.of(37, 301, 129), 0, 1);
    assertSameBitsForEveryThreadCount(
        "scatterAdd", () -> ShapeOps.scatterAdd(x, indices, updates, 1).toFloatArray());
    Tensor labels = Tensor.of(picks, picks.length).reshape(1, picks.length);
    assertSameBitsForEveryThreadCount(
        "oneHot", () -> labels.oneHot(211, DType.FLOAT32).toFloatArray());
  }

  /** Softmax and log-softmax (reductions and element-wise kernels) through the ops. */
  @Test
  void softmaxAndLogSoftmax_sameForEveryThreadCount() {
    Tensor x = Tensor.randomNormal(new Rng(21), DType.FLOAT32, Shape.of(257, 1001), 0, 3);
    for (int axis : new int[] {0, 1}) {
      assertSameBitsForEveryThreadCount(
          "softmax axis " + axis, () -> x.softmax(axis).toFloatArray());
      assertSameBitsForEveryThreadCount(
          "logSoftmax axis " + axis, () -> x.logSoftmax(axis).toFloatArray());
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static DeviceBuffer random(CpuBackend backend, DType dtype, int n, long seed) {
    return random(backend, dtype, n, seed, -1, 1);
  }

  private static DeviceBuffer random(
      CpuBackend backend, DType dtype, int n, long seed, double lo, double hi) {
    return dtype == DType.FLOAT32
        ? backend.upload(KernelFixtures.randomF32(n, seed, lo, hi))
        : backend.upload(KernelFixtures.randomF64(n, seed, lo, hi));
  }

  private static Object download(DeviceBuffer b) {
    return switch (b.dtype()) {
      case FLOAT32 -> KernelFixtures.f32(b);
      case FLOAT64 -> KernelFixtures.f64(b);
      case INT32 -> KernelFixtures.i32(b);
      case INT64 -> KernelFixtures.i64(b);
      case BOOL -> KernelFixtures.bool(b);
      case BFLOAT16, FLOAT16 -> {
        short[] bits = new short[(int) b.size()];
        b.backend().download(b, bits);
        yield bits;
      }
    };
  }

  private static String name(CpuBackend backend) {
    return backend.vectorized() ? "vector" : "scalar";
  }
}

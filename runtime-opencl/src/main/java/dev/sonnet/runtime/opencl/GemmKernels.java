package dev.sonnet.runtime.opencl;

import dev.sonnet.SonnetException;
import dev.sonnet.backend.GemmSpec;

/**
 * Launches the matrix products of {@code gemm.cl}. Every {@link GemmSpec} field is honoured by both
 * kernels (transposes, offsets, leading dimensions, batch strides including 0, accumulate): {@code
 * gemm_tiled} (local-memory tiles, a register block of outputs per work-item, tile sizes from
 * {@link TileConfig#forDevice}) for products big enough to fill its tiles, and {@code gemm_small}
 * (one work-item per output, accumulating in double where the device has it) for the rest, where
 * tiles would mostly compute padding.
 */
final class GemmKernels {
  private static final String FILE = "gemm.cl";

  /** Output elements per batch item below which the one-item-per-output kernel runs. */
  static final long SMALL_OUTPUTS = 4096;

  /**
   * Tile sizes: a work-group computes {@code tsm x tsn} outputs in {@code tsk}-deep steps, each
   * work-item a {@code wptm x wptn} block.
   */
  record TileConfig(int tsm, int tsn, int tsk, int wptm, int wptn) {
    /**
     * 64x64 tiles of 4x4 blocks (256 work-items, 8 KiB of float tiles) on GPUs, which hide memory
     * latency with many threads; 32x32 tiles of 4x4 blocks (64 work-items) on CPU devices and
     * devices with small work-groups, where fewer, larger work-items run best.
     */
    static TileConfig forDevice(OpenClDevice device) {
      if (device.isGpu()
          && device.maxWorkGroupSize() >= 256
          && device.localMemBytes() >= 2L * 16 * 64 * 8) {
        return new TileConfig(64, 64, 16, 4, 4);
      }
      if (device.maxWorkGroupSize() >= 64) {
        return new TileConfig(32, 32, 16, 4, 4);
      }
      return new TileConfig(16, 16, 16, 4, 4);
    }

    String defines() {
      return "-DTSM="
          + tsm
          + " -DTSN="
          + tsn
          + " -DTSK="
          + tsk
          + " -DWPTM="
          + wptm
          + " -DWPTN="
          + wptn;
    }
  }

  private final OpenClBackend backend;
  private final TileConfig tiles;

  GemmKernels(OpenClBackend backend, TileConfig tiles) {
    this.backend = backend;
    this.tiles = tiles;
  }

  void gemm(GemmSpec s, OpenClBuffer a, OpenClBuffer b, OpenClBuffer c) {
    if (!a.dtype().isFloating()) {
      throw new SonnetException("gemm supports FLOAT32 and FLOAT64, got " + a.dtype());
    }
    long outputs = (long) s.m() * s.n();
    if (s.batch() == 0 || outputs == 0) {
      return;
    }
    KernelProgram p = backend.programs().typed(FILE, a.dtype(), tiles.defines());
    boolean tiled = outputs >= SMALL_OUTPUTS && s.m() >= tiles.tsm() && s.n() >= tiles.tsn();
    KernelCall call = backend.call(p, tiled ? "gemm_tiled" : "gemm_small").mem(a).mem(b).mem(c);
    if (!tiled) {
      call.i32(s.batch());
    }
    call.i32(s.m())
        .i32(s.n())
        .i32(s.k())
        .i32(s.transA() ? 1 : 0)
        .i64(s.aOffset())
        .i32(s.lda())
        .i64(s.aBatchStride())
        .i32(s.transB() ? 1 : 0)
        .i64(s.bOffset())
        .i32(s.ldb())
        .i64(s.bBatchStride())
        .i64(s.cOffset())
        .i32(s.ldc())
        .i64(s.cBatchStride())
        .i32(s.accumulate() ? 1 : 0);
    if (!tiled) {
      call.launch(OpenClBackend.elementCount(outputs * s.batch(), "gemm"), backend.localSize());
      return;
    }
    int rtsm = tiles.tsm() / tiles.wptm();
    int rtsn = tiles.tsn() / tiles.wptn();
    long groupsN = (s.n() + tiles.tsn() - 1) / tiles.tsn();
    long groupsM = (s.m() + tiles.tsm() - 1) / tiles.tsm();
    call.enqueue(
        3, new long[] {groupsN * rtsn, groupsM * rtsm, s.batch()}, new long[] {rtsn, rtsm, 1});
  }
}

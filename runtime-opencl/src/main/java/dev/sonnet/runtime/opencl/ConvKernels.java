package dev.sonnet.runtime.opencl;

import dev.sonnet.SonnetException;
import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.backend.PoolKind;

/**
 * Launches the convolution and pooling kernels of {@code conv.cl}. Convolution itself is im2col
 * (here) followed by a matrix product ({@link GemmKernels}), as the op layer composes them. The
 * geometry is widened to three spatial axes (missing leading axes get size 1, kernel 1, stride 1,
 * dilation 1, no padding) and passed as an {@code int16} and an {@code int8}.
 */
final class ConvKernels {
  private static final String FILE = "conv.cl";

  private final OpenClBackend backend;

  ConvKernels(OpenClBackend backend) {
    this.backend = backend;
  }

  void im2col(ConvGeometry g, OpenClBuffer x, OpenClBuffer cols) {
    int total = OpenClBackend.elementCount(cols.size(), "im2col");
    Geometry geo = Geometry.of(g, x, "im2col");
    backend
        .call(program(x, "im2col"), "im2col")
        .mem(x)
        .mem(cols)
        .int16(geo.g)
        .int8(geo.h)
        .i32(total)
        .launch(total, backend.localSize());
  }

  void col2im(ConvGeometry g, OpenClBuffer cols, OpenClBuffer x) {
    int total = OpenClBackend.elementCount(x.size(), "col2im");
    Geometry geo = Geometry.of(g, x, "col2im");
    backend
        .call(program(x, "col2im"), "col2im")
        .mem(cols)
        .mem(x)
        .int16(geo.g)
        .int8(geo.h)
        .i32(total)
        .launch(total, backend.localSize());
  }

  void pool(PoolKind kind, ConvGeometry g, OpenClBuffer x, OpenClBuffer out) {
    int total = OpenClBackend.elementCount(out.size(), "pool");
    Geometry geo = Geometry.of(g, x, "pool");
    backend
        .call(program(x, "pool"), "pool")
        .mem(x)
        .mem(out)
        .int16(geo.g)
        .int8(geo.h)
        .i32(kind == PoolKind.MAX ? 1 : 0)
        .i32(total)
        .launch(total, backend.localSize());
  }

  void poolBackward(
      PoolKind kind, ConvGeometry g, OpenClBuffer x, OpenClBuffer gradOut, OpenClBuffer gradIn) {
    int total = OpenClBackend.elementCount(gradIn.size(), "poolBackward");
    Geometry geo = Geometry.of(g, x, "poolBackward");
    backend
        .call(program(x, "poolBackward"), "pool_backward")
        .mem(x)
        .mem(gradOut)
        .mem(gradIn)
        .int16(geo.g)
        .int8(geo.h)
        .i32(kind == PoolKind.MAX ? 1 : 0)
        .i32(total)
        .launch(total, backend.localSize());
  }

  private KernelProgram program(OpenClBuffer x, String kernel) {
    if (!x.dtype().isFloating()) {
      throw new UnsupportedOperationException(
          kernel + " supports f32 and f64 only, got " + x.dtype());
    }
    return backend.programs().typed(FILE, x.dtype(), "");
  }

  /** The geometry as the kernels' {@code g} ({@code int16}) and {@code h} ({@code int8}). */
  record Geometry(int[] g, int[] h) {
    static Geometry of(ConvGeometry c, OpenClBuffer x, String kernel) {
      int n = c.spatialRank();
      if (n < 1 || n > 3) {
        throw new SonnetException(kernel + " needs 1 to 3 spatial dimensions, got " + n);
      }
      int[] in = widen(c.inSpatial(), n, 1);
      int[] k = widen(c.kernel(), n, 1);
      int[] s = widen(c.stride(), n, 1);
      int[] d = widen(c.dilation(), n, 1);
      int[] p = widen(c.padBefore(), n, 0);
      int[] o = widen(c.outSpatial(), n, 1);
      int[] g = {
        c.batch(),
        c.channels(),
        c.groups(),
        c.channels() / c.groups(),
        in[0],
        in[1],
        in[2],
        k[0],
        k[1],
        k[2],
        s[0],
        s[1],
        s[2],
        d[0],
        d[1],
        d[2]
      };
      int[] h = {p[0], p[1], p[2], o[0], o[1], o[2], 0, 0};
      long cols =
          (long) c.groups()
              * c.batch()
              * c.outVolume()
              * c.kernelVolume()
              * (c.channels() / c.groups());
      OpenClBackend.elementCount(Math.max(cols, x.size()), kernel);
      return new Geometry(g, h);
    }

    private static int[] widen(int[] v, int n, int fill) {
      int[] out = {fill, fill, fill};
      System.arraycopy(v, 0, out, 3 - n, n);
      return out;
    }
  }
}

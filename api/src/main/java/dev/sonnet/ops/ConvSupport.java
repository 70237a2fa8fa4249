package dev.sonnet.ops;

import dev.sonnet.backend.Backend;
import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.DirectConvolution;
import dev.sonnet.backend.GemmSpec;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.DTypeException;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;

/**
 * Shape checks and the im2col + gemm computations shared by the convolution ops.
 *
 * <p>All three convolution products work on channels-last data viewed as matrices: the input
 * unfolded by {@code im2col} is {@code cols [groups, M, Kc]} with {@code M = batch * outVolume} and
 * {@code Kc = kernelVolume * channels / groups}; the filter {@code [kernel..., C / groups, O]} is
 * the matrix {@code [Kc, O]}, group {@code g} owning columns from {@code g * O / groups}; the
 * output is {@code [M, O]}. Groups become the batch of one strided {@link GemmSpec}.
 *
 * <p>A 1x1 kernel with stride 1 and no padding needs no unfolding: the input itself, with leading
 * dimension {@code C}, is the matrix. Any other product is first offered to the backend's direct
 * kernels (when it implements {@link DirectConvolution}), which never write the unfolded input;
 * only when the backend has none, or declines, does it unfold.
 */
final class ConvSupport {
  private ConvSupport() {}

  /** The spatial dimensions of a channels-last shape {@code [batch, spatial..., channels]}. */
  static int[] spatial(Shape s) {
    int[] d = s.dims();
    return Arrays.copyOfRange(d, 1, d.length - 1);
  }

  /** The spatial dimensions of a shape in {@code format}. */
  static int[] spatial(Shape s, DataFormat format) {
    int[] d = s.dims();
    int first = format.firstSpatialAxis();
    return Arrays.copyOfRange(d, first, first + d.length - 2);
  }

  /** The kernel (leading) dimensions of a filter {@code [kernel..., a, b]}. */
  static int[] kernel(Shape filters) {
    int[] d = filters.dims();
    return Arrays.copyOf(d, d.length - 2);
  }

  /** Like {@code conv2d} or {@code max_pool3d}. */
  static String name(String base, int spatialRank) {
    return base + spatialRank + "d";
  }

  static String layout(int n, DataFormat format) {
    String spatial =
        switch (n) {
          case 1 -> "width";
          case 2 -> "height, width";
          default -> "depth, height, width";
        };
    return format == DataFormat.CHANNELS_FIRST
        ? "[batch, channels, " + spatial + "]"
        : "[batch, " + spatial + ", channels]";
  }

  /** Checks that a conv filter has 1 to 3 spatial dimensions; returns their number. */
  static int filterSpatialRank(String op, Shape filters, String layout) {
    int n = filters.rank() - 2;
    if (n < 1 || n > 3) {
      throw new ShapeException(
          op
              + ": filters "
              + filters
              + " have rank "
              + filters.rank()
              + "; expected "
              + layout
              + " with 1 to 3 kernel dimensions (rank 3 to 5)");
    }
    return n;
  }

  /** Checks an input's rank against {@code n} spatial dimensions. */
  static void checkInputRank(String op, Shape input, int n, DataFormat format, String against) {
    if (input.rank() != n + 2) {
      String fix = input.rank() == n + 1 ? "; add a batch axis with x.expandDims(0)" : "";
      throw new ShapeException(
          op
              + ": input "
              + input
              + " has rank "
              + input.rank()
              + " but "
              + against
              + " needs a rank-"
              + (n + 2)
              + " input "
              + layout(n, format)
              + fix);
    }
  }

  /** Checks that both operands are floating point and of one dtype. */
  static void checkFloating(String op, String aName, DType a, String bName, DType b) {
    if (!a.isFloating() || a != b) {
      throw new DTypeException(
          op
              + ": "
              + aName
              + " is "
              + a
              + " and "
              + bName
              + " is "
              + b
              + "; both must be the same floating dtype (f32 or f64); convert with .cast(DType."
              + (a.isFloating() ? a.name() : DType.FLOAT32.name())
              + ")");
    }
  }

  /**
   * Checks a convolution's input channels against its filters {@code [kernel..., cg, out]}, where
   * {@code groups} is known (the op layer), and that the output channels split into the groups.
   */
  static void checkChannels(String op, Shape input, int channels, Shape filters, int groups) {
    int cg = filters.dim(-2);
    int out = filters.dim(-1);
    if ((long) cg * groups != channels) {
      throw new ShapeException(
          op
              + ": input "
              + input
              + " has "
              + channels
              + " channels but filters "
              + filters
              + " expect "
              + cg
              + " (x groups "
              + groups
              + ")");
    }
    if (out % groups != 0) {
      throw new ShapeException(
          op
              + ": filters "
              + filters
              + " have "
              + out
              + " output channels, which do not split into "
              + groups
              + " groups ("
              + channels
              + " input channels / "
              + cg
              + " per group); use a multiple of "
              + groups);
    }
  }

  // ---- the three products -------------------------------------------------------------------

  /** Whether {@code g} reads the input unchanged as the cols matrix (1x1, stride 1, no padding). */
  private static boolean isPointwise(ConvGeometry g) {
    for (int d = 0; d < g.spatialRank(); d++) {
      if (g.kernel()[d] != 1
          || g.stride()[d] != 1
          || g.padBefore()[d] != 0
          || g.outSpatial()[d] != g.inSpatial()[d]) {
        return false;
      }
    }
    return true;
  }

  /** {@code y [batch, out..., outChannels] = conv(x, w)}. */
  static Tensor forward(ConvGeometry g, int outChannels, Tensor x, Tensor w) {
    return forward(g, outChannels, x, w, null, false);
  }

  /**
   * {@code conv(x, w)}, then {@code + bias} (null: none) along the channels and, when {@code relu},
   * {@code max(., 0)}: in the backend's direct kernel when it offers that ({@link
   * DirectConvolution}), else as two in-place passes over the fresh output ({@link Epilogue}). The
   * same float operations either way, so the same bits.
   */
  static Tensor forward(
      ConvGeometry g, int outChannels, Tensor x, Tensor w, Tensor bias, boolean relu) {
    Backend backend = x.backend();
    GroupedProduct p = GroupedProduct.of(g, outChannels);
    Shape yShape = channelsLast(g.batch(), g.outSpatial(), outChannels);
    if (p.isEmpty()) {
      Tensor y = Tensor.wrap(backend.allocate(x.dtype(), yShape.size()), yShape);
      return finish(y, bias, relu);
    }
    // The direct kernel, or else the groups' non-accumulating products (k = kc > 0), write every
    // element of y.
    DeviceBuffer y = backend.allocateUninitialized(x.dtype(), yShape.size());
    if ((bias != null || relu)
        && !isPointwise(g)
        && backend instanceof DirectConvolution direct
        && direct.convolveDirect(
            g, outChannels, x.buffer(), w.buffer(), bias == null ? null : bias.buffer(), relu, y)) {
      return Tensor.wrap(y, yShape);
    }
    return finish(product(g, outChannels, x, w, backend, p, y, yShape), bias, relu);
  }

  /** The bias add and ReLU as in-place passes over the fresh {@code y}. */
  private static Tensor finish(Tensor y, Tensor bias, boolean relu) {
    if (bias != null) {
      Epilogue.addBias(y, bias);
    }
    if (relu) {
      Epilogue.activate(y, UnaryKind.RELU);
    }
    return y;
  }

  /**
   * {@code y = conv(x, w)} into the fresh {@code y} (of {@code p}'s non-empty product): the
   * backend's direct kernel without epilogue, else {@code im2col} and the grouped product.
   */
  private static Tensor product(
      ConvGeometry g,
      int outChannels,
      Tensor x,
      Tensor w,
      Backend backend,
      GroupedProduct p,
      DeviceBuffer y,
      Shape yShape) {
    if (!isPointwise(g)
        && backend instanceof DirectConvolution direct
        && direct.convolveDirect(g, outChannels, x.buffer(), w.buffer(), y)) {
      return Tensor.wrap(y, yShape);
    }
    Columns a = Columns.unfold(g, x, p);
    try {
      backend.gemm(
          new GemmSpec(
              p.groups,
              p.m,
              p.og,
              p.kc,
              false,
              0,
              a.ld,
              a.groupStride,
              false,
              0,
              outChannels,
              p.og,
              0,
              outChannels,
              p.og,
              false),
          a.buffer,
          w.buffer(),
          y);
    } finally {
      a.releaseIfTemporary();
    }
    return Tensor.wrap(y, yShape);
  }

  /** {@code dx [batch, in..., channels]}: the gradient of {@link #forward} for its input. */
  static Tensor backpropInput(ConvGeometry g, int outChannels, Tensor dy, Tensor w) {
    Backend backend = dy.backend();
    GroupedProduct p = GroupedProduct.of(g, outChannels);
    Shape xShape = channelsLast(g.batch(), g.inSpatial(), g.channels());
    // Zeroed: col2im accumulates into it, and so may a direct kernel.
    DeviceBuffer dx = backend.allocate(dy.dtype(), xShape.size());
    if (p.isEmpty()) {
      return Tensor.wrap(dx, xShape);
    }
    if (!isPointwise(g)
        && backend instanceof DirectConvolution direct
        && direct.convolveInputGradientDirect(g, outChannels, dy.buffer(), w.buffer(), dx)) {
      return Tensor.wrap(dx, xShape);
    }
    // A pointwise window writes the product straight into dx; otherwise into columns (the product,
    // k = og > 0 and not accumulating, overwrites every entry) that col2im folds back.
    Columns d =
        isPointwise(g)
            ? new Columns(dx, g.channels(), p.cg, false)
            : new Columns(
                backend.allocateUninitialized(dy.dtype(), p.columnsSize()),
                p.kc,
                p.columnsGroupStride(),
                true);
    try {
      backend.gemm(
          new GemmSpec(
              p.groups,
              p.m,
              p.kc,
              p.og,
              false,
              0,
              outChannels,
              p.og,
              true,
              0,
              outChannels,
              p.og,
              0,
              d.ld,
              d.groupStride,
              false),
          dy.buffer(),
          w.buffer(),
          d.buffer);
      if (d.temporary) {
        backend.col2im(g, d.buffer, dx);
      }
    } finally {
      d.releaseIfTemporary();
    }
    return Tensor.wrap(dx, xShape);
  }

  /** {@code dw [kernel..., channels / groups, outChannels]}: the gradient for the filters. */
  static Tensor backpropFilter(ConvGeometry g, int outChannels, Tensor x, Tensor dy) {
    Backend backend = x.backend();
    GroupedProduct p = GroupedProduct.of(g, outChannels);
    int[] wDims = Arrays.copyOf(g.kernel(), g.spatialRank() + 2);
    wDims[wDims.length - 2] = p.cg;
    wDims[wDims.length - 1] = outChannels;
    Shape wShape = Shape.of(wDims);
    if (p.isEmpty()) {
      return Tensor.wrap(backend.allocate(x.dtype(), wShape.size()), wShape);
    }
    // The direct kernel, or else the groups' non-accumulating products (k = m > 0), write every
    // element of dw.
    DeviceBuffer dw = backend.allocateUninitialized(x.dtype(), wShape.size());
    if (!isPointwise(g)
        && backend instanceof DirectConvolution direct
        && direct.convolveFilterGradientDirect(g, outChannels, x.buffer(), dy.buffer(), dw)) {
      return Tensor.wrap(dw, wShape);
    }
    Columns a = Columns.unfold(g, x, p);
    try {
      backend.gemm(
          new GemmSpec(
              p.groups,
              p.kc,
              p.og,
              p.m,
              true,
              0,
              a.ld,
              a.groupStride,
              false,
              0,
              outChannels,
              p.og,
              0,
              outChannels,
              p.og,
              false),
          a.buffer,
          dy.buffer(),
          dw);
    } finally {
      a.releaseIfTemporary();
    }
    return Tensor.wrap(dw, wShape);
  }

  /**
   * A convolution as {@code groups} matrix products {@code [m, kc] @ [kc, og]}: {@code m} output
   * positions, {@code kc = kernelVolume * cg} unfolded inputs per position, {@code cg} input and
   * {@code og} output channels per group.
   */
  private record GroupedProduct(int groups, int cg, int og, int m, int kc) {
    static GroupedProduct of(ConvGeometry g, int outChannels) {
      int groups = g.groups();
      int cg = g.channels() / groups;
      long m = (long) g.batch() * g.outVolume();
      long kc = (long) g.kernelVolume() * cg;
      if (m > Integer.MAX_VALUE || kc > Integer.MAX_VALUE) {
        throw new ShapeException(
            "convolution: the unfolded input has "
                + m
                + " rows of "
                + kc
                + " columns, more than a matrix product handles; split the batch");
      }
      return new GroupedProduct(groups, cg, outChannels / groups, (int) m, (int) kc);
    }

    boolean isEmpty() {
      return m == 0 || og == 0 || kc == 0;
    }

    /** Elements of the unfolded input of every group, {@code [groups, m, kc]}. */
    long columnsSize() {
      return groups * columnsGroupStride();
    }

    long columnsGroupStride() {
      return (long) m * kc;
    }
  }

  /**
   * The unfolded input {@code [groups][m][kc]} as a product operand: the input itself when the
   * window is a single pixel ({@code kc == cg}; rows of {@code channels}, groups {@code cg} apart),
   * else a temporary im2col buffer.
   */
  private record Columns(DeviceBuffer buffer, int ld, long groupStride, boolean temporary) {
    /**
     * The columns of {@code x}. A temporary buffer is filled by {@code im2col}, which writes every
     * element (padding as zeros), so it may hold recycled memory; the caller releases it right
     * after the product, which on the CPU hands the array back to the pool for the next step.
     */
    static Columns unfold(ConvGeometry g, Tensor x, GroupedProduct p) {
      if (isPointwise(g)) {
        return new Columns(x.buffer(), g.channels(), p.cg, false);
      }
      Backend backend = x.backend();
      DeviceBuffer cols = backend.allocateUninitialized(x.dtype(), p.columnsSize());
      try {
        backend.im2col(g, x.buffer(), cols);
      } catch (RuntimeException | Error e) {
        cols.release();
        throw e;
      }
      return new Columns(cols, p.kc, p.columnsGroupStride(), true);
    }

    void releaseIfTemporary() {
      if (temporary) {
        buffer.release();
      }
    }
  }

  static Shape channelsLast(int batch, int[] spatial, int channels) {
    int[] d = new int[spatial.length + 2];
    d[0] = batch;
    System.arraycopy(spatial, 0, d, 1, spatial.length);
    d[d.length - 1] = channels;
    return Shape.of(d);
  }
}

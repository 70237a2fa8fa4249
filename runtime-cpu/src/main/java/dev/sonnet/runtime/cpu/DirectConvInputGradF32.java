package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.ConvGeometry;

/**
 * The float32 input gradient of a stride-1 convolution on channels-last data, one group, without
 * col2im: a forward convolution of {@code dy} with the spatially flipped, channel-swapped filter,
 * run by a direct forward kernel.
 *
 * <p><b>The mapping.</b> With stride 1, {@code dx[n, i, c] = sum_{j, o} dy[n, i + p - j * d, o] *
 * w[j, c, o]} along each spatial dimension (reads outside {@code dy} are zero). Substituting {@code
 * j = k - 1 - j'} gives {@code sum_{j', o} dy[n, i - p' + j' * d, o] * w'[j', o, c]} with {@code p'
 * = (k - 1) * d - p} and {@code w'[j', o, c] = w[k - 1 - j', c, o]}: the forward convolution {@link
 * #transposed} of {@code dy} (input spatial sizes {@code outSpatial}, {@code O} channels) with
 * kernel, dilation and stride 1 unchanged, padding {@code p'} before, output spatial sizes {@code
 * inSpatial} and {@code C} output channels. It needs {@code p <= (k - 1) * d} (true for SAME and
 * VALID), so that {@code p'} is a padding and not a crop.
 *
 * <p><b>Which kernel.</b> That convolution has {@code C} output channels: many (a mid layer, 32)
 * suit {@link DirectConvF32}, which puts them along the vector lanes; few (a first layer, 3) suit
 * {@link NarrowConvF32}, which puts the {@code O} channels of {@code dy} along the lanes instead
 * and sums across them at the end. {@link NarrowConvF32#handles} chooses by the FMA count; on the
 * benchmark layers the other kernel measured 3x slower (first layer, 3 channels) and 2x slower (mid
 * layer, 32 channels). Either kernel writes every element of {@code dx} once, so {@code dx} needs
 * no clearing, and neither depends on the thread count.
 *
 * <p><b>Stride.</b> With stride {@code s > 1} only every {@code s}-th {@code dy} position exists
 * along a dimension: the same mapping reads a {@code dy} dilated by {@code s}, which neither
 * forward kernel does, so {@link #handles} declines and the col2im path stays.
 */
final class DirectConvInputGradF32 {
  /** The flipped filter of the calling thread's current call. */
  private static final FloatScratch FLIPPED = new FloatScratch();

  private DirectConvInputGradF32() {}

  /**
   * Whether this kernel computes the input gradient of {@code g}: one group, stride 1 and {@code
   * padBefore <= (kernel - 1) * dilation} along every spatial dimension, and one of the two forward
   * kernels takes the {@link #transposed} convolution ({@link DirectConvF32} declines deep windows,
   * {@code kernelVolume * O} taps here, where the gemm path is faster).
   */
  static boolean handles(ConvGeometry g, int outChannels) {
    return plan(g, outChannels) != null;
  }

  /**
   * {@code dx [batch, in..., C]}, the gradient of {@code y = conv(x, w)} for {@code x}, from {@code
   * dy [batch, out..., outChannels]} and {@code w [kernel..., C, outChannels]}; writes every
   * element of {@code dx} and returns true, or returns false, having touched nothing, when this
   * kernel does not {@link #handles handle} {@code g}.
   */
  static boolean compute(ConvGeometry g, int outChannels, float[] dy, float[] w, float[] dx) {
    ConvGeometry t = plan(g, outChannels);
    if (t == null) {
      return false;
    }
    // Read only during this call, which the calling thread waits for: its scratch may hold it.
    float[] flipped = FLIPPED.get(g.kernelVolume() * g.channels() * outChannels);
    flip(g, outChannels, w, flipped);
    if (NarrowConvF32.handles(t, g.channels())) {
      NarrowConvF32.convolve(t, g.channels(), dy, flipped, dx);
    } else {
      DirectConvF32.convolve(t, g.channels(), dy, flipped, dx);
    }
    return true;
  }

  /** The {@link #transposed} convolution when this kernel handles {@code g}, else null. */
  private static ConvGeometry plan(ConvGeometry g, int outChannels) {
    if (g.groups() != 1 || outChannels <= 0) {
      return null;
    }
    for (int d = 0; d < g.spatialRank(); d++) {
      if (g.stride()[d] != 1 || g.padBefore()[d] > (g.kernel()[d] - 1) * g.dilation()[d]) {
        return null;
      }
    }
    ConvGeometry t = transposed(g, outChannels);
    int c = g.channels();
    return NarrowConvF32.handles(t, c) || DirectConvF32.handles(t, c) ? t : null;
  }

  /**
   * The forward convolution of {@code dy [batch, outSpatial..., outChannels]} whose output is
   * {@code dx}: input {@code outSpatial}, {@code outChannels} channels, the same kernel and
   * dilation, stride 1, padding before {@code (kernel - 1) * dilation - padBefore}, output {@code
   * inSpatial}.
   */
  static ConvGeometry transposed(ConvGeometry g, int outChannels) {
    int n = g.spatialRank();
    int[] ones = new int[n];
    int[] pad = new int[n];
    for (int d = 0; d < n; d++) {
      ones[d] = 1;
      pad[d] = (g.kernel()[d] - 1) * g.dilation()[d] - g.padBefore()[d];
    }
    return new ConvGeometry(
        g.batch(),
        g.outSpatial().clone(),
        outChannels,
        g.kernel().clone(),
        ones,
        g.dilation().clone(),
        pad,
        g.inSpatial().clone(),
        1);
  }

  /**
   * Writes {@code w' [kernel..., outChannels, C]} into {@code flipped} from {@code w [kernel..., C,
   * outChannels]}: {@code w'[j, o, c] = w[kernel - 1 - j, c, o]}, each spatial index reversed.
   */
  static void flip(ConvGeometry g, int outChannels, float[] w, float[] flipped) {
    int taps = g.kernelVolume();
    int c = g.channels();
    for (int tap = 0; tap < taps; tap++) {
      // Reversing every spatial index of a row-major tap index reverses the flat index.
      int src = (taps - 1 - tap) * c * outChannels;
      int dst = tap * outChannels * c;
      for (int ci = 0; ci < c; ci++) {
        for (int o = 0; o < outChannels; o++) {
          flipped[dst + o * c + ci] = w[src + ci * outChannels + o];
        }
      }
    }
  }
}

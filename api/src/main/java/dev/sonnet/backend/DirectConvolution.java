package dev.sonnet.backend;

import dev.sonnet.tensor.DType;

/**
 * An optional capability of a {@link Backend}: the three products of a convolution computed
 * straight from the image, without the column matrix that {@link Backend#im2col} writes (for a 3x3
 * kernel, nine times the input). A backend that implements it may still decline any call (returning
 * false, having touched nothing) for a geometry or dtype it has no kernel for, or expects to be
 * slower; the op layer then uses {@link Backend#im2col} and {@link Backend#gemm} (and {@link
 * Backend#col2im}), which every backend has. The CPU runtime implements it; OpenCL does not yet.
 *
 * <p>Shapes are those of {@link Backend#im2col}'s convolution: {@code x [batch, in..., channels]},
 * {@code w [kernel..., channels / groups, outChannels]}, {@code y [batch, out..., outChannels]},
 * all dense and row-major.
 */
public interface DirectConvolution {
  /**
   * The forward product {@code y = conv(x, w)}. When it returns true every element of {@code y} has
   * been written, so {@code y} may come from {@link Backend#allocateUninitialized}.
   */
  boolean convolveDirect(
      ConvGeometry geometry, int outChannels, DeviceBuffer x, DeviceBuffer w, DeviceBuffer y);

  /**
   * {@link #convolveDirect}, then {@code y = relu(y + bias)} (or only one of the two): {@code bias}
   * (one value per output channel, or null for none) added to each output as a float add after its
   * sum, then, when {@code relu}, {@code max(y, 0)}; the same arithmetic as the separate bias add
   * and ReLU ops, so the same bits, but applied while each output line is still in cache. The
   * default declines (the op layer then runs those passes itself).
   */
  default boolean convolveDirect(
      ConvGeometry geometry,
      int outChannels,
      DeviceBuffer x,
      DeviceBuffer w,
      DeviceBuffer bias,
      boolean relu,
      DeviceBuffer y) {
    return false;
  }

  /**
   * A 3x3, stride-1 convolution by Winograd's F(2x2, 3x3) algorithm (2.25x fewer multiplications
   * than the direct sum), then {@code + bias} (null: none) and, when {@code relu}, {@code max(.,
   * 0)}: {@code y [batch, out..., outChannels]} from {@code x} and the filter already transformed,
   * {@code u [16, channels, outChannels]} with {@code u[4i + j, c, o] = (G w[., ., c, o] Gᵀ)[i,
   * j]}, {@code G = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]]}. Not the direct
   * convolution's bits: the same sum regrouped, each output within {@code (channels + 8) · 2⁻²⁴}
   * times the algorithm run on absolute values for this {@code u}, plus {@code |bias|} (the
   * algorithm's part at most {@code 64 · channels · max|x| · max|w|}; the direct sum's magnitude is
   * at most {@code 9 · channels · max|x| · max|w|}). Meant for inference with a filter transformed
   * once (a loaded graph caches {@code u} per variable value). True when every element of {@code y}
   * has been written; the default declines, as does a backend for any geometry or dtype it has no
   * kernel for. When {@code maxPool}, the output is then max-pooled over 2x2 windows with stride 2
   * (the convolution's output has even sizes) and {@code y} is the pooled {@code [batch, outH / 2,
   * outW / 2, outChannels]}, bit for bit {@link Backend#pool} {@link PoolKind#MAX} of the unpooled
   * result.
   */
  default boolean convolveWinograd(
      ConvGeometry geometry,
      int outChannels,
      DeviceBuffer x,
      DeviceBuffer u,
      DeviceBuffer bias,
      boolean relu,
      boolean maxPool,
      DeviceBuffer y) {
    return false;
  }

  /**
   * The fused {@link #convolveDirect(ConvGeometry, int, DeviceBuffer, DeviceBuffer, DeviceBuffer,
   * boolean, DeviceBuffer)} followed by a 2x2, stride-2 max pooling, writing only the pooled {@code
   * y [batch, outH / 2, outW / 2, outChannels]} (2-d, even output sizes): bit for bit {@link
   * Backend#pool} {@link PoolKind#MAX} of the fused result, without writing and rereading the
   * unpooled output (four times the size). For inference, where the unpooled output is not kept for
   * a backward pass. The default declines.
   */
  default boolean convolveDirectPooled(
      ConvGeometry geometry,
      int outChannels,
      DeviceBuffer x,
      DeviceBuffer w,
      DeviceBuffer bias,
      boolean relu,
      DeviceBuffer y) {
    return false;
  }

  /** Whether {@link #reluBiasGradient} computes {@code dtype}; by default no backend does. */
  default boolean hasReluBiasGradient(DType dtype) {
    return false;
  }

  /**
   * The gradient through a convolution's bias and ReLU epilogue in one pass over {@code rows x
   * channels} values (dense, row-major): {@code dz[r, c] = y[r, c] > 0 ? upstream[r, c] : +0.0}
   * (exactly {@code where(y > 0, upstream, 0)}, from the ReLU's output {@code y}; NaN gives 0) and,
   * when {@code biasGradient} is not null, {@code biasGradient[c] = sum_r dz[r, c]}, summed in a
   * fixed order that depends on {@code rows} only (not on threads): float sums within the same
   * rounding bound as a reduction's, not its bits. True when both are written; a backend answers
   * true for every dtype {@link #hasReluBiasGradient} names.
   */
  default boolean reluBiasGradient(
      DeviceBuffer y,
      DeviceBuffer upstream,
      long rows,
      int channels,
      DeviceBuffer dz,
      DeviceBuffer biasGradient) {
    return false;
  }

  /**
   * The filter gradient {@code dw [kernel..., channels, outChannels]}: the sum over every output
   * position of the input window times {@code dy}. True when every element of {@code dw} has been
   * written.
   */
  boolean convolveFilterGradientDirect(
      ConvGeometry geometry, int outChannels, DeviceBuffer x, DeviceBuffer dy, DeviceBuffer dw);

  /**
   * The input gradient {@code dx [batch, in..., channels]}: every input element's sum over the
   * windows that read it of {@code dy} times the filter. {@code dx} arrives filled with zeros (as
   * for {@link Backend#col2im}), so a kernel may accumulate into it or overwrite it. True when
   * {@code dx} holds the gradient.
   */
  boolean convolveInputGradientDirect(
      ConvGeometry geometry, int outChannels, DeviceBuffer dy, DeviceBuffer w, DeviceBuffer dx);
}

package dev.sonnet.backend;

/**
 * The geometry of an N-d convolution (N = 1, 2 or 3) on channels-last data, shared by the
 * im2col/col2im and pooling kernels.
 *
 * <p>Input is {@code [batch, inSpatial..., channels]}; output spatial sizes are {@code outSpatial};
 * window position {@code o} along dimension {@code d} reads input coordinate {@code o * stride[d] -
 * padBefore[d] + j * dilation[d]} for window offset {@code j < kernel[d]}; coordinates outside
 * {@code [0, inSpatial[d])} read as padding.
 *
 * <p>For convolution with {@code groups > 1}, channels split into {@code groups} equal, contiguous
 * groups.
 */
public record ConvGeometry(
    int batch,
    int[] inSpatial,
    int channels,
    int[] kernel,
    int[] stride,
    int[] dilation,
    int[] padBefore,
    int[] outSpatial,
    int groups) {

  /** Number of spatial dimensions. */
  public int spatialRank() {
    return inSpatial.length;
  }

  /** Product of the kernel's spatial sizes. */
  public int kernelVolume() {
    int v = 1;
    for (int k : kernel) {
      v *= k;
    }
    return v;
  }

  /** Product of the output's spatial sizes. */
  public int outVolume() {
    int v = 1;
    for (int o : outSpatial) {
      v *= o;
    }
    return v;
  }

  /** Product of the input's spatial sizes. */
  public int inVolume() {
    int v = 1;
    for (int i : inSpatial) {
      v *= i;
    }
    return v;
  }
}

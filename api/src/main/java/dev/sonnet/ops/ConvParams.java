package dev.sonnet.ops;

import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import java.util.Arrays;

/**
 * The resolved attributes of a convolution or pooling op, for N = 1, 2 or 3 spatial dimensions:
 * per-dimension stride, dilation and explicit padding (SAME and VALID are resolved to numbers
 * before an op is built), and the number of channel groups.
 *
 * <p>Output size along dimension {@code d}: {@code floor((in + padBefore + padAfter - kEff) /
 * stride) + 1} with {@code kEff = (kernel - 1) * dilation + 1}.
 */
public record ConvParams(
    int[] stride, int[] dilation, int[] padBefore, int[] padAfter, int groups) {

  public ConvParams {
    int n = stride.length;
    if (n < 1 || n > 3 || dilation.length != n || padBefore.length != n || padAfter.length != n) {
      throw new IllegalArgumentException(
          "ConvParams: stride "
              + Arrays.toString(stride)
              + ", dilation "
              + Arrays.toString(dilation)
              + ", padding "
              + Arrays.toString(padBefore)
              + " / "
              + Arrays.toString(padAfter)
              + " need one entry per spatial dimension (1 to 3)");
    }
    if (groups < 1) {
      throw new IllegalArgumentException("ConvParams: groups must be >= 1, got " + groups);
    }
    stride = stride.clone();
    dilation = dilation.clone();
    padBefore = padBefore.clone();
    padAfter = padAfter.clone();
  }

  /** Number of spatial dimensions. */
  public int rank() {
    return stride.length;
  }

  @Override
  public int[] stride() {
    return stride.clone();
  }

  @Override
  public int[] dilation() {
    return dilation.clone();
  }

  @Override
  public int[] padBefore() {
    return padBefore.clone();
  }

  @Override
  public int[] padAfter() {
    return padAfter.clone();
  }

  /** The output spatial sizes for input spatial sizes {@code in} and window {@code kernel}. */
  int[] outSpatial(String op, int[] in, int[] kernel) {
    int[] out = new int[in.length];
    for (int d = 0; d < in.length; d++) {
      long kEff = (long) (kernel[d] - 1) * dilation[d] + 1;
      long padded = (long) in[d] + padBefore[d] + padAfter[d];
      if (padded < kEff) {
        if (in[d] == 0) {
          out[d] = 0;
          continue;
        }
        throw new ShapeException(
            op
                + ": spatial dimension "
                + d
                + " has size "
                + in[d]
                + " ("
                + padded
                + " padded), smaller than the window of "
                + kEff
                + "; use "
                + "Padding.SAME, a smaller kernel or a larger input");
      }
      out[d] = (int) ((padded - kEff) / stride[d] + 1);
    }
    return out;
  }

  /** The geometry for a channels-last input of {@code inShape} and a window of {@code kernel}. */
  ConvGeometry geometry(String op, Shape inShape, int[] kernel) {
    int[] in = ConvSupport.spatial(inShape);
    return new ConvGeometry(
        inShape.dim(0),
        in,
        inShape.dim(-1),
        kernel.clone(),
        stride.clone(),
        dilation.clone(),
        padBefore.clone(),
        outSpatial(op, in, kernel),
        groups);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConvParams p
        && Arrays.equals(p.stride, stride)
        && Arrays.equals(p.dilation, dilation)
        && Arrays.equals(p.padBefore, padBefore)
        && Arrays.equals(p.padAfter, padAfter)
        && p.groups == groups;
  }

  @Override
  public int hashCode() {
    return ((Arrays.hashCode(stride) * 31 + Arrays.hashCode(dilation)) * 31
                + Arrays.hashCode(padBefore))
            * 31
        + Arrays.hashCode(padAfter) * 31
        + groups;
  }

  @Override
  public String toString() {
    return "ConvParams(stride="
        + Arrays.toString(stride)
        + ", dilation="
        + Arrays.toString(dilation)
        + ", padBefore="
        + Arrays.toString(padBefore)
        + ", padAfter="
        + Arrays.toString(padAfter)
        + ", groups="
        + groups
        + ")";
  }
}

package dev.sonnet.nn;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.module.Module;
import dev.sonnet.module.ModuleException;
import dev.sonnet.ops.DataFormat;
import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;

/**
 * What {@link BatchNorm} and {@link CrossReplicaBatchNorm} share besides their variables: the
 * settings checks, the reduction axes, the shape of the moving statistics and the checks of each
 * call. They differ only in how a training call takes its moments (the local batch, or every
 * replica's).
 */
final class BatchNorms {
  private BatchNorms() {}

  /** Throws unless the settings fit together; {@code kind} names the module class. */
  static void checkSettings(
      String kind,
      boolean createScale,
      Initializer scaleInit,
      boolean createOffset,
      Initializer offsetInit,
      double decayRate) {
    if (!createScale && scaleInit != null) {
      throw new IllegalArgumentException(
          kind
              + ": when createScale is false, scaleInit must"
              + " be null (the scale stays at ones)");
    }
    if (!createOffset && offsetInit != null) {
      throw new IllegalArgumentException(
          kind
              + ": when createOffset is false, offsetInit must"
              + " be null (the offset stays at zeros)");
    }
    if (!(decayRate >= 0 && decayRate <= 1)) {
      throw new IllegalArgumentException(kind + ": decayRate must be in [0, 1], got " + decayRate);
    }
  }

  /** Every axis but the channel axis of a rank-{@code rank} input. */
  static int[] reductionAxes(DataFormat dataFormat, int rank) {
    int ch = dataFormat.channelAxis(rank);
    int[] out = new int[rank - 1];
    for (int i = 0, j = 0; i < rank; i++) {
      if (i != ch) {
        out[j++] = i;
      }
    }
    return out;
  }

  /**
   * Zeros of the moving statistics' shape for input {@code x}: {@code [1, ..., C]}, channels kept.
   *
   * @throws ShapeException if {@code x} has no batch and channel axes
   */
  static Tensor statisticsZeros(Module m, String kind, Tensor x, DataFormat dataFormat) {
    if (x.rank() < 2) {
      throw new ShapeException(
          kind
              + " '"
              + m.path()
              + "': input "
              + x.shape()
              + " needs rank >= 2 ([batch, ..., channels])");
    }
    int[] kept = new int[x.rank()];
    java.util.Arrays.fill(kept, 1);
    int ch = dataFormat.channelAxis(x.rank());
    kept[ch] = x.dim(ch);
    return Tensor.zeros(x.dtype(), Shape.of(kept));
  }

  /** The checks of a call: the built rank, the channels, no scale (offset) passed when learned. */
  static void checkCall(
      Module m,
      String kind,
      Tensor x,
      int rank,
      DataFormat dataFormat,
      Variable ownScale,
      boolean createScale,
      Operand scale,
      boolean createOffset,
      Operand offset) {
    if (x.rank() != rank) {
      throw new ShapeException(
          kind
              + " '"
              + m.path()
              + "': input "
              + x.shape()
              + " has rank "
              + x.rank()
              + " but the module was built for rank "
              + rank);
    }
    NnSupport.requireDim(m, x, dataFormat.channelAxis(rank), ownScale.shape().dim(0), "channels");
    if ((createScale && scale != null) || (createOffset && offset != null)) {
      throw new ModuleException(
          kind
              + " '"
              + m.path()
              + "' learns its own "
              + (createScale && scale != null ? "scale" : "offset")
              + "; pass one to call only when"
              + " createScale/createOffset is false");
    }
  }
}

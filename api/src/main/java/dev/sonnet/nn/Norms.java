package dev.sonnet.nn;

import dev.sonnet.module.Module;
import dev.sonnet.ops.DataFormat;
import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;

/** Shared parts of the normalisation modules. */
final class Norms {
  private Norms() {}

  /** The scale/offset shape: {@code [C]} channels-last, {@code [C, 1, ...]} channels-first. */
  static int[] paramShape(Tensor x, DataFormat format) {
    if (format == DataFormat.CHANNELS_LAST) {
      return new int[] {x.dim(-1)};
    }
    int[] s = new int[x.rank() - 1];
    Arrays.fill(s, 1);
    s[0] = x.dim(1);
    return s;
  }

  /** {@code axes} made non-negative and checked against {@code rank}. */
  static int[] normalize(Module m, int[] axes, int rank) {
    int[] out = new int[axes.length];
    for (int i = 0; i < axes.length; i++) {
      int a = axes[i] < 0 ? axes[i] + rank : axes[i];
      if (a < 0 || a >= rank) {
        throw new ShapeException(
            m.getClass().getSimpleName()
                + " '"
                + m.path()
                + "': axis "
                + axes[i]
                + " of "
                + Arrays.toString(axes)
                + " is outside an input of rank "
                + rank);
      }
      out[i] = a;
    }
    return out;
  }

  /** {@code (x - mean) * rsqrt(var + eps) * scale + offset}, scale and offset optional. */
  static Tensor normalize(
      Tensor x, Tensor mean, Tensor variance, double eps, Operand scale, Operand offset) {
    Tensor inv = variance.add(eps).rsqrt();
    if (scale != null) {
      inv = inv.mul(scale);
    }
    Tensor y = x.sub(mean).mul(inv);
    return offset != null ? y.add(offset) : y;
  }
}

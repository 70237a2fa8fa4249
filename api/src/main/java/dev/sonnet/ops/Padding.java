package dev.sonnet.ops;

import dev.sonnet.tensor.ShapeException;
import java.util.Arrays;

/**
 * How a convolution or pooling window treats the border of its input.
 *
 * <ul>
 *   <li>{@link #SAME}: TensorFlow's {@code "SAME"}: the output has {@code ceil(in / stride)}
 *       positions, and the input is padded with {@code max((out - 1) * stride + kEff - in, 0)}
 *       zeros in total, half before (rounded down) and the rest after, where {@code kEff = (k - 1)
 *       * dilation + 1} is the dilated kernel size.
 *   <li>{@link #VALID}: no padding; the output has {@code floor((in - kEff) / stride) + 1}
 *       positions, and the input must be at least {@code kEff} long.
 *   <li>{@link #explicit(int[], int[])}: a fixed number of zeros before and after each spatial
 *       dimension, as Sonnet's {@code snt.pad} functions produce; the output has {@code floor((in +
 *       before + after - kEff) / stride) + 1} positions.
 * </ul>
 *
 * <p>Pooling never counts padding: max ignores it and average divides by the positions inside the
 * input.
 */
public final class Padding {
  /** What kind of padding this is. */
  public enum Kind {
    SAME,
    VALID,
    EXPLICIT
  }

  /** TensorFlow's {@code "SAME"}: output size {@code ceil(in / stride)}. */
  public static final Padding SAME = new Padding(Kind.SAME, null, null);

  /** TensorFlow's {@code "VALID"}: no padding. */
  public static final Padding VALID = new Padding(Kind.VALID, null, null);

  private final Kind kind;
  private final int[] before;
  private final int[] after;

  private Padding(Kind kind, int[] before, int[] after) {
    this.kind = kind;
    this.before = before;
    this.after = after;
  }

  /**
   * Explicit padding per spatial dimension: {@code before[d]} zeros before and {@code after[d]}
   * after dimension {@code d}. Both arrays have one entry per spatial dimension (or a single entry,
   * used for every dimension).
   */
  public static Padding explicit(int[] before, int[] after) {
    if (before.length != after.length || before.length == 0) {
      throw new IllegalArgumentException(
          "Padding.explicit: before "
              + Arrays.toString(before)
              + " and after "
              + Arrays.toString(after)
              + " need the same, nonzero length (one entry "
              + "per spatial dimension)");
    }
    for (int i = 0; i < before.length; i++) {
      if (before[i] < 0 || after[i] < 0) {
        throw new IllegalArgumentException(
            "Padding.explicit: padding must be >= 0, got before "
                + Arrays.toString(before)
                + ", after "
                + Arrays.toString(after));
      }
    }
    return new Padding(Kind.EXPLICIT, before.clone(), after.clone());
  }

  /** The same explicit padding for every spatial dimension. */
  public static Padding explicit(int before, int after) {
    return explicit(new int[] {before}, new int[] {after});
  }

  /**
   * Explicit padding from {@code {before, after}} pairs, one per spatial dimension, e.g. {@code new
   * int[][] {{1, 1}, {0, 2}}} for height and width.
   */
  public static Padding explicit(int[][] pairs) {
    int[] b = new int[pairs.length];
    int[] a = new int[pairs.length];
    for (int i = 0; i < pairs.length; i++) {
      if (pairs[i].length != 2) {
        throw new IllegalArgumentException(
            "Padding.explicit: each pair is {before, after}, got "
                + Arrays.toString(pairs[i])
                + " for spatial dimension "
                + i);
      }
      b[i] = pairs[i][0];
      a[i] = pairs[i][1];
    }
    return explicit(b, a);
  }

  public Kind kind() {
    return kind;
  }

  /** The explicit padding before each spatial dimension (empty unless {@link Kind#EXPLICIT}). */
  public int[] before() {
    return before == null ? new int[0] : before.clone();
  }

  /** The explicit padding after each spatial dimension (empty unless {@link Kind#EXPLICIT}). */
  public int[] after() {
    return after == null ? new int[0] : after.clone();
  }

  /**
   * Resolves this padding for one input into {@code {padBefore, padAfter}}, checking that the
   * padded input holds at least one window.
   *
   * @param op the operation's name, for errors
   * @param in the input's spatial sizes
   * @param kernel the window's spatial sizes
   */
  int[][] resolve(String op, int[] in, int[] kernel, int[] stride, int[] dilation) {
    int n = in.length;
    if (kind == Kind.EXPLICIT && before.length != 1 && before.length != n) {
      throw new ShapeException(
          op
              + ": explicit padding has "
              + before.length
              + " (before, after) pairs but the input has "
              + n
              + " spatial dimensions "
              + Arrays.toString(in)
              + "; give one pair per spatial dimension, or one for all");
    }
    int[] pb = new int[n];
    int[] pa = new int[n];
    for (int d = 0; d < n; d++) {
      long kEff = (long) (kernel[d] - 1) * dilation[d] + 1;
      switch (kind) {
        case SAME -> {
          long out = ceilDiv(in[d], stride[d]);
          long total = Math.max((out - 1) * stride[d] + kEff - in[d], 0);
          pb[d] = (int) (total / 2);
          pa[d] = (int) (total - total / 2);
        }
        case VALID -> {
          pb[d] = 0;
          pa[d] = 0;
        }
        case EXPLICIT -> {
          pb[d] = before.length == 1 ? before[0] : before[d];
          pa[d] = after.length == 1 ? after[0] : after[d];
        }
      }
      if ((long) in[d] + pb[d] + pa[d] < kEff && in[d] > 0) {
        throw new ShapeException(
            op
                + ": spatial dimension "
                + d
                + " has size "
                + in[d]
                + (pb[d] + pa[d] > 0 ? " (" + (in[d] + pb[d] + pa[d]) + " padded)" : "")
                + ", smaller than the window of "
                + kEff
                + (dilation[d] > 1
                    ? " (kernel " + kernel[d] + " dilated by " + dilation[d] + ")"
                    : "")
                + " with "
                + this
                + " padding; use Padding.SAME, a smaller kernel or a larger input");
      }
    }
    return new int[][] {pb, pa};
  }

  static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Padding p
        && p.kind == kind
        && Arrays.equals(p.before, before)
        && Arrays.equals(p.after, after);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * kind.hashCode() + Arrays.hashCode(before)) + Arrays.hashCode(after);
  }

  /** {@code SAME}, {@code VALID} or like {@code explicit(before=[1, 0], after=[1, 2])}. */
  @Override
  public String toString() {
    return kind == Kind.EXPLICIT
        ? "explicit(before=" + Arrays.toString(before) + ", after=" + Arrays.toString(after) + ")"
        : kind.name();
  }
}

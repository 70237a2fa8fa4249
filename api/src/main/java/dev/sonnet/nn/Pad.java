package dev.sonnet.nn;

import dev.sonnet.ops.Padding;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The padding of a convolution module: TensorFlow's input-size dependent {@link #SAME} and {@link
 * #VALID}, or one of Sonnet's {@code snt.pad} functions per spatial dimension, which pad a fixed
 * amount computed from the dilated kernel size {@code kEff = (k - 1) * rate + 1}:
 *
 * <table>
 *   <caption>The padding functions</caption>
 *   <tr><th>{@link Fn}</th><th>{@code [before, after]}</th></tr>
 *   <tr><td>{@code VALID}</td><td>{@code [0, 0]}</td></tr>
 *   <tr><td>{@code SAME}</td><td>{@code [(kEff - 1) / 2, kEff / 2]}</td></tr>
 *   <tr><td>{@code FULL}</td><td>{@code [kEff - 1, kEff - 1]}</td></tr>
 *   <tr><td>{@code CAUSAL}</td><td>{@code [kEff - 1, 0]}</td></tr>
 *   <tr><td>{@code REVERSE_CAUSAL}</td><td>{@code [0, kEff - 1]}</td></tr>
 * </table>
 *
 * <p>{@code Pad.of(Fn.SAME)} differs from {@link #SAME} when the stride is above 1: the function
 * pads the same amount whatever the input size, TensorFlow's SAME pads just enough for {@code
 * ceil(in / stride)} outputs. With a padding function the convolution runs VALID over the padded
 * input, as in Sonnet.
 *
 * <pre>{@code
 * Conv1D.builder(8, 3).padding(Pad.of(Pad.Fn.CAUSAL)).build();  // no look-ahead
 * Pad.of(Pad.Fn.FULL, Pad.Fn.VALID)                                           // per dimension
 * }</pre>
 */
public final class Pad {
  /** The functions of Sonnet's {@code snt.pad}: {@code kEff -> [before, after]}. */
  public enum Fn {
    /** No padding: {@code [0, 0]}. */
    VALID,
    /** Centred: {@code [(kEff - 1) / 2, kEff / 2]}. */
    SAME,
    /** Every partial overlap: {@code [kEff - 1, kEff - 1]}. */
    FULL,
    /** Only the past: {@code [kEff - 1, 0]}. */
    CAUSAL,
    /** Only the future: {@code [0, kEff - 1]}. */
    REVERSE_CAUSAL;

    /** {@code [before, after]} for a dilated kernel of size {@code effectiveKernel}. */
    public int[] apply(int effectiveKernel) {
      if (effectiveKernel < 1) {
        throw new IllegalArgumentException(
            "Pad."
                + name()
                + ": the effective kernel size must be"
                + " >= 1, got "
                + effectiveKernel);
      }
      int k = effectiveKernel;
      return switch (this) {
        case VALID -> new int[] {0, 0};
        case SAME -> new int[] {(k - 1) / 2, k / 2};
        case FULL -> new int[] {k - 1, k - 1};
        case CAUSAL -> new int[] {k - 1, 0};
        case REVERSE_CAUSAL -> new int[] {0, k - 1};
      };
    }
  }

  /** TensorFlow's {@code "SAME"}: {@code ceil(in / stride)} outputs; the default of every conv. */
  public static final Pad SAME = new Pad(Padding.SAME, null);

  /** TensorFlow's {@code "VALID"}: no padding. */
  public static final Pad VALID = new Pad(Padding.VALID, null);

  private final Padding string;
  private final List<Fn> fns;

  private Pad(Padding string, List<Fn> fns) {
    this.string = string;
    this.fns = fns;
  }

  /**
   * Padding functions: one for every spatial dimension, or one per spatial dimension (Sonnet's
   * {@code padding=snt.pad.causal} or {@code padding=[snt.pad.full, snt.pad.valid]}).
   */
  public static Pad of(Fn... fns) {
    if (fns.length == 0) {
      throw new IllegalArgumentException(
          "Pad.of needs at least one padding function, e.g." + " Pad.of(Pad.Fn.SAME)");
    }
    for (Fn f : fns) {
      Objects.requireNonNull(f, "padding function");
    }
    return new Pad(null, List.of(fns));
  }

  /** True for {@link #SAME} and {@link #VALID}, the paddings transposed convolutions support. */
  public boolean isString() {
    return string != null;
  }

  /** The functions, or an empty list for {@link #SAME} and {@link #VALID}. */
  public List<Fn> functions() {
    return fns == null ? List.of() : fns;
  }

  /**
   * Sonnet's {@code pad.create}: one {@code [before, after]} pair per dimension of an input of rank
   * {@code n + 2}, zeros for the batch and channel dimensions.
   *
   * @param kernel the kernel size per spatial dimension
   * @param rate the dilation per spatial dimension
   * @param channelIndex the channel axis: 1, or {@code -1} for channels-last
   */
  public int[][] create(int[] kernel, int[] rate, int channelIndex) {
    int n = kernel.length;
    int[][] spatial = spatial(kernel, rate);
    int[][] out = new int[n + 2][];
    int first = channelIndex == 1 ? 2 : 1;
    for (int i = 0; i < n + 2; i++) {
      out[i] = new int[] {0, 0};
    }
    for (int d = 0; d < n; d++) {
      out[first + d] = spatial[d];
    }
    return out;
  }

  /** The padding the convolution op runs with, for a kernel and dilation per spatial dimension. */
  public Padding toPadding(int[] kernel, int[] rate) {
    if (string != null) {
      return string;
    }
    return Padding.explicit(spatial(kernel, rate));
  }

  private int[][] spatial(int[] kernel, int[] rate) {
    int n = kernel.length;
    if (string != null) {
      throw new IllegalStateException(
          this + " depends on the input size; only padding functions" + " give a fixed padding");
    }
    if (fns.size() != 1 && fns.size() != n) {
      throw new IllegalArgumentException(
          "Pad: "
              + fns.size()
              + " padding functions "
              + fns
              + " for "
              + n
              + " spatial dimensions; give one for all or one per dimension");
    }
    int[][] out = new int[n][];
    for (int d = 0; d < n; d++) {
      Fn f = fns.size() == 1 ? fns.get(0) : fns.get(d);
      out[d] = f.apply((kernel[d] - 1) * rate[d] + 1);
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Pad p && Objects.equals(p.string, string) && Objects.equals(p.fns, fns);
  }

  @Override
  public int hashCode() {
    return Objects.hash(string, fns);
  }

  /** {@code SAME}, {@code VALID}, or like {@code Pad.of(CAUSAL)}. */
  @Override
  public String toString() {
    if (string != null) {
      return string.toString();
    }
    String s = fns.toString();
    return "Pad.of(" + s.substring(1, s.length() - 1) + ")";
  }

  static String describe(int[] a) {
    return Arrays.toString(a);
  }
}

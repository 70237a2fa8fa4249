package dev.sonnet.utils;

import dev.sonnet.autodiff.Gradients;
import dev.sonnet.ops.Elementwise;
import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Sonnet's small utilities: gradient shaping ({@link #scaleGradient}, {@link #leakyClipByValue})
 * and a table of variables ({@link #formatVariables}).
 */
public final class Utils {
  private Utils() {}

  /**
   * The same values as {@code x}; in the backward pass the gradient is multiplied by {@code scale}.
   * A scale of 0 stops the gradient ({@link Gradients#stop}), 1 is the identity, -1 reverses it
   * (gradient-reversal layers for domain adaptation), and values between 0 and 1 slow down the part
   * of a model before this point.
   */
  public static Tensor scaleGradient(Operand x, double scale) {
    if (!Double.isFinite(scale)) {
      throw new IllegalArgumentException("scaleGradient needs a finite scale, got " + scale);
    }
    if (scale == 0) {
      return Gradients.stop(x);
    }
    return Gradients.custom(
        "scale_gradient",
        in -> Tensor.wrap(in[0].buffer(), in[0].shape()),
        (in, out, upstream) -> new Tensor[] {upstream.mul(scale)},
        x);
  }

  /**
   * {@code x} clipped to {@code [min, max]} in the forward pass, with a "leaky" gradient: where
   * {@code x} is out of range the gradient still flows if it would move {@code x} back towards the
   * range under gradient <em>descent</em> ({@code x -= lr * g}), and is zeroed only where it would
   * push {@code x} further out (below {@code min} with {@code g > 0}, above {@code max} with {@code
   * g < 0}). Inside the range it passes unchanged. A plain clip would zero all of them, so a value
   * once out of range could never come back.
   */
  public static Tensor leakyClipByValue(Operand x, double min, double max) {
    if (!(min <= max)) {
      throw new IllegalArgumentException(
          "leakyClipByValue needs min <= max, got min=" + min + ", max=" + max);
    }
    return Gradients.custom(
        "leaky_clip_by_value",
        in -> in[0].clip(min, max),
        (in, out, upstream) -> {
          Tensor v = in[0];
          Tensor zero = upstream.zerosLike();
          Tensor lo = Tensor.full(v.backend(), v.dtype(), Shape.SCALAR, min);
          Tensor hi = Tensor.full(v.backend(), v.dtype(), Shape.SCALAR, max);
          Tensor pushesDown = Elementwise.logicalAnd(v.less(lo), upstream.greater(zero));
          Tensor pushesUp = Elementwise.logicalAnd(v.greater(hi), upstream.less(zero));
          return new Tensor[] {Elementwise.logicalOr(pushesDown, pushesUp).where(zero, upstream)};
        },
        x);
  }

  /**
   * A table of variables, one row each, sorted by the module that owns them (the path without the
   * last component), then by rank, larger first, then by name, as Sonnet's {@code format_variables}
   * in its default {@code orgtbl} style:
   *
   * <pre>
   * | Variable       | Spec         | Trainable | Device |
   * |----------------+--------------+-----------+--------|
   * | mlp/linear/w   | f32[784,100] | true      | CPU    |
   * | mlp/linear/b   | f32[100]     | true      | CPU    |
   * </pre>
   *
   * <p>Spec is the dtype and shape without spaces; Device the name of the backend holding the
   * value. The table ends with a newline.
   */
  public static String formatVariables(List<Variable> variables) {
    List<Variable> sorted = new ArrayList<>(variables);
    sorted.sort(
        Comparator.comparing((Variable v) -> scope(v.name()))
            .thenComparing(v -> -v.shape().rank())
            .thenComparing(Variable::name));
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"Variable", "Spec", "Trainable", "Device"});
    for (Variable v : sorted) {
      rows.add(
          new String[] {
            v.name(), spec(v), Boolean.toString(v.trainable()), v.peek().backend().name()
          });
    }
    int[] width = new int[4];
    for (String[] r : rows) {
      for (int c = 0; c < 4; c++) {
        width[c] = Math.max(width[c], r[c].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < rows.size(); i++) {
      String[] r = rows.get(i);
      for (int c = 0; c < 4; c++) {
        sb.append("| ").append(r[c]).append(" ".repeat(width[c] - r[c].length() + 1));
      }
      sb.append("|\n");
      if (i == 0) {
        for (int c = 0; c < 4; c++) {
          sb.append(c == 0 ? "|" : "+").append("-".repeat(width[c] + 2));
        }
        sb.append("|\n");
      }
    }
    return sb.toString();
  }

  /** Prints {@link #formatVariables} to {@code out}, as Sonnet's {@code log_variables}. */
  public static void logVariables(List<Variable> variables, PrintStream out) {
    out.print(formatVariables(variables));
  }

  private static String scope(String name) {
    int slash = name.lastIndexOf('/');
    return slash < 0 ? "" : name.substring(0, slash);
  }

  private static String spec(Variable v) {
    StringBuilder sb = new StringBuilder(v.dtype().shortName()).append('[');
    int[] dims = v.shape().dims();
    for (int i = 0; i < dims.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(dims[i]);
    }
    return sb.append(']').toString();
  }
}

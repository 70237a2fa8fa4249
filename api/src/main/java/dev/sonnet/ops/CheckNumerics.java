package dev.sonnet.ops;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Check-numerics mode: every operation's floating outputs are checked for NaN and infinity as the
 * operation returns, and the first one that has any stops the program with a {@link
 * NonFiniteException} naming the operation, the module it ran in, its input shapes and whether an
 * input already held the bad value, as TensorFlow's {@code enable_check_numerics} and PyTorch's
 * anomaly detection do. Without it, one NaN in one input spreads into thousands of weights in a few
 * steps, with no signal.
 *
 * <pre>{@code
 * CheckNumerics.setEnabled(true);      // or run with -Dsonnet.checkNumerics=true
 * Tensor loss = model.call(x) ...;     // throws at the first op that makes a NaN or an infinity
 * }</pre>
 *
 * <p><b>Off by default, and free when off:</b> each operation then pays one read of a flag. On,
 * every output is read back to the host and scanned (the OpenCL runtime waits for each op), so it
 * is a debugging mode, typically 2-10x slower. The forward pass, gradients (which run through the
 * same operations) and variable updates are all checked; an update that would write a NaN throws
 * before the variable changes.
 *
 * <p>The mode is global (every thread), as a system property is. {@link Elementwise#isFinite} tests
 * values without stopping, for code that handles non-finite values itself.
 */
public final class CheckNumerics {
  /** System property that turns the mode on at startup: {@code -Dsonnet.checkNumerics=true}. */
  public static final String PROPERTY = "sonnet.checkNumerics";

  /**
   * Read by {@link Dispatch#run} for every operation; volatile so that a switch is seen at once.
   */
  static volatile boolean enabled = Boolean.getBoolean(PROPERTY);

  /** Where the failing operation ran, as a module path; installed by the module package. */
  private static volatile Supplier<String> moduleLocator = () -> null;

  private CheckNumerics() {}

  /** Whether every operation's outputs are checked. */
  public static boolean isEnabled() {
    return enabled;
  }

  /** Turns the check on or off for every thread; returns whether it was on. */
  public static boolean setEnabled(boolean on) {
    boolean was = enabled;
    enabled = on;
    return was;
  }

  /**
   * Throws a {@link NonFiniteException} if {@code tensor} holds a NaN or an infinity, whatever the
   * mode; {@code what} names the tensor in the message (TensorFlow's {@code check_numerics}).
   * Returns {@code tensor}.
   */
  public static Tensor check(Tensor tensor, String what) {
    Bad bad = scan(tensor);
    if (bad != null) {
      throw new NonFiniteException(
          what,
          null,
          what + " " + tensor.dtype() + tensor.shape() + " holds " + bad.describe(tensor.shape()));
    }
    return tensor;
  }

  /**
   * Installs the function that names the module an operation runs in (the module package does, so
   * that this package does not depend on it). For {@code dev.sonnet.module} only.
   */
  public static void locateModulesWith(Supplier<String> locator) {
    moduleLocator = locator;
  }

  /** Checks {@code op}'s outputs; called by {@link Dispatch#run} in this mode only. */
  static void afterOp(Op op, Tensor[] inputs, Tensor[] outputs) {
    for (int o = 0; o < outputs.length; o++) {
      Bad bad = scan(outputs[o]);
      if (bad != null) {
        throw failure(op, inputs, outputs, o, bad);
      }
    }
  }

  private static NonFiniteException failure(
      Op op, Tensor[] inputs, Tensor[] outputs, int o, Bad bad) {
    String module = moduleLocator.get();
    StringBuilder m = new StringBuilder("check numerics: op '").append(op.name()).append("'");
    if (module != null) {
      m.append(" in module ").append(module);
    }
    String cause = null;
    StringBuilder ins = new StringBuilder();
    for (int i = 0; i < inputs.length; i++) {
      Tensor in = inputs[i];
      Bad inBad = scan(in);
      ins.append(i == 0 ? "" : ", ").append(in.dtype()).append(in.shape());
      if (inBad != null) {
        ins.append(" (holds ").append(inBad.describe(in.shape())).append(')');
        if (cause == null) {
          cause = "input " + i;
        }
      }
    }
    m.append(cause == null ? " produced " : " passed on ")
        .append(bad.describe(outputs[o].shape()))
        .append(" in output ")
        .append(o)
        .append(' ')
        .append(outputs[o].dtype())
        .append(outputs[o].shape())
        .append("; inputs: ")
        .append(ins)
        .append('.');
    if (cause == null) {
      m.append(
          " Its inputs were finite, so this op made the bad value: look for a log or a"
              + " division of 0, an exp or a square that overflows, or a learning rate too large.");
    } else {
      m.append(" The bad value came in through ")
          .append(cause)
          .append(
              ", which no checked op"
                  + " made: input data, a variable's initial or assigned value, or a tensor made before"
                  + " the check was on.");
    }
    return new NonFiniteException(op.name(), module, m.toString());
  }

  /** The first non-finite element of {@code t} and how many there are, or null if none. */
  private static Bad scan(Tensor t) {
    if (t.dtype() == DType.FLOAT32) {
      float[] v = t.toFloatArray();
      Bad bad = null;
      for (int i = 0; i < v.length; i++) {
        if (!Float.isFinite(v[i])) {
          bad = bad == null ? new Bad(i, v[i]) : bad;
          bad.count(v[i]);
        }
      }
      return bad;
    }
    if (t.dtype() == DType.FLOAT64) {
      double[] v = t.toDoubleArray();
      Bad bad = null;
      for (int i = 0; i < v.length; i++) {
        if (!Double.isFinite(v[i])) {
          bad = bad == null ? new Bad(i, v[i]) : bad;
          bad.count(v[i]);
        }
      }
      return bad;
    }
    return null;
  }

  /** What a scan found: the first bad element and the counts. */
  private static final class Bad {
    final int first;
    final double firstValue;
    long nans;
    long infinities;

    Bad(int first, double firstValue) {
      this.first = first;
      this.firstValue = firstValue;
    }

    void count(double v) {
      if (Double.isNaN(v)) {
        nans++;
      } else {
        infinities++;
      }
    }

    String describe(Shape shape) {
      StringBuilder s = new StringBuilder();
      if (nans > 0) {
        s.append(nans).append(" NaN");
      }
      if (infinities > 0) {
        s.append(nans > 0 ? " and " : "")
            .append(infinities)
            .append(infinities == 1 ? " infinity" : " infinities");
      }
      return s.append(", the first (")
          .append(firstValue)
          .append(") at ")
          .append(Arrays.toString(shape.coordinates(first)))
          .toString();
    }
  }
}

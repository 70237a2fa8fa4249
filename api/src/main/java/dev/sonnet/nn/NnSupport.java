package dev.sonnet.nn;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.module.Module;
import dev.sonnet.ops.ConvOptions;
import dev.sonnet.ops.DataFormat;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Checks and small conversions shared by the layers; the messages name the module's path. */
final class NnSupport {
  private NnSupport() {}

  /** {@code values} for {@code n} dimensions: one value repeated, or one per dimension. */
  static int[] replicate(String module, String what, int[] values, int n) {
    if (values == null || values.length == 0) {
      throw new IllegalArgumentException(
          module + ": " + what + " needs one value, or one per" + " spatial dimension (" + n + ")");
    }
    if (values.length != 1 && values.length != n) {
      throw new IllegalArgumentException(
          module
              + ": "
              + what
              + " "
              + Arrays.toString(values)
              + " has "
              + values.length
              + " entries; give one value for all "
              + n
              + " spatial dimensions or exactly "
              + n);
    }
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = values.length == 1 ? values[0] : values[i];
      if (out[i] < 1) {
        throw new IllegalArgumentException(
            module + ": " + what + " values must be >= 1, got " + Arrays.toString(values));
      }
    }
    return out;
  }

  /**
   * {@link #replicate}, with {@code null} meaning 1 in every dimension (the default stride and
   * rate).
   */
  static int[] replicateOrOne(String module, String what, int[] values, int n) {
    return replicate(module, what, values == null ? new int[] {1} : values, n);
  }

  /**
   * The argument checks the convolution and transposed convolution modules share, in this order:
   * {@code outputChannels >= 1}, and no {@code bInit} without a bias.
   */
  static void checkConvArgs(
      String module, int outputChannels, boolean withBias, Initializer bInit) {
    if (outputChannels < 1) {
      throw new IllegalArgumentException(
          module + ": outputChannels must be >= 1, got " + outputChannels);
    }
    if (!withBias && bInit != null) {
      throw new IllegalArgumentException(
          module
              + ": when withBias is false, bInit must be null"
              + " (got "
              + bInit
              + "); there is no bias to initialise");
    }
  }

  /** The input layout a convolution module with {@code rank} spatial dimensions expects. */
  static String convLayout(DataFormat format, int rank) {
    return format == DataFormat.CHANNELS_LAST
        ? "[batch, spatial x " + rank + ", channels]"
        : "[batch, channels, spatial x " + rank + "]";
  }

  /** The ops' options for a convolution module's stride, rate, padding and data format. */
  static ConvOptions convOptions(
      int[] kernel, int[] strides, int[] rates, Pad padding, DataFormat format) {
    return ConvOptions.DEFAULT
        .withStride(strides)
        .withDilation(rates)
        .withPadding(padding.toPadding(kernel, rates))
        .withDataFormat(format);
  }

  static List<Integer> list(int[] values) {
    List<Integer> out = new ArrayList<>(values.length);
    for (int v : values) {
      out.add(v);
    }
    return List.copyOf(out);
  }

  /** A {@code List<Integer>} default (an immutable constant) as the array a setting takes. */
  static int[] ints(List<Integer> values) {
    return values.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The value of a setting that has a non-null default; null is refused with the fix. */
  static <T> T required(String module, String setting, T value) {
    if (value == null) {
      throw new IllegalArgumentException(
          module
              + ": "
              + setting
              + " must not be null; leave it"
              + " unset in the builder for its default ("
              + module
              + ".DEFAULT_"
              + setting.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(java.util.Locale.ROOT)
              + ")");
    }
    return value;
  }

  static List<Integer> repeat(int value, int n) {
    int[] v = new int[n];
    Arrays.fill(v, value);
    return list(v);
  }

  static int product(int[] values) {
    int p = 1;
    for (int v : values) {
      p *= v;
    }
    return p;
  }

  /** Throws unless {@code x} has at least {@code rank} dimensions. */
  static void requireMinRank(Module m, Tensor x, int rank, String layout) {
    if (x.rank() < rank) {
      throw new ShapeException(
          m.getClass().getSimpleName()
              + " '"
              + m.path()
              + "': input "
              + x.shape()
              + " has rank "
              + x.rank()
              + " but needs rank >= "
              + rank
              + " ("
              + layout
              + ")");
    }
  }

  /**
   * Throws if {@code x}'s dimension {@code axis} (its features or channels) is 0: a layer built
   * from it would have no weights to learn, and its default initializer's scale {@code 1 /
   * sqrt(fanIn)} would be infinite.
   */
  static void requireFeatures(Module m, Tensor x, int axis, String what) {
    if (x.dim(axis) == 0) {
      throw new ShapeException(
          m.getClass().getSimpleName()
              + " '"
              + m.path()
              + "': input "
              + x.shape()
              + " has no "
              + what
              + " (dimension "
              + axis
              + " is 0); it needs at least one to build its weights. Check how the input was"
              + " sliced or reshaped.");
    }
  }

  /** Throws unless {@code x} has exactly {@code rank} dimensions. */
  static void requireRank(Module m, Tensor x, int rank, String layout) {
    if (x.rank() != rank) {
      throw new ShapeException(
          m.getClass().getSimpleName()
              + " '"
              + m.path()
              + "': input "
              + x.shape()
              + " has rank "
              + x.rank()
              + " but needs rank "
              + rank
              + " ("
              + layout
              + ")");
    }
  }

  /** Throws unless the input's {@code axis} still has the size the module was built with. */
  static void requireDim(Module m, Tensor x, int axis, int expected, String what) {
    int actual = x.dim(axis);
    if (actual != expected) {
      throw new ShapeException(
          m.getClass().getSimpleName()
              + " '"
              + m.path()
              + "': input "
              + x.shape()
              + " has "
              + actual
              + " "
              + what
              + " (axis "
              + axis
              + ") but the module was"
              + " built for "
              + expected
              + "; its variables were created from its first input. Use"
              + " a new module for inputs of another size.");
    }
  }

  static int channelAxis(DataFormat format, int rank) {
    return format.channelAxis(rank);
  }

  /** The spatial sizes of a conv input. */
  static int[] spatial(Shape s, DataFormat format) {
    int n = s.rank() - 2;
    int[] out = new int[n];
    int first = format.firstSpatialAxis();
    for (int i = 0; i < n; i++) {
      out[i] = s.dim(first + i);
    }
    return out;
  }

  static void checkRate(String module, double rate) {
    if (!(rate >= 0 && rate < 1)) {
      throw new IllegalArgumentException(
          module
              + ": dropout rate must be in [0, 1), got "
              + rate
              + "; it is the probability of dropping each element");
    }
  }
}

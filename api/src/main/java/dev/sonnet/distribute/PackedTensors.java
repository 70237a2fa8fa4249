package dev.sonnet.distribute;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A list of tensors copied to the host, what a collective moves: the float32 tensors' values as one
 * array each ({@link #floats}), seen end to end as one sequence of {@link #floatCount} elements,
 * and the float64 tensors' likewise. A collective cuts that sequence into chunks regardless of
 * where one tensor ends, so many small gradients cost one exchange, yet nothing is copied into or
 * out of a concatenated array: each tensor is copied once to the host and once back. {@link
 * #unpack} makes tensors of the same shapes again, each on the backend of the tensor it replaces.
 */
final class PackedTensors {
  final List<Tensor> tensors;
  final float[][] floats;
  final double[][] doubles;
  final int floatCount;
  final int doubleCount;

  /** Shapes and dtypes in order, e.g. {@code f32[784, 1024] f32[1024]}: replicas must agree. */
  final String signature;

  PackedTensors(List<Tensor> tensors, float[][] floats, double[][] doubles, String signature) {
    this.tensors = tensors;
    this.floats = floats;
    this.doubles = doubles;
    this.floatCount = count(floats);
    this.doubleCount = count(doubles);
    this.signature = signature;
  }

  private static int count(float[][] parts) {
    return total(lengths(parts));
  }

  private static int count(double[][] parts) {
    return total(lengths(parts));
  }

  /** The sum of {@code lengths}, checked to fit one collective. */
  static int total(int[] lengths) {
    long n = 0;
    for (int l : lengths) {
      n += l;
    }
    return checkCount(n);
  }

  private static int checkCount(long n) {
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("A collective moves at most 2^31 elements, got " + n);
    }
    return (int) n;
  }

  /** Copies {@code tensors} to the host; {@code what} names the collective in errors. */
  static PackedTensors pack(String what, List<Tensor> tensors) {
    String signature = check(what, tensors);
    List<float[]> floats = new ArrayList<>();
    List<double[]> doubles = new ArrayList<>();
    for (Tensor t : tensors) {
      if (t.dtype() == DType.FLOAT32) {
        floats.add(t.toFloatArray());
      } else {
        doubles.add(t.toDoubleArray());
      }
    }
    return new PackedTensors(
        List.copyOf(tensors),
        floats.toArray(new float[0][]),
        doubles.toArray(new double[0][]),
        signature);
  }

  /**
   * Checks that {@code tensors} can be reduced (no null, only f32 and f64) without copying them,
   * and returns their signature.
   */
  static String check(String what, List<Tensor> tensors) {
    Objects.requireNonNull(tensors, what + ": tensors");
    StringBuilder sig = new StringBuilder();
    for (int i = 0; i < tensors.size(); i++) {
      Tensor t = tensors.get(i);
      if (t == null) {
        throw new IllegalArgumentException(
            what
                + ": tensor "
                + i
                + " is null. A gradient of a variable the loss does not depend on is null; drop"
                + " it from the list (on every replica) or pass zeros.");
      }
      if (t.dtype() != DType.FLOAT32 && t.dtype() != DType.FLOAT64) {
        throw new IllegalArgumentException(
            what + ": tensor " + i + " is " + t.dtype() + t.shape() + "; only f32 and f64 reduce");
      }
      if (i > 0) {
        sig.append(' ');
      }
      sig.append(t.dtype()).append(t.shape());
    }
    return sig.toString();
  }

  /** Tensors shaped like the packed ones, holding the arrays' current values. */
  List<Tensor> unpack() {
    List<Tensor> out = new ArrayList<>(tensors.size());
    int f = 0;
    int d = 0;
    for (Tensor t : tensors) {
      if (t.dtype() == DType.FLOAT32) {
        out.add(Tensor.wrap(t.backend().upload(floats[f++]), t.shape()));
      } else {
        out.add(Tensor.wrap(t.backend().upload(doubles[d++]), t.shape()));
      }
    }
    return out;
  }

  /** Called with each part's piece of a range of the end-to-end sequence. */
  @FunctionalInterface
  interface Piece {
    /**
     * Part {@code part}'s elements {@code [from, from + n)}, which are the sequence's elements
     * {@code [at, at + n)}.
     */
    void run(int part, int from, int n, int at);
  }

  /** Visits the pieces of elements {@code [lo, hi)} of parts of the given lengths, in order. */
  static void pieces(int[] lengths, int lo, int hi, Piece piece) {
    int start = 0;
    for (int p = 0; p < lengths.length && start < hi; p++) {
      int end = start + lengths[p];
      int a = Math.max(lo, start);
      int b = Math.min(hi, end);
      if (a < b) {
        piece.run(p, a - start, b - a, a);
      }
      start = end;
    }
  }

  static int[] lengths(float[][] parts) {
    int[] out = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = parts[i].length;
    }
    return out;
  }

  static int[] lengths(double[][] parts) {
    int[] out = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = parts[i].length;
    }
    return out;
  }
}

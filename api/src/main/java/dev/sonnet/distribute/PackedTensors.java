package dev.sonnet.distribute;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A list of tensors copied to the host as one float array (the float32 tensors, end to end) and one
 * double array (the float64 ones): what a collective moves, so that many small gradients cost one
 * exchange instead of one each. {@link #unpack} makes tensors of the same shapes again, each on the
 * backend of the tensor it replaces.
 */
final class PackedTensors {
  final List<Tensor> tensors;
  final float[] floats;
  final double[] doubles;

  /** Shapes and dtypes in order, e.g. {@code f32[784, 1024] f32[1024]}: replicas must agree. */
  final String signature;

  private PackedTensors(List<Tensor> tensors, float[] floats, double[] doubles, String signature) {
    this.tensors = tensors;
    this.floats = floats;
    this.doubles = doubles;
    this.signature = signature;
  }

  /** Copies {@code tensors} to the host; {@code what} names the collective in errors. */
  static PackedTensors pack(String what, List<Tensor> tensors) {
    Objects.requireNonNull(tensors, what + ": tensors");
    long floatCount = 0;
    long doubleCount = 0;
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
      if (t.dtype() == DType.FLOAT32) {
        floatCount += t.size();
      } else if (t.dtype() == DType.FLOAT64) {
        doubleCount += t.size();
      } else {
        throw new IllegalArgumentException(
            what + ": tensor " + i + " is " + t.dtype() + t.shape() + "; only f32 and f64 reduce");
      }
      if (i > 0) {
        sig.append(' ');
      }
      sig.append(t.dtype()).append(t.shape());
    }
    if (floatCount > Integer.MAX_VALUE - 8 || doubleCount > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(what + ": more than 2^31 elements in one call");
    }
    float[] floats = new float[(int) floatCount];
    double[] doubles = new double[(int) doubleCount];
    int f = 0;
    int d = 0;
    for (Tensor t : tensors) {
      int n = t.shape().intSize();
      if (t.dtype() == DType.FLOAT32) {
        if (n == floats.length) {
          floats = t.toFloatArray();
        } else {
          System.arraycopy(t.toFloatArray(), 0, floats, f, n);
        }
        f += n;
      } else {
        if (n == doubles.length) {
          doubles = t.toDoubleArray();
        } else {
          System.arraycopy(t.toDoubleArray(), 0, doubles, d, n);
        }
        d += n;
      }
    }
    return new PackedTensors(List.copyOf(tensors), floats, doubles, sig.toString());
  }

  /** Tensors shaped like the packed ones, holding the arrays' current values. */
  List<Tensor> unpack() {
    List<Tensor> out = new ArrayList<>(tensors.size());
    int f = 0;
    int d = 0;
    for (Tensor t : tensors) {
      int n = t.shape().intSize();
      if (t.dtype() == DType.FLOAT32) {
        float[] part = n == floats.length ? floats : Arrays.copyOfRange(floats, f, f + n);
        out.add(Tensor.wrap(t.backend().upload(part), t.shape()));
        f += n;
      } else {
        double[] part = n == doubles.length ? doubles : Arrays.copyOfRange(doubles, d, d + n);
        out.add(Tensor.wrap(t.backend().upload(part), t.shape()));
        d += n;
      }
    }
    return out;
  }
}

package dev.sonnet.nn;

import dev.sonnet.module.Layer;
import dev.sonnet.module.Module;
import dev.sonnet.module.Settings;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;

/**
 * Sonnet 1's {@code SliceByDim}: slices along selected dimensions, {@code y = x[..., begin[i] :
 * begin[i] + size[i], ...]} on each dimension {@code dims[i]}, the others taken whole.
 *
 * <p><b>Shapes.</b> Output = input shape with dimension {@code dims[i]} of size {@code size[i]}
 * ({@code -1}: everything from {@code begin[i]} on).
 *
 * <p><b>Variables:</b> none.
 *
 * <pre>{@code
 * new SliceByDim(new int[] {1}, new int[] {2}, new int[] {3}).call(x);   // x[:, 2:5, ...]
 * }</pre>
 */
public final class SliceByDim extends Module implements Layer {
  final int[] dims;
  final int[] begin;
  final int[] size;

  /** A slice; see {@link #SliceByDim(int[], int[], int[], String)}. */
  public SliceByDim(int[] dims, int[] begin, int[] size) {
    this(dims, begin, size, null);
  }

  /**
   * @param dims the dimensions to slice (negative counts from the end), each once
   * @param begin the first index per dimension, {@code >= 0}
   * @param size the length per dimension, or {@code -1} for the rest
   * @param name the module name, or null for {@code slice_by_dim}
   */
  @Settings
  public SliceByDim(int[] dims, int[] begin, int[] size, String name) {
    super(name);
    if (dims.length != begin.length || dims.length != size.length) {
      throw new IllegalArgumentException(
          "SliceByDim: dims "
              + Arrays.toString(dims)
              + ", begin "
              + Arrays.toString(begin)
              + " and size "
              + Arrays.toString(size)
              + " need the same"
              + " length (one entry per sliced dimension)");
    }
    for (int i = 0; i < dims.length; i++) {
      for (int j = 0; j < i; j++) {
        if (dims[j] == dims[i]) {
          throw new IllegalArgumentException(
              "SliceByDim: dims "
                  + Arrays.toString(dims)
                  + " repeats dimension "
                  + dims[i]
                  + "; slice each dimension once");
        }
      }
      if (begin[i] < 0 || size[i] < -1) {
        throw new IllegalArgumentException(
            "SliceByDim: begin must be >= 0 and size >= -1, got"
                + " begin "
                + Arrays.toString(begin)
                + ", size "
                + Arrays.toString(size));
      }
    }
    this.dims = dims.clone();
    this.begin = begin.clone();
    this.size = size.clone();
    allowEmptyVariables();
  }

  @Override
  public Tensor call(Tensor x) {
    int rank = x.rank();
    int[] b = new int[rank];
    int[] e = new int[rank];
    boolean[] sliced = new boolean[rank];
    for (int i = 0; i < rank; i++) {
      e[i] = x.dim(i);
    }
    for (int i = 0; i < dims.length; i++) {
      int d = dims[i] < 0 ? dims[i] + rank : dims[i];
      if (d < 0 || d >= rank) {
        throw new ShapeException(
            "SliceByDim '" + path() + "': dimension " + dims[i] + " is outside input " + x.shape());
      }
      if (sliced[d]) {
        throw new ShapeException(
            "SliceByDim '"
                + path()
                + "': dims "
                + Arrays.toString(dims)
                + " name dimension "
                + d
                + " of input "
                + x.shape()
                + " twice");
      }
      sliced[d] = true;
      int end = size[i] == -1 ? x.dim(d) : begin[i] + size[i];
      if (end > x.dim(d) || begin[i] > x.dim(d)) {
        throw new ShapeException(
            "SliceByDim '"
                + path()
                + "': slice ["
                + begin[i]
                + ", "
                + end
                + ") of dimension "
                + d
                + " is outside input "
                + x.shape());
      }
      b[d] = begin[i];
      e[d] = end;
    }
    return x.slice(b, e, null);
  }
}

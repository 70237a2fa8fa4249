package dev.sonnet.nn;

import dev.sonnet.module.Layer;
import dev.sonnet.module.Module;
import dev.sonnet.module.Settings;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;

/**
 * Sonnet 1's {@code MergeDims}: merges {@code size} consecutive dimensions starting at {@code
 * start} into one.
 *
 * <p><b>Shapes.</b> {@code [a..., d(start), ..., d(start+size-1), b...]} to {@code [a..., d(start)
 * * ... * d(start+size-1), b...]}.
 *
 * <p><b>Variables:</b> none.
 *
 * <pre>{@code
 * new MergeDims(1, 2).call(Tensor.zeros(DType.FLOAT32, 8, 3, 4, 5)).shape();   // [8, 12, 5]
 * }</pre>
 */
public final class MergeDims extends Module implements Layer {
  final int start;
  final int size;

  /** Merges dimensions {@code start .. start + size - 1}. */
  public MergeDims(int start, int size) {
    this(start, size, null);
  }

  /**
   * @param start the first dimension to merge, {@code >= 0}
   * @param size how many dimensions to merge, {@code >= 2} (merging one would do nothing)
   * @param name the module name, or null for {@code merge_dims}
   */
  @Settings
  public MergeDims(int start, int size, String name) {
    super(name);
    if (start < 0) {
      throw new IllegalArgumentException("MergeDims: start must be >= 0, got " + start);
    }
    if (size < 2) {
      throw new IllegalArgumentException(
          "MergeDims: size must be >= 2, got "
              + size
              + "; merging fewer than two dimensions changes nothing");
    }
    this.start = start;
    this.size = size;
    allowEmptyVariables();
  }

  @Override
  public Tensor call(Tensor x) {
    int rank = x.rank();
    if (start + size > rank) {
      throw new ShapeException(
          "MergeDims '"
              + path()
              + "': dimensions "
              + start
              + " to "
              + (start + size - 1)
              + " do not exist in input "
              + x.shape()
              + " of rank "
              + rank);
    }
    int[] in = x.shape().dims();
    int[] out = new int[rank - size + 1];
    int merged = 1;
    for (int i = start; i < start + size; i++) {
      merged *= in[i];
    }
    System.arraycopy(in, 0, out, 0, start);
    out[start] = merged;
    System.arraycopy(in, start + size, out, start + 1, rank - start - size);
    return x.reshape(out);
  }
}

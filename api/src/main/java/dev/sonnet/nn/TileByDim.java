package dev.sonnet.nn;

import dev.sonnet.module.Layer;
import dev.sonnet.module.Module;
import dev.sonnet.module.Settings;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;

/**
 * Sonnet 1's {@code TileByDim}: repeats the input {@code multiples[i]} times along dimension {@code
 * dims[i]} ({@code tf.tile} restricted to some dimensions): {@code y[..., j, ...] = x[..., j mod n,
 * ...]}.
 *
 * <p><b>Shapes.</b> Output = input shape with dimension {@code dims[i]} multiplied by {@code
 * multiples[i]}.
 *
 * <p><b>Variables:</b> none. The gradient sums over the copies.
 *
 * <pre>{@code
 * new TileByDim(new int[] {1}, new int[] {3}).call(x);   // [2, 4] -> [2, 12]
 * }</pre>
 */
public final class TileByDim extends Module implements Layer {
  final int[] dims;
  final int[] multiples;

  /** Tiles dimension {@code dims[i]} {@code multiples[i]} times. */
  public TileByDim(int[] dims, int[] multiples) {
    this(dims, multiples, null);
  }

  /**
   * @param dims the dimensions to tile (negative counts from the end)
   * @param multiples the number of copies per dimension, each >= 1
   * @param name the module name, or null for {@code tile_by_dim}
   */
  @Settings
  public TileByDim(int[] dims, int[] multiples, String name) {
    super(name);
    if (dims.length != multiples.length) {
      throw new IllegalArgumentException(
          "TileByDim: dims "
              + Arrays.toString(dims)
              + " and multiples "
              + Arrays.toString(multiples)
              + " need the same length");
    }
    for (int m : multiples) {
      if (m < 1) {
        throw new IllegalArgumentException(
            "TileByDim: multiples must be >= 1, got " + Arrays.toString(multiples));
      }
    }
    this.dims = dims.clone();
    this.multiples = multiples.clone();
    allowEmptyVariables();
  }

  @Override
  public Tensor call(Tensor x) {
    int rank = x.rank();
    int[] mult = new int[rank];
    Arrays.fill(mult, 1);
    for (int i = 0; i < dims.length; i++) {
      int d = dims[i] < 0 ? dims[i] + rank : dims[i];
      if (d < 0 || d >= rank) {
        throw new ShapeException(
            "TileByDim '" + path() + "': dimension " + dims[i] + " is outside input " + x.shape());
      }
      mult[d] *= multiples[i];
    }
    // Insert a copy axis before each dimension, broadcast it, and merge it into the dimension.
    int[] in = x.shape().dims();
    int[] expanded = new int[2 * rank];
    int[] target = new int[2 * rank];
    int[] out = new int[rank];
    for (int d = 0; d < rank; d++) {
      expanded[2 * d] = 1;
      expanded[2 * d + 1] = in[d];
      target[2 * d] = mult[d];
      target[2 * d + 1] = in[d];
      out[d] = in[d] * mult[d];
    }
    return x.reshape(expanded).broadcastTo(Shape.of(target)).reshape(out);
  }
}

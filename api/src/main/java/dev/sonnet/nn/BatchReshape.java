package dev.sonnet.nn;

import dev.sonnet.module.Deferred;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Module;
import dev.sonnet.module.NotBuiltException;
import dev.sonnet.module.Settings;
import dev.sonnet.module.Transposable;
import dev.sonnet.module.Transpose;
import dev.sonnet.module.TransposeWith;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;

/**
 * Sonnet 1's {@code BatchReshape}: reshapes all but the first {@code preserveDims} dimensions to
 * {@code shape} (one entry may be {@code -1}), like {@link Reshape}, and can be transposed.
 *
 * <p><b>Shapes.</b> Input {@code [b..., rest...]} with {@code preserveDims} leading dimensions;
 * output {@code [b..., shape...]}; the sizes of {@code rest} and {@code shape} must match.
 *
 * <p><b>Variables:</b> none.
 *
 * <pre>{@code
 * var r = new BatchReshape(new int[] {4, 4});
 * Tensor img = r.call(x);                               // [8, 16] -> [8, 4, 4]
 * Tensor back = Transpose.layer(r).call(img);           // [8, 16]
 * }</pre>
 */
@Transposable
public final class BatchReshape extends Module implements Layer {
  /** {@code 1}: the batch dimension is kept. */
  public static final int DEFAULT_PRESERVE_DIMS = 1;

  final int[] shape;
  final int preserveDims;
  private volatile int[] inputShape;

  /** Reshapes everything after the batch dimension into {@code shape}. */
  public BatchReshape(int[] shape) {
    this(shape, DEFAULT_PRESERVE_DIMS, null);
  }

  /** Reshapes everything after the first {@code preserveDims} dimensions into {@code shape}. */
  public BatchReshape(int[] shape, int preserveDims) {
    this(shape, preserveDims, null);
  }

  /**
   * @param shape the new shape of the non-preserved dimensions; at most one {@code -1}
   * @param preserveDims leading dimensions to keep, at least 1; default {@value
   *     #DEFAULT_PRESERVE_DIMS}
   * @param name the module name, or null for {@code batch_reshape}
   */
  @Settings
  public BatchReshape(@TransposeWith("inputShape") int[] shape, int preserveDims, String name) {
    super(name);
    if (preserveDims < 1) {
      throw new IllegalArgumentException(
          "BatchReshape: preserveDims must be >= 1, got " + preserveDims);
    }
    this.shape = shape.clone();
    this.preserveDims = preserveDims;
    allowEmptyVariables();
  }

  /** The target shape, as given. */
  public int[] shape() {
    return shape.clone();
  }

  /** The trailing shape of the first input, known once the module has been called. */
  public int[] inputShape() {
    int[] s = inputShape;
    if (s == null) {
      throw new NotBuiltException(
          "BatchReshape '"
              + name()
              + "' has no input shape yet: call it"
              + " once before its transpose.");
    }
    return s.clone();
  }

  @Override
  public Tensor call(Tensor x) {
    Tensor y = x.reshape(Reshape.resolve(this, x, shape, preserveDims));
    if (inputShape == null) {
      int[] d = x.shape().dims();
      inputShape = Arrays.copyOfRange(d, preserveDims, d.length);
    }
    return y;
  }

  /** A new {@code BatchReshape} back to this one's input shape (Sonnet 1's {@code transpose()}). */
  public Deferred<BatchReshape> transpose() {
    return Transpose.of(this);
  }
}

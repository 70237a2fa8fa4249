package dev.sonnet.nn;

import dev.sonnet.module.Layer;
import dev.sonnet.module.Module;
import dev.sonnet.module.NotBuiltException;
import dev.sonnet.module.Settings;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;

/**
 * Reshapes all but the leading dimensions: the first {@code preserveDims} dimensions are kept, the
 * rest become {@code outputShape}.
 *
 * <p><b>Shapes.</b> Input {@code [d0, ..., d(p-1), rest...]}; output {@code [d0, ..., d(p-1),
 * outputShape...]}, where one entry of {@code outputShape} may be {@code -1}, inferred from the
 * others. The sizes of {@code rest} and {@code outputShape} must match.
 *
 * <p><b>Variables:</b> none.
 *
 * <pre>{@code
 * var r = new Reshape(new int[] {4, -1});          // [8, 2, 6] -> [8, 4, 3]
 * Tensor y = r.call(x);
 * Tensor back = r.reversed().call(y);              // [8, 2, 6] again
 * }</pre>
 */
public class Reshape extends Module implements Layer {
  /** {@code 1}: the batch dimension is kept and everything after it is reshaped. */
  public static final int DEFAULT_PRESERVE_DIMS = 1;

  final int[] outputShape;
  final int preserveDims;
  private volatile int[] inputShape;

  /** Reshapes everything after the batch dimension into {@code outputShape}. */
  public Reshape(int[] outputShape) {
    this(outputShape, DEFAULT_PRESERVE_DIMS, null);
  }

  /**
   * Reshapes everything after the first {@code preserveDims} dimensions into {@code outputShape}.
   */
  public Reshape(int[] outputShape, int preserveDims) {
    this(outputShape, preserveDims, null);
  }

  /**
   * A reshape with every setting.
   *
   * @param outputShape the new shape of the non-preserved dimensions; at most one {@code -1}
   * @param preserveDims how many leading dimensions to keep, at least 1; default {@value
   *     #DEFAULT_PRESERVE_DIMS}, the batch dimension
   * @param name the module name, or null for {@code reshape}
   */
  @Settings
  public Reshape(int[] outputShape, int preserveDims, String name) {
    super(name);
    if (preserveDims < 1) {
      throw new IllegalArgumentException(
          getClass().getSimpleName()
              + ": preserveDims must be"
              + " >= 1 (the batch dimension is always kept), got "
              + preserveDims);
    }
    int wildcards = 0;
    for (int d : outputShape) {
      if (d == -1) {
        wildcards++;
      } else if (d < 0) {
        throw new IllegalArgumentException(
            getClass().getSimpleName()
                + ": outputShape "
                + Arrays.toString(outputShape)
                + " has a negative size; use sizes >= 0 and at most"
                + " one -1");
      }
    }
    if (wildcards > 1) {
      throw new IllegalArgumentException(
          getClass().getSimpleName()
              + ": outputShape "
              + Arrays.toString(outputShape)
              + " has "
              + wildcards
              + " entries -1; at most one size"
              + " can be inferred");
    }
    this.outputShape = outputShape.clone();
    this.preserveDims = preserveDims;
    allowEmptyVariables();
  }

  /** The target shape of the non-preserved dimensions, as given (may hold {@code -1}). */
  public int[] outputShape() {
    return outputShape.clone();
  }

  @Override
  public Tensor call(Tensor x) {
    int[] in = x.shape().dims();
    int[] shape = resolve(this, x, outputShape, preserveDims);
    if (inputShape == null) {
      inputShape = Arrays.copyOfRange(in, preserveDims, in.length);
    }
    return x.reshape(shape);
  }

  /** The full output shape of {@code module} reshaping {@code x}, with the -1 resolved. */
  static int[] resolve(Module module, Tensor x, int[] outputShape, int preserveDims) {
    String who = module.getClass().getSimpleName() + " '" + module.path() + "'";
    if (x.rank() < preserveDims) {
      throw new ShapeException(
          who
              + ": input "
              + x.shape()
              + " has rank "
              + x.rank()
              + ", fewer than preserveDims="
              + preserveDims
              + "; lower preserveDims or add"
              + " dimensions");
    }
    int[] in = x.shape().dims();
    long rest = 1;
    for (int i = preserveDims; i < in.length; i++) {
      rest *= in[i];
    }
    int[] shape = new int[preserveDims + outputShape.length];
    System.arraycopy(in, 0, shape, 0, preserveDims);
    long known = 1;
    int wildcard = -1;
    for (int i = 0; i < outputShape.length; i++) {
      shape[preserveDims + i] = outputShape[i];
      if (outputShape[i] == -1) {
        wildcard = preserveDims + i;
      } else {
        known *= outputShape[i];
      }
    }
    if (wildcard >= 0 && known != 0 && rest % known == 0) {
      shape[wildcard] = (int) (rest / known);
    } else if (wildcard >= 0 || known != rest) {
      throw new ShapeException(
          who
              + ": cannot reshape the trailing dimensions "
              + Arrays.toString(Arrays.copyOfRange(in, preserveDims, in.length))
              + " of input "
              + x.shape()
              + " ("
              + rest
              + " elements) into "
              + Arrays.toString(outputShape)
              + "; the sizes must match (keeping the first "
              + preserveDims
              + " dimension"
              + (preserveDims == 1 ? "" : "s")
              + ")");
    }
    return shape;
  }

  /**
   * The inverse reshape (Sonnet's {@code reversed()}): a {@code Reshape} back to the trailing shape
   * of this module's first input, named {@code <name>_reversed}.
   *
   * @throws NotBuiltException before the first call, when that shape is unknown
   */
  public Reshape reversed() {
    int[] in = inputShape;
    if (in == null) {
      throw new NotBuiltException(
          getClass().getSimpleName()
              + " '"
              + name()
              + "' cannot be"
              + " reversed yet: the shape to restore is read from its first input. Call it once"
              + " first.");
    }
    return new Reshape(in, preserveDims, name() + "_reversed");
  }
}

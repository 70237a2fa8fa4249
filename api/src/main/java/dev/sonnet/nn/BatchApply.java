package dev.sonnet.nn;

import dev.sonnet.module.Layer;
import dev.sonnet.module.Module;
import dev.sonnet.module.Settings;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;

/**
 * Applies a layer to an input with several leading batch dimensions: merges the first {@code
 * numDims} dimensions into one, calls the layer, and splits the output's first dimension back.
 *
 * <p><b>Shapes.</b> Input {@code [d0, ..., d(n-1), rest...]}; the layer sees {@code [d0 * ... *
 * d(n-1), rest...]} and returns {@code [d0 * ... * d(n-1), out...]}; output {@code [d0, ...,
 * d(n-1), out...]}. An input of rank below {@code numDims} is passed through unchanged (as in
 * Sonnet).
 *
 * <p><b>Variables:</b> those of the layer, if it is a module.
 *
 * <pre>{@code
 * var perStep = new BatchApply(new Linear(10));
 * Tensor y = perStep.call(Tensor.zeros(DType.FLOAT32, 20, 8, 3));   // [time, batch, 3] -> [20, 8, 10]
 * }</pre>
 */
public final class BatchApply extends Module implements Layer {
  /** {@code 2}: the usual case, time and batch. */
  public static final int DEFAULT_NUM_DIMS = 2;

  final Layer module;
  final int numDims;

  /** Merges the first two dimensions around {@code module}. */
  public BatchApply(Layer module) {
    this(module, DEFAULT_NUM_DIMS, null);
  }

  /**
   * Merges the first {@code numDims} dimensions around {@code module}.
   *
   * @param numDims how many leading dimensions to merge, at least 1
   */
  public BatchApply(Layer module, int numDims) {
    this(module, numDims, null);
  }

  /**
   * @param module the layer to apply; a module here is shared, not adopted
   * @param numDims how many leading dimensions to merge, at least 1; default {@value
   *     #DEFAULT_NUM_DIMS}
   * @param name the module name, or null for {@code batch_apply}
   */
  @Settings
  public BatchApply(Layer module, int numDims, String name) {
    super(name);
    if (module == null) {
      throw new IllegalArgumentException("BatchApply: module must not be null");
    }
    if (numDims < 1) {
      throw new IllegalArgumentException("BatchApply: numDims must be >= 1, got " + numDims);
    }
    this.module = module;
    this.numDims = numDims;
    allowEmptyVariables();
  }

  @Override
  public Tensor call(Tensor x) {
    if (x.rank() < numDims) {
      return module.call(x);
    }
    Tensor y = module.call(mergeLeadingDims(x, numDims));
    return splitLeadingDim(y, x, numDims);
  }

  /**
   * {@code x} with its first {@code numDims} dimensions merged into one (unchanged if rank is
   * lower).
   */
  public static Tensor mergeLeadingDims(Tensor x, int numDims) {
    if (x.rank() < numDims) {
      return x;
    }
    int[] d = x.shape().dims();
    int[] out = new int[d.length - numDims + 1];
    int merged = 1;
    for (int i = 0; i < numDims; i++) {
      merged *= d[i];
    }
    out[0] = merged;
    System.arraycopy(d, numDims, out, 1, d.length - numDims);
    return x.reshape(out);
  }

  /**
   * {@code x}'s first dimension split into the first {@code numDims} dimensions of {@code example}.
   */
  public static Tensor splitLeadingDim(Tensor x, Tensor example, int numDims) {
    int[] e = example.shape().dims();
    int[] d = x.shape().dims();
    int merged = 1;
    for (int i = 0; i < numDims; i++) {
      merged *= e[i];
    }
    if (d.length == 0 || d[0] != merged) {
      throw new ShapeException(
          "BatchApply: the layer's output "
              + x.shape()
              + " should start"
              + " with the merged batch size "
              + merged
              + " (the first "
              + numDims
              + " dimensions "
              + Arrays.toString(Arrays.copyOf(e, numDims))
              + " of the input "
              + example.shape()
              + "); the wrapped layer must keep its first dimension");
    }
    int[] out = new int[d.length - 1 + numDims];
    System.arraycopy(e, 0, out, 0, numDims);
    System.arraycopy(d, 1, out, numDims, d.length - 1);
    return x.reshape(out);
  }
}

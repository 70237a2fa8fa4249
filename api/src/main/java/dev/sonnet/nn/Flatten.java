package dev.sonnet.nn;

import dev.sonnet.module.Settings;

/**
 * Flattens all but the leading dimensions: {@code Reshape(outputShape=[-1])}.
 *
 * <p><b>Shapes.</b> Input {@code [d0, ..., d(p-1), rest...]}; output {@code [d0, ..., d(p-1),
 * prod(rest)]}. A rank-{@code p} input gets a trailing dimension of 1.
 *
 * <p><b>Variables:</b> none.
 *
 * <pre>{@code
 * new Flatten().call(Tensor.zeros(DType.FLOAT32, 8, 28, 28, 1)).shape();   // [8, 784]
 * new Flatten(2).call(x);                                                   // [8, 4, 5, 6] -> [8, 4, 30]
 * }</pre>
 */
public final class Flatten extends Reshape {
  /** Flattens everything after the batch dimension. */
  public Flatten() {
    this(DEFAULT_PRESERVE_DIMS, null);
  }

  /** Flattens everything after the first {@code preserveDims} dimensions (at least 1). */
  public Flatten(int preserveDims) {
    this(preserveDims, null);
  }

  /**
   * @param preserveDims how many leading dimensions to keep, at least 1; default {@value
   *     #DEFAULT_PRESERVE_DIMS} (inherited from {@link Reshape}): keep the batch dimension, flatten
   *     the rest
   * @param name the module name, or null for {@code flatten}
   */
  @Settings
  public Flatten(int preserveDims, String name) {
    super(new int[] {-1}, preserveDims, name);
  }
}

package dev.sonnet.nn;

import dev.sonnet.module.Module;
import dev.sonnet.module.Settings;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Sonnet 1's {@code SelectInput}: returns some of its inputs, in the order of {@code indices} (an
 * index may repeat), for wiring graphs of modules.
 *
 * <p><b>Shapes.</b> Unchanged. <b>Variables:</b> none.
 *
 * <pre>{@code
 * var swap = new SelectInput(1, 0);
 * List<Tensor> ba = swap.call(a, b);          // [b, a]
 * Tensor second = new SelectInput(1).callOne(a, b);
 * }</pre>
 */
public final class SelectInput extends Module {
  final int[] indices;

  /**
   * @param indices the inputs to return, each {@code >= 0}; at least one
   */
  public SelectInput(int... indices) {
    this(indices, null);
  }

  /**
   * @param indices the inputs to return, each {@code >= 0}; at least one
   * @param name the module name, or null for {@code select_input}
   */
  @Settings
  public SelectInput(int[] indices, String name) {
    super(name);
    if (indices.length == 0) {
      throw new IllegalArgumentException("SelectInput needs at least one index");
    }
    for (int i : indices) {
      if (i < 0) {
        throw new IllegalArgumentException(
            "SelectInput: indices must be >= 0, got " + Arrays.toString(indices));
      }
    }
    this.indices = indices.clone();
    allowEmptyVariables();
  }

  /** The selected inputs. */
  public List<Tensor> call(Tensor... inputs) {
    List<Tensor> out = new ArrayList<>(indices.length);
    for (int i : indices) {
      if (i >= inputs.length) {
        throw new IndexOutOfBoundsException(
            "SelectInput '"
                + path()
                + "': index "
                + i
                + " of "
                + Arrays.toString(indices)
                + " but only "
                + inputs.length
                + " inputs were given");
      }
      out.add(inputs[i]);
    }
    return out;
  }

  /** The single selected input, for a module with one index. */
  public Tensor callOne(Tensor... inputs) {
    if (indices.length != 1) {
      throw new IllegalStateException(
          "SelectInput '"
              + path()
              + "' selects "
              + indices.length
              + " inputs; use call(...) for a list");
    }
    return call(inputs).get(0);
  }
}

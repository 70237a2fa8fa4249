package dev.sonnet.recurrent;

import dev.sonnet.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * A state that is one tensor {@code [batch, ...]}, like {@link VanillaRNN}'s and {@link GRU}'s
 * hidden state. Its one leaf has the empty name (a {@link TrainableState} calls it {@code state}).
 */
public record TensorState(Tensor value) implements State<TensorState> {
  /** A state holding {@code value}. */
  public TensorState {
    Objects.requireNonNull(value, "TensorState: value");
  }

  @Override
  public List<Tensor> leaves() {
    return List.of(value);
  }

  @Override
  public List<String> leafNames() {
    return List.of("");
  }

  @Override
  public TensorState withLeaves(List<Tensor> leaves) {
    if (leaves.size() != 1) {
      throw new IllegalArgumentException(
          "TensorState holds 1 leaf, got " + leaves.size() + " to rebuild it from");
    }
    return new TensorState(leaves.get(0));
  }
}

package dev.sonnet.conformance.recurrent;

import dev.sonnet.recurrent.RNNCore;
import dev.sonnet.recurrent.StateList;
import dev.sonnet.recurrent.Step;
import dev.sonnet.recurrent.TensorState;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;

/**
 * The Sonnet 1 README's custom core, as a user would write it: no variables, a pair state (a tuple
 * in Sonnet, a {@link StateList} of two tensors here); {@code output = input + 1}, the state's
 * halves each add 1 per step.
 */
public final class Add1RNN extends RNNCore<StateList> {
  static final int SIZE = 2;

  public Add1RNN() {
    super(null);
    allowEmptyVariables();
  }

  @Override
  public Step<StateList> call(Tensor input, StateList prevState) {
    checkStep(input, prevState, SIZE, input.dtype());
    Tensor output = input.add(1.0);
    return new Step<>(output, prevState.map(t -> t.add(1.0)));
  }

  @Override
  public StateList initialState(int batchSize, DType dtype) {
    return StateList.of(
        new TensorState(Tensor.zeros(dtype, batchSize, SIZE)),
        new TensorState(Tensor.zeros(dtype, batchSize, SIZE)));
  }

  @Override
  public Shape outputSize() {
    return Shape.of(SIZE);
  }
}

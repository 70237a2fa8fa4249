package dev.sonnet.samples.bench;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.recurrent.GRU;
import dev.sonnet.recurrent.LSTM;
import dev.sonnet.recurrent.LSTMState;
import dev.sonnet.recurrent.TensorState;
import dev.sonnet.recurrent.Unroll;
import dev.sonnet.recurrent.UnrolledLSTM;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.TensorScope;
import dev.sonnet.tensor.Variable;
import java.util.List;

/**
 * The benchmarked recurrent models (the same as {@code baseline.py}'s {@code rnn/} cases): an LSTM
 * or GRU with {@link #HIDDEN} units over a random time-major sequence {@code [STEPS, BATCH, INPUT]}
 * from the zero state. Training: loss {@code mean(outputs^2)}, tape gradients through time, plain
 * SGD ({@code v -= lr * g}). Every call runs in a {@link TensorScope}.
 */
final class RnnSteps {
  static final int STEPS = 50;
  static final int BATCH = 64;
  static final int INPUT = 128;
  static final int HIDDEN = 256;

  private final Tensor x;
  private final UnrolledLSTM fused;
  private final LSTM lstm;
  private final GRU gru;
  private final List<Variable> params;

  private RnnSteps(UnrolledLSTM fused, LSTM lstm, GRU gru) {
    this.x = Tensor.randomNormal(new Rng(6), DType.FLOAT32, Shape.of(STEPS, BATCH, INPUT), 0, 1);
    this.fused = fused;
    this.lstm = lstm;
    this.gru = gru;
    // The first call creates the variables.
    try (TensorScope scope = TensorScope.open()) {
      outputs();
    }
    this.params =
        fused != null
            ? fused.trainableVariables()
            : lstm != null ? lstm.trainableVariables() : gru.trainableVariables();
  }

  /** {@link UnrolledLSTM}: every step's input projection as one product. */
  static RnnSteps unrolledLstm() {
    return new RnnSteps(new UnrolledLSTM(HIDDEN), null, null);
  }

  /** {@link LSTM} run step by step with {@link Unroll#dynamicUnroll}. */
  static RnnSteps lstm() {
    return new RnnSteps(null, new LSTM(HIDDEN), null);
  }

  /** {@link GRU} run step by step with {@link Unroll#dynamicUnroll}. */
  static RnnSteps gru() {
    return new RnnSteps(null, null, new GRU(HIDDEN));
  }

  /** The outputs {@code [STEPS, BATCH, HIDDEN]} from the zero state. */
  private Tensor outputs() {
    if (fused != null) {
      return fused.call(x, fused.initialState(BATCH)).outputs();
    }
    if (lstm != null) {
      LSTMState s = lstm.initialState(BATCH);
      return Unroll.dynamicUnroll(lstm, x, s).outputs();
    }
    TensorState s = gru.initialState(BATCH);
    return Unroll.dynamicUnroll(gru, x, s).outputs();
  }

  /** One training step: forward, {@code mean(outputs^2)}, gradients, SGD. Returns the loss. */
  float trainStep() {
    try (TensorScope scope = TensorScope.open()) {
      List<Tensor> grads;
      Tensor loss;
      try (GradientTape tape = GradientTape.open()) {
        loss = outputs().square().mean();
        grads = tape.gradient(loss, params);
      }
      for (int i = 0; i < params.size(); i++) {
        params.get(i).assignSub(grads.get(i).mul(TrainSteps.LEARNING_RATE));
      }
      return loss.floatValue();
    }
  }

  /** Inference over the sequence, no tape (returned as ConvBench's forward: released, unread). */
  Tensor infer() {
    try (TensorScope scope = TensorScope.open()) {
      return outputs();
    }
  }
}

package dev.sonnet.conformance;

import dev.sonnet.ops.Dispatch;
import dev.sonnet.ops.Fusion;
import dev.sonnet.ops.Op;
import dev.sonnet.ops.OpRecorder;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** What the fusion tests share: running code unfused, seeded inputs, and which ops ran. */
final class FusionTesting {
  private FusionTesting() {}

  /** {@code body} with fusion off, fusion back on afterwards. */
  static <T> T unfused(Supplier<T> body) {
    Fusion.setEnabled(false);
    try {
      return body.get();
    } finally {
      Fusion.setEnabled(true);
    }
  }

  /** A tensor of standard normal values from {@code seed}. */
  static Tensor normal(long seed, DType dtype, int... shape) {
    return Tensor.randomNormal(new Rng(seed), dtype, Shape.of(shape), 0, 1);
  }

  /** The names of the ops {@code body} dispatched on this thread, in order. */
  static List<String> opsRunBy(Runnable body) {
    List<String> names = new ArrayList<>();
    OpRecorder recorder =
        new OpRecorder() {
          @Override
          public void record(Op op, Tensor[] inputs, Tensor[] outputs) {
            names.add(op.name());
          }

          @Override
          public void recordRead(Variable variable, Tensor value) {}
        };
    Dispatch.push(recorder);
    try {
      body.run();
    } finally {
      Dispatch.pop(recorder);
    }
    return names;
  }
}

package dev.sonnet.autodiff;

import dev.sonnet.ops.Dispatch;
import dev.sonnet.ops.Op;
import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.Tensor;
import java.util.function.Function;

/** Operations that change how gradients flow: stop them, or replace them with your own. */
public final class Gradients {
  private Gradients() {}

  /** The same values as {@code x}; no gradient flows back through the result. */
  public static Tensor stop(Operand x) {
    return Dispatch.run1(StopGradient.INSTANCE, x.asTensor());
  }

  /**
   * Computes {@code forward(inputs)} without recording its inner operations, and records one node
   * whose gradient is {@code gradient}. This is how {@code scale_gradient} and {@code
   * leaky_clip_by_value} are built.
   *
   * @param name a name for the operation, shown by recorders and in errors
   */
  public static Tensor custom(
      String name,
      Function<Tensor[], Tensor> forward,
      GradientFunction gradient,
      Operand... inputs) {
    return Dispatch.run1(new CustomGradient(name, forward, gradient), Dispatch.values(inputs));
  }

  private record StopGradient() implements Op {
    static final StopGradient INSTANCE = new StopGradient();

    @Override
    public String name() {
      return "stop_gradient";
    }

    @Override
    public Tensor[] forward(Tensor[] inputs) {
      Tensor x = inputs[0];
      return new Tensor[] {Tensor.wrap(x.buffer(), x.shape())};
    }

    @Override
    public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
      return new Tensor[] {null};
    }
  }

  private record CustomGradient(
      String name, Function<Tensor[], Tensor> function, GradientFunction gradient) implements Op {
    @Override
    public Tensor[] forward(Tensor[] inputs) {
      try (var pause = Dispatch.pause()) {
        return new Tensor[] {function.apply(inputs)};
      }
    }

    @Override
    public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
      return gradient.apply(inputs, outputs[0], upstream[0]);
    }
  }
}

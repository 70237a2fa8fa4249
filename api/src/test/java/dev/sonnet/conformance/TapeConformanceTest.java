package dev.sonnet.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.SonnetException;
import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.autodiff.Gradients;
import dev.sonnet.autodiff.UnconnectedGradients;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The gradient tape's bookkeeping: watching, variables, persistence, custom and stopped gradients.
 */
class TapeConformanceTest {

  @Test
  void gradient_ofProduct_isOtherFactor() {
    Tensor x = Tensor.of(new double[] {2, 3}, 2);
    Tensor y = Tensor.of(new double[] {5, 7}, 2);
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(x, y);
      Tensor z = x.mul(y).sum();
      List<Tensor> g = tape.gradient(z, List.of(x, y));
      assertThat(g.get(0).toDoubleArray()).containsExactly(5, 7);
      assertThat(g.get(1).toDoubleArray()).containsExactly(2, 3);
    }
  }

  @Test
  void gradient_ofTensorUsedTwice_accumulates() {
    Tensor x = Tensor.of(new double[] {3}, 1);
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(x);
      Tensor z = x.mul(x).add(x).sum(); // d/dx (x^2 + x) = 2x + 1
      assertThat(tape.gradient(z, x).toDoubleArray()).containsExactly(7);
    }
  }

  @Test
  void trainableVariable_isWatchedWhenRead_nonTrainableIsNot() {
    Variable w = new Variable("w", Tensor.of(new double[] {4}, 1), true);
    Variable s = new Variable("s", Tensor.of(new double[] {5}, 1), false);
    try (GradientTape tape = GradientTape.open()) {
      Tensor z = w.read().mul(s).sum();
      List<Tensor> g = tape.gradient(z, List.of(w, s), null, UnconnectedGradients.NONE);
      assertThat(g.get(0).toDoubleArray()).containsExactly(5);
      assertThat(g.get(1)).isNull();
    }
  }

  @Test
  void unconnectedSource_isZerosByDefault_orNullOnRequest() {
    Tensor x = Tensor.of(new double[] {1, 2}, 2);
    Tensor unrelated = Tensor.of(new double[] {1, 2, 3}, 3);
    try (GradientTape tape = GradientTape.openPersistent()) {
      tape.watch(x, unrelated);
      Tensor z = x.square().sum();
      assertThat(tape.gradient(z, unrelated).toDoubleArray()).containsExactly(0, 0, 0);
      assertThat(tape.gradient(z, List.of(unrelated), null, UnconnectedGradients.NONE).get(0))
          .isNull();
    }
  }

  @Test
  void aTargetComputedBeforeTheTapeOpened_isAnError_notZeros() {
    Variable w = new Variable("w", Tensor.of(new double[] {3}, 1), true);
    Tensor loss = w.read().square().sum();
    try (GradientTape tape = GradientTape.open()) {
      assertThatThrownBy(() -> tape.gradient(loss, w))
          .isInstanceOf(SonnetException.class)
          .hasMessageContaining("f64[] was not recorded by this tape")
          .hasMessageContaining("before the tape was opened")
          .hasMessageContaining("This tape has seen no operation at all");
    }
  }

  @Test
  void aTargetComputedOnAnotherThread_isAnError_notZeros() throws Exception {
    Variable w = new Variable("w", Tensor.of(new double[] {3}, 1), true);
    try (GradientTape tape = GradientTape.open()) {
      Tensor seen = w.read().mul(1); // the tape records this thread's work only
      Tensor loss =
          java.util.concurrent.CompletableFuture.supplyAsync(() -> w.read().square().sum()).get();
      assertThatThrownBy(() -> tape.gradient(loss, w))
          .isInstanceOf(SonnetException.class)
          .hasMessageContaining("on another thread")
          .hasMessageNotContaining("seen no operation");
      assertThat(seen.toDoubleArray()).containsExactly(3);
    }
  }

  @Test
  void aTargetComputedInTheTapeFromNothingWatched_givesZeros() {
    Variable frozen = new Variable("frozen", Tensor.of(new double[] {2}, 1), false);
    Variable w = new Variable("w", Tensor.of(new double[] {3}, 1), true);
    try (GradientTape tape = GradientTape.open()) {
      Tensor loss = frozen.read().square().sum();
      assertThat(tape.gradient(loss, w).toDoubleArray()).containsExactly(0);
    }
  }

  @Test
  void aRecordedTargetThatIgnoresASource_stillGivesZerosForIt() {
    Variable w = new Variable("w", Tensor.of(new double[] {3}, 1), true);
    Variable unused = new Variable("unused", Tensor.of(new double[] {1, 1}, 2), true);
    try (GradientTape tape = GradientTape.open()) {
      Tensor loss = w.read().square().sum();
      List<Tensor> g = tape.gradient(loss, List.of(w, unused));
      assertThat(g.get(0).toDoubleArray()).containsExactly(6);
      assertThat(g.get(1).toDoubleArray()).containsExactly(0, 0);
    }
  }

  @Test
  void nonPersistentTape_refusesSecondGradient() {
    Tensor x = Tensor.of(new double[] {1}, 1);
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(x);
      Tensor z = x.square().sum();
      tape.gradient(z, x);
      assertThatThrownBy(() -> tape.gradient(z, x))
          .isInstanceOf(SonnetException.class)
          .hasMessageContaining("openPersistent");
    }
  }

  @Test
  void stopGradient_blocksFlow() {
    Tensor x = Tensor.of(new double[] {3}, 1);
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(x);
      Tensor z = x.mul(x.stopGradient()).sum(); // d/dx = stop(x) = 3
      assertThat(tape.gradient(z, x).toDoubleArray()).containsExactly(3);
    }
  }

  @Test
  void customGradient_replacesBackward() {
    Tensor x = Tensor.of(new double[] {1, 2}, 2);
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(x);
      Tensor y =
          Gradients.custom(
              "scale_gradient", in -> in[0], (in, out, up) -> new Tensor[] {up.mul(10.0)}, x);
      assertThat(y.toDoubleArray()).containsExactly(1, 2);
      assertThat(tape.gradient(y.sum(), x).toDoubleArray()).containsExactly(10, 10);
    }
  }

  @Test
  void nestedTapes_giveSecondDerivative() {
    Tensor x = Tensor.of(new double[] {2}, 1);
    try (GradientTape outer = GradientTape.open()) {
      outer.watch(x);
      Tensor dy;
      try (GradientTape inner = GradientTape.open()) {
        inner.watch(x);
        Tensor y = x.mul(x).mul(x).sum(); // x^3
        dy = inner.gradient(y, x); // 3x^2 = 12
      }
      assertThat(dy.toDoubleArray()).containsExactly(12);
      assertThat(outer.gradient(dy.sum(), x).toDoubleArray()).containsExactly(12); // 6x
    }
  }

  @Test
  void variableAssign_isNotRecorded_andKeepsShape() {
    Variable v = new Variable("v", Tensor.zeros(DType.FLOAT64, 2), true);
    v.assignAdd(Tensor.of(new double[] {1, 2}, 2));
    assertThat(v.peek().toDoubleArray()).containsExactly(1, 2);
    assertThatThrownBy(() -> v.assign(Tensor.zeros(DType.FLOAT64, 3)))
        .hasMessageContaining("'v'")
        .hasMessageContaining("[3]")
        .hasMessageContaining("[2]");
  }
}

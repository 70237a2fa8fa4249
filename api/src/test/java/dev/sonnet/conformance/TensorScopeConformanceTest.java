package dev.sonnet.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.SonnetException;
import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.module.Seeds;
import dev.sonnet.nets.MLP;
import dev.sonnet.optimizers.SGD;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.TensorScope;
import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@link TensorScope}: what it frees, what it must never free (tensors made before it, views of
 * them, variable values, kept tensors), nesting, errors, and that a training loop run in scopes
 * computes exactly what it computes without them.
 */
class TensorScopeConformanceTest {

  @Test
  void close_releasesOperationOutputsAndFactoryTensors_butNotInputs() {
    Tensor x = Tensor.of(new float[] {1, 2, 3}, 3);
    Tensor y;
    Tensor made;
    try (TensorScope scope = TensorScope.open()) {
      y = x.mul(2).add(1);
      made = Tensor.zeros(DType.FLOAT32, 2);
      assertThat(y.toFloatArray()).containsExactly(3, 5, 7);
      assertThat(scope.size()).isGreaterThanOrEqualTo(3); // mul's scalar, mul, add, zeros
    }
    assertThat(y.isReleased()).isTrue();
    assertThat(made.isReleased()).isTrue();
    assertThat(x.toFloatArray()).containsExactly(1, 2, 3);
  }

  @Test
  void close_neverReleasesViewsOrIdentitiesOfOlderTensors() {
    Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
    try (TensorScope scope = TensorScope.open()) {
      Tensor flat = x.reshape(4);
      Tensor same = x.reshape(2, 2);
      assertThat(flat.toFloatArray()).hasSize(4);
      assertThat(same.toFloatArray()).hasSize(4);
      assertThat(scope.size()).isZero();
    }
    assertThat(x.toFloatArray()).containsExactly(1, 2, 3, 4);
  }

  @Test
  void usingAReleasedTensor_failsWithAMessageThatNamesTheFix() {
    Tensor y;
    try (TensorScope scope = TensorScope.open()) {
      y = Tensor.of(new float[] {1, 2}, 2).neg();
    }
    assertThatThrownBy(y::toFloatArray)
        .isInstanceOf(SonnetException.class)
        .hasMessageContaining("f32[2]")
        .hasMessageContaining("TensorScope")
        .hasMessageContaining("scope.keep(tensor)");
  }

  @Test
  void keep_survivesTheScope_andMovesToTheEnclosingOne() {
    Tensor kept;
    Tensor keptByInner;
    try (TensorScope outer = TensorScope.open()) {
      try (TensorScope inner = TensorScope.open()) {
        keptByInner = inner.keep(Tensor.of(new float[] {4}, 1).add(1));
      }
      assertThat(keptByInner.toFloatArray()).containsExactly(5);
      assertThat(outer.size()).isEqualTo(1);
      kept = outer.keep(keptByInner.mul(keptByInner));
    }
    Tensor a;
    Tensor b;
    try (TensorScope scope = TensorScope.open()) {
      a = Tensor.of(new float[] {1}, 1).neg();
      b = a.mul(3);
      scope.keep(List.of(a, b));
      assertThat(scope.size()).isEqualTo(2); // the uploaded input and mul's scalar operand
    }
    assertThat(a.toFloatArray()).containsExactly(-1);
    assertThat(b.toFloatArray()).containsExactly(-3);
    assertThat(keptByInner.isReleased()).isTrue();
    assertThat(kept.toFloatArray()).containsExactly(25);
  }

  @Test
  void keep_ofATensorFromAnOuterScope_leavesItToThatScope() {
    try (TensorScope outer = TensorScope.open()) {
      Tensor a = Tensor.of(new float[] {1}, 1).neg();
      try (TensorScope inner = TensorScope.open()) {
        assertThat(inner.keep(a)).isSameAs(a);
      }
      assertThat(a.toFloatArray()).containsExactly(-1);
      assertThat(outer.size()).isEqualTo(2);
    }
  }

  @Test
  void variableValues_createdOrUpdatedInAScope_survive() {
    Variable v;
    try (TensorScope scope = TensorScope.open()) {
      v = new Variable("v", Tensor.of(new float[] {1, 2}, 2).mul(10), true);
      v.assignSub(Tensor.of(new float[] {1, 1}, 2));
    }
    assertThat(v.peek().toFloatArray()).containsExactly(9, 19);
    try (TensorScope scope = TensorScope.open()) {
      v.assign(v.read().add(1));
    }
    assertThat(v.peek().toFloatArray()).containsExactly(10, 20);
  }

  @Test
  void updatesInAScope_retireOnlyValuesTheVariableMade() {
    Tensor init = Tensor.of(new float[] {10, 20}, 2);
    Variable v = new Variable("v", init, true);
    Variable twin = new Variable("twin", init, true); // shares init's memory
    Tensor one = Tensor.of(new float[] {1, 1}, 2);
    try (TensorScope step = TensorScope.open()) {
      v.assignSub(one); // replaces init, which the variable did not make
    }
    assertThat(init.isReleased()).isFalse();
    assertThat(twin.peek().toFloatArray()).containsExactly(10, 20);
    Tensor made = v.peek();
    try (TensorScope step = TensorScope.open()) {
      v.assignSub(one); // replaces its own earlier result: freed with this scope
      assertThat(made.toFloatArray()).containsExactly(9, 19);
    }
    assertThat(made.isReleased()).isTrue();
    assertThat(v.peek().toFloatArray()).containsExactly(8, 18);

    Tensor given = Tensor.of(new float[] {5, 5}, 2);
    try (TensorScope step = TensorScope.open()) {
      v.assign(given); // retires v's own previous value, adopts the caller's tensor
      v.assignSub(one); // must not retire the caller's tensor
    }
    assertThat(given.toFloatArray()).containsExactly(5, 5);
    assertThat(v.peek().toFloatArray()).containsExactly(4, 4);
  }

  @Test
  void updatesOutsideAnyScope_retireNothing() {
    Variable v = new Variable("v", Tensor.of(new float[] {3}, 1), true);
    v.assignAdd(Tensor.of(new float[] {1}, 1));
    Tensor made = v.peek();
    v.assignAdd(Tensor.of(new float[] {1}, 1));
    assertThat(made.toFloatArray()).containsExactly(4);
    assertThat(v.peek().toFloatArray()).containsExactly(5);
  }

  @Test
  void tapeGradientsInsideTheScope_areFreedWithIt() {
    Variable w = new Variable("w", Tensor.of(new float[] {3}, 1), true);
    Tensor g;
    try (TensorScope scope = TensorScope.open();
        GradientTape tape = GradientTape.open()) {
      Tensor loss = w.read().mul(w.read()).sum();
      g = tape.gradient(loss, w);
      assertThat(g.toFloatArray()).containsExactly(6);
    }
    assertThat(g.isReleased()).isTrue();
    assertThat(w.peek().toFloatArray()).containsExactly(3);
  }

  @Test
  void anExceptionInsideTheScope_stillReleasesAndRestoresTheEnclosingScope() {
    Tensor[] made = new Tensor[1];
    assertThatThrownBy(
            () -> {
              try (TensorScope scope = TensorScope.open()) {
                made[0] = Tensor.of(new float[] {1}, 1).neg();
                made[0].reshape(7); // 1 element cannot take shape [7]
              }
            })
        .isInstanceOf(RuntimeException.class);
    assertThat(made[0].isReleased()).isTrue();
    assertThat(TensorScope.isOpen()).isFalse();
  }

  @Test
  void closingAnOuterScopeFirst_isAnError_andClosingTwiceIsHarmless() {
    TensorScope outer = TensorScope.open();
    TensorScope inner = TensorScope.open();
    try {
      assertThatThrownBy(outer::close)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("innermost first");
    } finally {
      inner.close();
      inner.close();
      outer.close();
    }
    assertThat(TensorScope.isOpen()).isFalse();
  }

  @Test
  void aScopeBelongsToItsThread() throws Exception {
    try (TensorScope scope = TensorScope.open()) {
      Tensor onOtherThread =
          CompletableFuture.supplyAsync(() -> Tensor.of(new float[] {1}, 1).neg()).get();
      assertThat(scope.size()).isZero();
      assertThat(onOtherThread.toFloatArray()).containsExactly(-1);
      Throwable error = CompletableFuture.runAsync(scope::close).handle((ok, e) -> e).get();
      assertThat(error).hasCauseInstanceOf(IllegalStateException.class);
      assertThat(error.getCause()).hasMessageContaining("belongs to thread");
    }
  }

  /**
   * The point of scopes: a training loop whose steps run in scopes (so every step reuses the
   * previous step's freed memory) computes bit for bit what the same loop computes without them.
   */
  @Test
  void trainingInScopes_matchesTrainingWithout_bitForBit() {
    List<float[]> plain = train(false);
    List<float[]> scoped = train(true);
    assertThat(scoped).hasSameSizeAs(plain);
    for (int i = 0; i < plain.size(); i++) {
      assertThat(scoped.get(i)).containsExactly(plain.get(i));
    }
  }

  private static List<float[]> train(boolean scoped) {
    // Both runs are the same program from the same seed, so they start from the same weights.
    Seeds.setGlobalSeed(0);
    Rng rng = new Rng(7);
    Tensor x = Tensor.randomNormal(rng, DType.FLOAT32, Shape.of(16, 5), 0, 1);
    Tensor y = Tensor.randomNormal(rng, DType.FLOAT32, Shape.of(16, 3), 0, 1);
    MLP mlp = new MLP(new int[] {8, 3});
    SGD sgd = new SGD(0.05);
    List<float[]> losses = new ArrayList<>();
    for (int step = 0; step < 5; step++) {
      TensorScope scope = scoped ? TensorScope.open() : null;
      try (GradientTape tape = GradientTape.open()) {
        Tensor loss = mlp.call(x).sub(y).square().mean();
        sgd.apply(tape.gradient(loss, mlp.trainableVariables()), mlp.trainableVariables());
        losses.add(loss.toFloatArray());
      } finally {
        if (scope != null) {
          scope.close();
        }
      }
    }
    for (Variable v : mlp.trainableVariables()) {
      losses.add(v.peek().toFloatArray());
    }
    return losses;
  }
}

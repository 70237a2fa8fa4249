package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.nn.Dropout;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class DropoutTest {

  @Test
  void call_notTraining_isIdentity() {
    Tensor x = ModuleChecks.uniform(1, 4, 5);
    assertThat(new Dropout(0.5, 1).call(x, false)).isSameAs(x);
  }

  @Test
  void call_training_zeroesOrScalesEachElementByOneOverKeep() {
    Tensor x = Tensor.ones(DType.FLOAT64, 100, 100);
    double[] y = new Dropout(0.25, 7).call(x, true).toDoubleArray();
    int dropped = 0;
    for (double v : y) {
      assertThat(v).isIn(0.0, 1 / 0.75);
      if (v == 0) {
        dropped++;
      }
    }
    assertThat(dropped / 10000.0).isBetween(0.22, 0.28);
  }

  @Test
  void call_training_matchesMaskDrawnFromTheGivenRng() {
    Tensor x = ModuleChecks.uniform(3, 3, 4);
    Tensor y = new Dropout(0.5, 0).call(x, true, new Rng(11));
    Rng r = new Rng(11);
    double[] xs = x.toDoubleArray();
    double[] expected = new double[xs.length];
    for (int i = 0; i < xs.length; i++) {
      expected[i] = r.nextDouble() >= 0.5 ? xs[i] * 2 : 0;
    }
    ModuleChecks.assertClose(y, expected, 1e-12);
  }

  @Test
  void call_sameSeed_givesSameSequenceButNewMaskEachCall() {
    Tensor x = Tensor.ones(DType.FLOAT32, 8, 8);
    var a = new Dropout(0.5, 3);
    var b = new Dropout(0.5, 3);
    float[] a1 = a.call(x, true).toFloatArray();
    float[] a2 = a.call(x, true).toFloatArray();
    assertThat(b.call(x, true).toFloatArray()).containsExactly(a1);
    assertThat(a2).isNotEqualTo(a1);
  }

  @Test
  void call_withNoiseShape_sharesDecisionsAlongUnitDims() {
    Tensor x = Tensor.ones(DType.FLOAT64, 2, 5, 3);
    double[] y = Dropout.builder(0.5, 5).noiseShape(2, 1, 3).build().call(x, true).toDoubleArray();
    for (int b = 0; b < 2; b++) {
      for (int c = 0; c < 3; c++) {
        for (int t = 1; t < 5; t++) {
          assertThat(y[(b * 5 + t) * 3 + c]).isEqualTo(y[b * 15 + c]);
        }
      }
    }
  }

  @Test
  void call_withBadNoiseShape_teachesTheRule() {
    assertThatThrownBy(
            () ->
                Dropout.builder(0.5, 5)
                    .noiseShape(2, 2)
                    .build()
                    .call(Tensor.ones(DType.FLOAT64, 3, 4), true))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("does not broadcast");
  }

  @Test
  void gradients_throughAFixedMask_matchFiniteDifferences() {
    var d = new Dropout(0.3, 0);
    ModuleChecks.checkGradients(d, x -> d.call(x, true, new Rng(9)), ModuleChecks.uniform(4, 3, 4));
  }

  @Test
  void constructor_withRateOne_throws() {
    assertThatThrownBy(() -> new Dropout(1.0, 0)).hasMessageContaining("[0, 1)");
  }

  @Test
  void repr_showsRateAndSeed() {
    assertThat(new Dropout(0.5, 42).toString()).isEqualTo("Dropout(rate=0.5, seed=42)");
  }
}

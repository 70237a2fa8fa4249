package dev.sonnet.samples.modules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The Sonnet 1 FAQ's CosineWeights: configuration tells the layer before it its size. */
class CosineWeightsTest {
  @Test
  void paramSize_isAKeyAndAStrengthPerHead() {
    assertThat(new CosineWeights(32, 3).paramSize()).isEqualTo(99);
  }

  @Test
  void call_withParamsFromALinearOfParamSize_weighsEverySlot() {
    var cosWeights = new CosineWeights(4, 3);
    var cosParamsMod = new MyLinear(cosWeights.paramSize());
    Rng rng = new Rng(1);
    Tensor inputs = Tensor.randomNormal(rng, DType.FLOAT32, Shape.of(2, 6), 0, 1);
    Tensor memory = Tensor.randomNormal(rng, DType.FLOAT32, Shape.of(2, 5, 4), 0, 1);

    Tensor weights = cosWeights.call(memory, cosParamsMod.call(inputs));

    assertThat(weights.shape()).isEqualTo(Shape.of(2, 3, 5));
    float[] sums = weights.sum(-1).toFloatArray();
    for (float s : sums) {
      assertThat(s).isCloseTo(1.0f, within(1e-5f));
    }
  }

  @Test
  void toString_andVariables_ofAStatelessModule() {
    var cosWeights = new CosineWeights(32, 3);

    assertThat(cosWeights).hasToString("CosineWeights(wordSize=32, numHeads=3)");
    assertThat(cosWeights.allowEmptyVariables().variables()).isEmpty();
  }
}

package dev.sonnet.initializers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.initializers.VarianceScaling.Distribution;
import dev.sonnet.initializers.VarianceScaling.Mode;
import dev.sonnet.tensor.Shape;
import org.junit.jupiter.api.Test;

/** Fans, variances, parsing and descriptions; no backend needed. */
class VarianceScalingTest {
  @Test
  void fans_followTensorFlowsRulesForEveryRank() {
    assertThat(Fans.of(Shape.of())).isEqualTo(new Fans(1, 1));
    assertThat(Fans.of(Shape.of(7))).isEqualTo(new Fans(7, 7));
    assertThat(Fans.of(Shape.of(784, 10))).isEqualTo(new Fans(784, 10));
    assertThat(Fans.of(Shape.of(3, 3, 16, 32))).isEqualTo(new Fans(144, 288));
    assertThat(Fans.of(Shape.of(3, 3, 16, 32)).fanAvg()).isEqualTo(216);
  }

  @Test
  void variance_isScaleOverTheChosenFan_neverDividedByLessThanOne() {
    Shape s = Shape.of(100, 300);
    assertThat(new VarianceScaling(2, Mode.FAN_IN, Distribution.UNIFORM).variance(s))
        .isEqualTo(0.02);
    assertThat(new VarianceScaling(3, Mode.FAN_OUT, Distribution.UNIFORM).variance(s))
        .isEqualTo(0.01);
    assertThat(new VarianceScaling(1, Mode.FAN_AVG, Distribution.UNIFORM).variance(s))
        .isEqualTo(1.0 / 200);
    assertThat(new VarianceScaling().variance(Shape.of(0, 5))).isEqualTo(1.0);
  }

  @Test
  void parse_acceptsSonnetsSpellings() {
    assertThat(VarianceScaling.of(2.0, "fan_avg", "untruncated_normal"))
        .isEqualTo(new VarianceScaling(2.0, Mode.FAN_AVG, Distribution.UNTRUNCATED_NORMAL));
    assertThat(Distribution.parse("normal")).isEqualTo(Distribution.UNTRUNCATED_NORMAL);
    assertThatThrownBy(() -> Mode.parse("fan_sum"))
        .hasMessageContaining("fan_in, fan_out or" + " fan_avg, got \"fan_sum\"");
    assertThatThrownBy(() -> Distribution.parse("gaussian"))
        .hasMessageContaining("truncated_normal, untruncated_normal or uniform");
  }

  @Test
  void defaults_areSonnetsLeCunNormal() {
    assertThat(new VarianceScaling())
        .isEqualTo(new VarianceScaling(1.0, Mode.FAN_IN, Distribution.TRUNCATED_NORMAL));
    assertThat(new VarianceScaling())
        .hasToString("VarianceScaling(scale=1.0, mode=FAN_IN, distribution=TRUNCATED_NORMAL)");
  }

  @Test
  void invalidArguments_failWithTheRule() {
    assertThatThrownBy(() -> new VarianceScaling(0, Mode.FAN_IN, Distribution.UNIFORM))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("finite scale > 0, got 0.0");
    assertThatThrownBy(() -> new Orthogonal(Double.NaN)).hasMessageContaining("finite gain");
  }

  @Test
  void structuredInitializers_describeThemselves() {
    assertThat(Initializers.orthogonal(2))
        .hasToString("Orthogonal(gain=2.0)")
        .isEqualTo(new Orthogonal(2));
    assertThat(Initializers.identity()).hasToString("Identity(gain=1.0)");
    assertThat(Initializers.heNormal().seeded(1))
        .hasToString(
            "VarianceScaling(scale=2.0, mode=FAN_IN, distribution=TRUNCATED_NORMAL, seed=1)");
  }
}

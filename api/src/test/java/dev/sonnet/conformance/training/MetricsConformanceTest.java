package dev.sonnet.conformance.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.sonnet.metrics.ExponentialMovingAverage;
import dev.sonnet.metrics.Mean;
import dev.sonnet.metrics.Sum;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import org.junit.jupiter.api.Test;

/** The metrics' values, resets and variables. */
class MetricsConformanceTest {
  private static Tensor vec(double... v) {
    return Tensor.of(v, v.length);
  }

  @Test
  void sum_addsElementWise() {
    var sum = new Sum();
    sum.update(vec(1, 2));
    assertThat(sum.call(vec(3, 4)).toDoubleArray()).containsExactly(4, 6);
    assertThat(sum.variables()).extracting(Variable::name).containsExactly("sum/sum");
    assertThat(sum.variables().get(0).trainable()).isFalse();
  }

  @Test
  void sum_withAnotherShape_failsNamingBothShapes() {
    var sum = new Sum();
    sum.update(vec(1, 2));
    assertThatThrownBy(() -> sum.update(vec(1, 2, 3)))
        .hasMessageContaining("first updated with f64[2] values, now got f64[3]");
  }

  @Test
  void mean_averagesTheValuesAndResets() {
    var mean = new Mean();
    mean.update(Tensor.scalar(1.0));
    mean.update(Tensor.scalar(2.0));
    assertThat(mean.call(Tensor.scalar(6.0)).item()).isCloseTo(3, offset(1e-12));
    assertThat(mean.count()).isEqualTo(3);
    assertThat(mean.variables())
        .extracting(Variable::name)
        .containsExactly("mean/count", "mean/sum/sum");
    mean.reset();
    assertThat(mean.count()).isZero();
    assertThat(mean.call(Tensor.scalar(5.0)).item()).isCloseTo(5, offset(1e-12));
  }

  @Test
  void metric_beforeAnyUpdate_saysToUpdateFirst() {
    assertThatThrownBy(() -> new Mean().value())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("call update(value) first");
    assertThat(new Mean().variables()).isEmpty();
  }

  @Test
  void exponentialMovingAverage_isDebiased() {
    var ema = new ExponentialMovingAverage(0.5);
    // first value: hidden = 0.5 * 4 = 2, average = 2 / (1 - 0.5) = 4
    assertThat(ema.call(vec(4)).toDoubleArray()[0]).isCloseTo(4, offset(1e-12));
    // second: hidden = 2 - (2 - 8) * 0.5 = 5, average = 5 / (1 - 0.25) = 20 / 3
    assertThat(ema.call(vec(8)).toDoubleArray()[0]).isCloseTo(20.0 / 3, offset(1e-12));
    assertThat(ema.variables())
        .extracting(Variable::name)
        .containsExactly(
            "exponential_moving_average/average",
            "exponential_moving_average/counter",
            "exponential_moving_average/hidden");
    ema.reset();
    assertThat(ema.call(vec(1)).toDoubleArray()[0]).isCloseTo(1, offset(1e-12));
    assertThat(ema).hasToString("ExponentialMovingAverage(decay=0.5)");
  }

  @Test
  void exponentialMovingAverage_withDecayOne_failsWithTheRule() {
    assertThatThrownBy(() -> new ExponentialMovingAverage(1.0))
        .hasMessageContaining("0 <= decay < 1, got 1.0");
  }
}

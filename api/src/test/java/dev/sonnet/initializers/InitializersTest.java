package dev.sonnet.initializers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Initializers' descriptions and argument checks (values are tested in samples, with a backend).
 */
class InitializersTest {
  @Test
  void toString_isTheConstructorCall() {
    assertThat(Initializers.zeros()).hasToString("Zeros()");
    assertThat(Initializers.constant(0.5)).hasToString("Constant(value=0.5)");
    assertThat(Initializers.truncatedNormal(0.25))
        .hasToString("TruncatedNormal(mean=0.0, stddev=0.25)");
    assertThat(Initializers.randomUniform(-1, 1).seeded(7))
        .hasToString("RandomUniform(min=-1.0, max=1.0, seed=7)");
    assertThat(Initializers.ones().seeded(3)).hasToString("Ones(seed=3)");
  }

  @Test
  void equalArguments_giveEqualInitializers() {
    assertThat(Initializers.randomNormal(0, 1))
        .isEqualTo(Initializers.randomNormal(0, 1))
        .isNotEqualTo(Initializers.randomNormal(0, 2));
  }

  @Test
  void invalidArguments_failWithTheRule() {
    assertThatThrownBy(() -> Initializers.truncatedNormal(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("finite stddev >= 0, got -1.0");
    assertThatThrownBy(() -> Initializers.randomUniform(1, 1)).hasMessageContaining("min < max");
  }
}

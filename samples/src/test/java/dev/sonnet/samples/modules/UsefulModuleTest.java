package dev.sonnet.samples.modules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The Sonnet 1 FAQ's UsefulModule: configuration set once, arguments at default left out. */
class UsefulModuleTest {
  @Test
  void toString_leavesOutArgumentsEqualToTheirDefault() {
    assertThat(new UsefulModule()).hasToString("UsefulModule()");
    assertThat(new UsefulModule(false, true, "definitely"))
        .hasToString("UsefulModule(useClipping=false, removeNans=true, solveAgi=\"definitely\")");
    assertThat(new UsefulModule(true, false, "maybe", "useful"))
        .hasToString("UsefulModule(name=\"useful\")");
  }

  @Test
  void call_appliesTheConfiguration() {
    Tensor a = Tensor.of(new float[] {0.5f, 2f, Float.NaN}, 3);
    Tensor b = Tensor.of(new float[] {0.25f, 1f, 1f}, 3);

    assertThat(new UsefulModule().call(a, b).toFloatArray()[0]).isEqualTo(0.75f);
    assertThat(new UsefulModule().call(a, b).toFloatArray()[1]).isEqualTo(1f);
    assertThat(new UsefulModule(false, true, "maybe").call(a, b).toFloatArray())
        .containsExactly(0.75f, 3f, 0f);
  }
}

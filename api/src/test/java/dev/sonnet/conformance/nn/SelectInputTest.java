package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.nn.SelectInput;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class SelectInputTest {

  @Test
  void call_returnsTheInputsInIndexOrderWithRepeats() {
    Tensor a = ModuleChecks.range(0, 1, 2);
    Tensor b = ModuleChecks.range(5, 1, 3);
    Tensor c = ModuleChecks.range(9, 1, 1);
    assertThat(new SelectInput(2, 0, 2).call(a, b, c)).containsExactly(c, a, c);
  }

  @Test
  void callOne_returnsTheSingleSelectedInput() {
    Tensor a = ModuleChecks.range(0, 1, 2);
    Tensor b = ModuleChecks.range(5, 1, 3);
    assertThat(new SelectInput(1).callOne(a, b)).isSameAs(b);
  }

  @Test
  void callOne_withSeveralIndices_throws() {
    Tensor a = ModuleChecks.range(0, 1, 2);
    assertThatThrownBy(() -> new SelectInput(0, 0).callOne(a))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("use call(...)");
  }

  @Test
  void call_withIndexBeyondTheInputs_throwsNamingTheCount() {
    Tensor a = ModuleChecks.range(0, 1, 2);
    assertThatThrownBy(() -> new SelectInput(0, 3).call(a, a))
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("index 3")
        .hasMessageContaining("only 2 inputs");
  }

  @Test
  void constructor_invalidIndices_throw() {
    assertThatThrownBy(SelectInput::new).hasMessageContaining("at least one index");
    assertThatThrownBy(() -> new SelectInput(1, -1)).hasMessageContaining("must be >= 0");
  }

  @Test
  void variables_areEmptyOnPurpose() {
    assertThat(new SelectInput(0).variables()).isEmpty();
  }

  @Test
  void repr_showsTheIndices() {
    assertThat(new SelectInput(1, 0).toString()).isEqualTo("SelectInput(indices=[1, 0])");
  }
}

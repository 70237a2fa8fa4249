package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.nn.Pad;
import dev.sonnet.ops.Padding;
import org.junit.jupiter.api.Test;

class PadTest {

  @Test
  void functions_giveSonnetsBeforeAfterPairs() {
    // kEff = 4 (even) and 5 (odd) tell SAME's floor/ceil split apart.
    assertThat(Pad.Fn.VALID.apply(4)).containsExactly(0, 0);
    assertThat(Pad.Fn.SAME.apply(4)).containsExactly(1, 2);
    assertThat(Pad.Fn.SAME.apply(5)).containsExactly(2, 2);
    assertThat(Pad.Fn.FULL.apply(4)).containsExactly(3, 3);
    assertThat(Pad.Fn.CAUSAL.apply(4)).containsExactly(3, 0);
    assertThat(Pad.Fn.REVERSE_CAUSAL.apply(4)).containsExactly(0, 3);
    for (Pad.Fn f : Pad.Fn.values()) {
      assertThat(f.apply(1)).as("%s of a 1-wide kernel", f).containsExactly(0, 0);
    }
  }

  @Test
  void apply_belowOne_throws() {
    assertThatThrownBy(() -> Pad.Fn.SAME.apply(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be >= 1");
  }

  @Test
  void create_usesTheDilatedKernelAndZerosForBatchAndChannels() {
    Pad p = Pad.of(Pad.Fn.FULL, Pad.Fn.CAUSAL);
    // kEff = (3 - 1) * 2 + 1 = 5 and (2 - 1) * 1 + 1 = 2.
    int[][] last = p.create(new int[] {3, 2}, new int[] {2, 1}, -1);
    assertThat(last).isDeepEqualTo(new int[][] {{0, 0}, {4, 4}, {1, 0}, {0, 0}});
    int[][] first = p.create(new int[] {3, 2}, new int[] {2, 1}, 1);
    assertThat(first).isDeepEqualTo(new int[][] {{0, 0}, {0, 0}, {4, 4}, {1, 0}});
  }

  @Test
  void create_withOneFunction_appliesItToEveryDimension() {
    int[][] pads = Pad.of(Pad.Fn.SAME).create(new int[] {3, 4, 1}, new int[] {1, 1, 1}, -1);
    assertThat(pads).isDeepEqualTo(new int[][] {{0, 0}, {1, 1}, {1, 2}, {0, 0}, {0, 0}});
  }

  @Test
  void create_withWrongFunctionCount_throws() {
    assertThatThrownBy(
            () ->
                Pad.of(Pad.Fn.SAME, Pad.Fn.FULL)
                    .create(new int[] {3, 3, 3}, new int[] {1, 1, 1}, -1))
        .hasMessageContaining("one for all or one per dimension");
  }

  @Test
  void stringPaddings_areNotFixedAndPassThroughToTheOp() {
    assertThat(Pad.SAME.isString()).isTrue();
    assertThat(Pad.SAME.functions()).isEmpty();
    assertThat(Pad.SAME.toPadding(new int[] {3}, new int[] {1})).isEqualTo(Padding.SAME);
    assertThat(Pad.VALID.toPadding(new int[] {3}, new int[] {1})).isEqualTo(Padding.VALID);
    assertThatThrownBy(() -> Pad.SAME.create(new int[] {3}, new int[] {1}, -1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("depends on the input size");
  }

  @Test
  void functions_becomeExplicitPaddingForTheOp() {
    Padding p = Pad.of(Pad.Fn.CAUSAL, Pad.Fn.SAME).toPadding(new int[] {3, 2}, new int[] {2, 1});
    assertThat(p.kind()).isEqualTo(Padding.Kind.EXPLICIT);
    assertThat(p.before()).containsExactly(4, 0);
    assertThat(p.after()).containsExactly(0, 1);
  }

  @Test
  void of_withoutFunctions_throws() {
    assertThatThrownBy(Pad::of).hasMessageContaining("at least one padding function");
    assertThatThrownBy(() -> Pad.of(Pad.Fn.SAME, null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void equalsAndToString_identifyThePadding() {
    assertThat(Pad.of(Pad.Fn.SAME, Pad.Fn.FULL))
        .isEqualTo(Pad.of(Pad.Fn.SAME, Pad.Fn.FULL))
        .hasSameHashCodeAs(Pad.of(Pad.Fn.SAME, Pad.Fn.FULL))
        .isNotEqualTo(Pad.of(Pad.Fn.FULL, Pad.Fn.SAME));
    assertThat(Pad.of(Pad.Fn.SAME)).isNotEqualTo(Pad.SAME);
    assertThat(Pad.of(Pad.Fn.CAUSAL).toString()).isEqualTo("Pad.of(CAUSAL)");
    assertThat(Pad.of(Pad.Fn.SAME, Pad.Fn.FULL).toString()).isEqualTo("Pad.of(SAME, FULL)");
    assertThat(Pad.SAME.toString()).isEqualTo("SAME");
    assertThat(Pad.VALID.toString()).isEqualTo("VALID");
  }
}

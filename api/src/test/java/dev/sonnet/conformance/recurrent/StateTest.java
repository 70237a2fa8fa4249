package dev.sonnet.conformance.recurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.recurrent.LSTMState;
import dev.sonnet.recurrent.State;
import dev.sonnet.recurrent.StateList;
import dev.sonnet.recurrent.TensorState;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The structured state: flattening, rebuilding, mapping, zipping, structure and shapes. */
class StateTest {
  /** A state type of a user's own: three methods, no reflection. */
  record PairState(Tensor a, Tensor b) implements State<PairState> {
    @Override
    public List<Tensor> leaves() {
      return List.of(a, b);
    }

    @Override
    public List<String> leafNames() {
      return List.of("a", "b");
    }

    @Override
    public PairState withLeaves(List<Tensor> l) {
      return new PairState(l.get(0), l.get(1));
    }
  }

  static Tensor t(double... v) {
    return Tensor.of(v, 1, v.length);
  }

  @Test
  void aUsersPairState_mapsAndZipsLeafByLeaf() {
    var p = new PairState(t(1, 2), t(3));
    var q = new PairState(t(10, 20), t(30));
    PairState doubled = p.map(x -> x.mul(2.0));
    assertThat(doubled.a().toDoubleArray()).containsExactly(2, 4);
    assertThat(doubled.b().toDoubleArray()).containsExactly(6);
    PairState sum = p.mapWith(q, Tensor::add);
    assertThat(sum.a().toDoubleArray()).containsExactly(11, 22);
    assertThat(sum.b().toDoubleArray()).containsExactly(33);
    assertThat(p.shapesWithoutBatch()).containsExactly(Shape.of(2), Shape.of(1));
    assertThat(p.describe()).isEqualTo("PairState(a f64[1, 2], b f64[1, 1])");
  }

  @Test
  void stateList_flattensNamesAndRebuildsNestedStates() {
    var list =
        StateList.of(new LSTMState(t(1), t(2)), new TensorState(t(3)), new LSTMState(t(4), t(5)));
    assertThat(list.leafNames()).containsExactly("0_hidden", "0_cell", "1", "2_hidden", "2_cell");
    assertThat(list.leaves().stream().map(Tensor::item).toList())
        .containsExactly(1.0, 2.0, 3.0, 4.0, 5.0);
    StateList plusOne = list.map(x -> x.add(1.0));
    assertThat(plusOne.items().get(2)).isInstanceOf(LSTMState.class);
    assertThat(((LSTMState) plusOne.items().get(2)).cell().item()).isEqualTo(6.0);
    assertThat(plusOne.structureEquals(list)).isTrue();
    assertThat(StateList.of(new TensorState(t(1))).structureEquals(list)).isFalse();
    assertThat(
            StateList.of(new TensorState(t(1)), new TensorState(t(1)), new TensorState(t(1)))
                .structureEquals(list))
        .isFalse();
  }

  @Test
  void mapWith_ofAnotherStructure_namesBothStructures() {
    var two = StateList.of(new TensorState(t(1)), new TensorState(t(2)));
    var one = StateList.of(new TensorState(t(1)));
    assertThatThrownBy(() -> two.mapWith(one, Tensor::add))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("StateList[0, 1]")
        .hasMessageContaining("StateList[0]");
  }

  @Test
  void withLeaves_ofTheWrongCount_saysHowManyItHolds() {
    assertThatThrownBy(
            () -> new LSTMState(t(1), t(2)).withLeaves(List.of(Tensor.zeros(DType.FLOAT32, 1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 leaves (hidden, cell), got 1");
  }
}

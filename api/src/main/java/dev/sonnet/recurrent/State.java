package dev.sonnet.recurrent;

import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;

/**
 * The state a recurrent core carries from one step to the next: a fixed structure of tensors
 * ("leaves"), each with a leading batch dimension. It is Sonnet's {@code tf.nest} made typed and
 * reflection-free: a state lists its leaves in a fixed order ({@link #leaves()}), names each by its
 * path in the structure ({@link #leafNames()}), and rebuilds itself around new leaves ({@link
 * #withLeaves}). Everything else (mapping, zipping two states, comparing structures, shapes) is
 * written once here in terms of those three methods.
 *
 * <p>The library's states are {@link TensorState} (one tensor), {@link LSTMState} (hidden, cell)
 * and {@link StateList} (a list of states, for stacked cores). A core of your own defines its state
 * as a record implementing these three methods, e.g. a pair:
 *
 * <pre>{@code
 * record PairState(Tensor a, Tensor b) implements State<PairState> {
 *   public List<Tensor> leaves() { return List.of(a, b); }
 *   public List<String> leafNames() { return List.of("a", "b"); }
 *   public PairState withLeaves(List<Tensor> l) { return new PairState(l.get(0), l.get(1)); }
 * }
 * }</pre>
 *
 * <p>Two states have the same structure when they are of the same class and have the same leaf
 * names ({@link #structureEquals}); leaf names are letters, digits and underscores, joined by
 * {@code _} for nested states (a {@link StateList} of LSTM states: {@code 0_hidden, 0_cell,
 * 1_hidden, ...}), so they can name variables ({@link TrainableState}).
 *
 * @param <S> the state's own type, so that {@link #map} and {@link #withLeaves} return it
 */
public interface State<S extends State<S>> {
  /** The tensors of this state, in a fixed order (the flattened structure). */
  List<Tensor> leaves();

  /**
   * The path of each leaf in the structure, in {@link #leaves()} order; the empty string for a
   * state that is a single tensor.
   */
  List<String> leafNames();

  /**
   * A state of the same structure holding {@code leaves} (in {@link #leaves()} order): the inverse
   * of flattening.
   */
  S withLeaves(List<Tensor> leaves);

  /** This state with {@code f} applied to each leaf. */
  default S map(UnaryOperator<Tensor> f) {
    List<Tensor> in = leaves();
    List<Tensor> out = new ArrayList<>(in.size());
    for (Tensor t : in) {
      out.add(f.apply(t));
    }
    return withLeaves(out);
  }

  /**
   * {@code f(thisLeaf, otherLeaf)} leaf by leaf, e.g. {@code newState.mapWith(old, (n, o) ->
   * mask.where(n, o))}.
   *
   * @throws IllegalArgumentException if {@code other} has another structure
   */
  default S mapWith(S other, BinaryOperator<Tensor> f) {
    States.requireSameStructure("mapWith", this, other);
    List<Tensor> a = leaves();
    List<Tensor> b = other.leaves();
    List<Tensor> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      out.add(f.apply(a.get(i), b.get(i)));
    }
    return withLeaves(out);
  }

  /** Whether {@code other} is of the same class with the same leaf names. */
  default boolean structureEquals(State<?> other) {
    return other != null && other.getClass() == getClass() && other.leafNames().equals(leafNames());
  }

  /** Each leaf's shape without its leading batch dimension, in {@link #leaves()} order. */
  default List<Shape> shapesWithoutBatch() {
    List<Tensor> in = leaves();
    List<Shape> out = new ArrayList<>(in.size());
    for (Tensor t : in) {
      int[] d = t.shape().dims();
      out.add(Shape.of(java.util.Arrays.copyOfRange(d, Math.min(1, d.length), d.length)));
    }
    return out;
  }

  /**
   * The structure with each leaf's dtype and shape, for messages: {@code LSTMState(hidden f32[2,
   * 3], cell f32[2, 3])}.
   */
  default String describe() {
    return States.describe(this);
  }
}

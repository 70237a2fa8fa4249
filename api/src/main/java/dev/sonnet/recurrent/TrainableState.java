package dev.sonnet.recurrent;

import dev.sonnet.module.Build;
import dev.sonnet.module.Module;
import dev.sonnet.module.Settings;
import dev.sonnet.ops.ShapeOps;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A learned initial state (Sonnet's {@code TrainableState}): one variable per leaf of a state, of
 * the leaf's shape with a leading batch dimension of 1, tiled to the batch on each call.
 *
 * <p><b>Variables</b>, created on the first call: one per leaf, named by the leaf's path in the
 * state ({@code hidden}, {@code cell}; {@code 0_hidden} in a {@link StateList}), or {@code state}
 * for a state that is one tensor, e.g. {@code trainable_state/hidden f32[1, 16]}; initialised to
 * the given values; trainable where {@code mask} says so (all, by default).
 *
 * <pre>{@code
 * var lstm = new LSTM(16);
 * var init = TrainableState.forCore(lstm);              // zeros to start, as Sonnet
 * LSTMState s0 = lstm.initialState(init, batchSize);    // [batch, 16] twice, gradients reach init
 * }</pre>
 */
public final class TrainableState extends Module {
  final List<String> leafNames;
  final List<Tensor> initialValues;
  final List<Boolean> mask;
  private volatile List<Variable> leaves;

  /**
   * Learns every leaf of {@code initialValues}, whose leaves have no batch dimension (a state for
   * one example, squeezed): the state type's structure is kept, the values start the variables.
   */
  public static TrainableState of(State<?> initialValues) {
    return of(initialValues, Collections.nCopies(initialValues.leaves().size(), true));
  }

  /** Like {@link #of(State)}, with {@code mask} saying per leaf (in leaf order) which learn. */
  public static TrainableState of(State<?> initialValues, List<Boolean> mask) {
    List<String> names = new ArrayList<>();
    for (String n : initialValues.leafNames()) {
      names.add(n.isEmpty() ? "state" : States.checkLeafName(initialValues, n));
    }
    return new TrainableState(names, initialValues.leaves(), mask, null);
  }

  /**
   * A learned state for {@code core}, starting from its zero state ({@code core.initialState(1)},
   * float32, squeezed), as Sonnet's {@code TrainableState.for_core}.
   */
  public static TrainableState forCore(RNNCore<?> core) {
    return of(core.initialState(1).map(t -> t.squeeze(0)));
  }

  /**
   * Every setting; {@link #of} is the usual way in. {@code leafNames}, {@code initialValues} (no
   * batch dimension) and {@code mask} are per leaf and of the same length.
   */
  @Settings
  TrainableState(
      List<String> leafNames, List<Tensor> initialValues, List<Boolean> mask, String name) {
    super(name);
    if (leafNames == null || initialValues == null || mask == null) {
      throw new IllegalArgumentException(
          "TrainableState: leafNames, initialValues and mask are required (one per leaf)");
    }
    if (initialValues.isEmpty()
        || leafNames.size() != initialValues.size()
        || mask.size() != initialValues.size()) {
      throw new IllegalArgumentException(
          "TrainableState: needs at least one leaf and one name, value and mask entry per leaf;"
              + " got "
              + leafNames.size()
              + " names "
              + leafNames
              + ", "
              + initialValues.size()
              + " values and "
              + mask.size()
              + " mask entries");
    }
    this.leafNames = List.copyOf(leafNames);
    this.initialValues = List.copyOf(initialValues);
    this.mask = List.copyOf(mask);
  }

  @Build
  void initialize(Integer batchSize) {
    List<Variable> out = new ArrayList<>(initialValues.size());
    for (int i = 0; i < initialValues.size(); i++) {
      Tensor value = initialValues.get(i);
      Shape shape = Shape.of(withBatch(1, value.shape()));
      out.add(
          variable(
              leafNames.get(i),
              (s, dtype, rng) -> value.reshape(s.dims()).cast(dtype),
              value.dtype(),
              shape,
              mask.get(i)));
    }
    leaves = List.copyOf(out);
  }

  /** The learned leaves tiled to {@code batchSize} rows, in leaf order. */
  public List<Tensor> call(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException(
          "TrainableState '" + path() + "': batchSize must be >= 1, got " + batchSize);
    }
    build(Integer.valueOf(batchSize));
    List<Tensor> out = new ArrayList<>(leaves.size());
    for (Variable v : leaves) {
      out.add(ShapeOps.broadcastTo(v, Shape.of(withBatch(batchSize, v.shape().dims(), 1))));
    }
    return out;
  }

  /**
   * The learned state tiled to {@code batchSize} rows, in the structure of {@code like} (a state of
   * the same structure and sizes, e.g. {@code core.initialState(1)}).
   *
   * @throws IllegalArgumentException if {@code like} has other leaves or sizes
   */
  public <S extends State<S>> S call(int batchSize, S like) {
    List<Shape> sizes = like.shapesWithoutBatch();
    List<Shape> own = new ArrayList<>(initialValues.size());
    for (Tensor t : initialValues) {
      own.add(t.shape());
    }
    if (!like.leafNames().equals(ownNames()) || !sizes.equals(own)) {
      throw new ShapeException(
          "TrainableState '"
              + path()
              + "' holds leaves "
              + leafNames
              + " of sizes "
              + own
              + " but the state asked for, "
              + like.describe()
              + ", has leaves "
              + like.leafNames()
              + " of sizes "
              + sizes
              + "; make it with TrainableState.forCore(core) for that core");
    }
    return like.withLeaves(call(batchSize));
  }

  /** The leaf names as a state names them (the empty name for a lone tensor's {@code state}). */
  private List<String> ownNames() {
    return leafNames.size() == 1 && leafNames.get(0).equals("state") ? List.of("") : leafNames;
  }

  /** The variables, one per leaf, or null before the first call. */
  public List<Variable> leafVariables() {
    return leaves;
  }

  private static int[] withBatch(int batch, Shape s) {
    return withBatch(batch, s.dims(), 0);
  }

  /** {@code batch} followed by {@code dims} from index {@code from}. */
  private static int[] withBatch(int batch, int[] dims, int from) {
    int[] out = new int[dims.length - from + 1];
    out[0] = batch;
    System.arraycopy(dims, from, out, 1, dims.length - from);
    return out;
  }
}

package dev.sonnet.recurrent;

import dev.sonnet.module.Module;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.DTypeException;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.List;

/**
 * A recurrent core (Sonnet's {@code RNNCore}): a module applied once per time step, mapping {@code
 * (input, previous state)} to {@code (output, next state)}. {@link Unroll} applies it over a
 * sequence.
 *
 * <pre>{@code
 * var lstm = new LSTM(16);
 * LSTMState state = lstm.initialState(x0);                 // zeros, x0's batch and dtype
 * Step<LSTMState> step = lstm.call(x0, state);             // step.output() [batch, 16]
 * Step<LSTMState> next = lstm.call(x1, step.state());
 * }</pre>
 *
 * <p>A core of your own extends this class with its {@link State} type (see {@link State} for a
 * pair), implements {@link #call}, {@link #initialState(int, DType)} and {@link #outputSize()}, and
 * calls {@link #checkStep} at the start of {@code call}, after {@code build(input)}, so that a
 * wrong input or state is an error naming the core and both shapes.
 *
 * <p><b>Trainable initial state</b> (Sonnet 1's {@code initial_state(batch, trainable=True)}): a
 * {@link TrainableState} made by {@link TrainableState#forCore} learns one row per leaf; {@link
 * #initialState(TrainableState, int)} tiles it to the batch in this core's state type.
 *
 * @param <S> the state type
 */
public abstract class RNNCore<S extends State<S>> extends Module {
  private volatile S template;

  /** A core named {@code name}, or the default name when null. */
  protected RNNCore(String name) {
    super(name);
  }

  /**
   * One step: {@code input [batch, inputSize]} and the previous state to the output and the next
   * state.
   */
  public abstract Step<S> call(Tensor input, S prevState);

  /** The zero state for {@code batchSize} examples of {@code dtype}. */
  public abstract S initialState(int batchSize, DType dtype);

  /** The output's shape without the batch dimension. */
  public abstract Shape outputSize();

  /** The float32 zero state for {@code batchSize} examples (Sonnet's default dtype). */
  public final S initialState(int batchSize) {
    return initialState(batchSize, DType.FLOAT32);
  }

  /**
   * The zero state with the batch size ({@code dim(0)}) and dtype of {@code batchOf}, typically the
   * first step's input.
   */
  public final S initialState(Tensor batchOf) {
    if (batchOf.rank() < 1) {
      throw new ShapeException(
          getClass().getSimpleName()
              + " '"
              + path()
              + "': initialState(batchOf) reads the batch size from dimension 0, but "
              + batchOf.shape()
              + " is a scalar");
    }
    return initialState(batchOf.dim(0), batchOf.dtype());
  }

  /** {@code trainable}'s learned initial state tiled to {@code batchSize}, as this core's type. */
  public final S initialState(TrainableState trainable, int batchSize) {
    return trainable.call(batchSize, template());
  }

  /** Each state leaf's shape without the batch dimension, in {@link State#leaves()} order. */
  public List<Shape> stateSize() {
    return template().shapesWithoutBatch();
  }

  /** A state for one example: the structure and sizes {@code call} checks against. */
  private S template() {
    S t = template;
    if (t == null) {
      t = initialState(1, DType.FLOAT32);
      template = t;
    }
    return t;
  }

  /**
   * Checks one step's arguments, naming this core, and both shapes on a mismatch: {@code input}
   * must be {@code [batch, inputSize]} of {@code dtype}, and {@code prevState} must have this
   * core's structure, {@code batch} rows per leaf, the state sizes and {@code dtype}.
   *
   * @param inputSize the feature size the core was built for
   * @param dtype the core's dtype (its variables')
   */
  protected final void checkStep(Tensor input, S prevState, int inputSize, DType dtype) {
    if (input.rank() != 2) {
      throw new ShapeException(
          who()
              + ": input "
              + input.shape()
              + " has rank "
              + input.rank()
              + " but a step needs rank 2 ([batch, inputSize]); unroll sequences with Unroll");
    }
    if (input.dim(1) != inputSize) {
      throw new ShapeException(
          who()
              + ": input "
              + input.shape()
              + " has "
              + input.dim(1)
              + " features but the core was built for "
              + inputSize
              + " ([batch, "
              + inputSize
              + "]); its variables were created from its first input");
    }
    if (input.dtype() != dtype) {
      throw new IllegalArgumentException(
          who()
              + ": input is "
              + input.dtype()
              + input.shape()
              + " but the core's variables are "
              + dtype
              + "; cast the input (input.cast(DType."
              + dtype.name()
              + "))");
    }
    checkState(prevState, input.dim(0), dtype, input.shape());
  }

  /**
   * Checks a step's state against this core's (its cached one-example template, so nothing is
   * allocated): the structure, {@code batch} rows per leaf, the state sizes and {@code dtype}. For
   * cores whose inputs are not {@code [batch, inputSize]} (convolutional ones) and that check their
   * input themselves; {@link #checkStep} calls it.
   *
   * @param inputShape the step's input shape, for the message
   */
  protected final void checkState(S prevState, int batch, DType dtype, Shape inputShape) {
    S expected = checkStructure(prevState);
    List<Tensor> leaves = prevState.leaves();
    List<Shape> sizes = expected.shapesWithoutBatch();
    for (int i = 0; i < leaves.size(); i++) {
      Tensor leaf = leaves.get(i);
      int[] want = new int[sizes.get(i).rank() + 1];
      want[0] = batch;
      System.arraycopy(sizes.get(i).dims(), 0, want, 1, want.length - 1);
      if (!leaf.shape().equals(Shape.of(want)) || leaf.dtype() != dtype) {
        throw DTypeException.shapeOrDtype(
            leaf.shape().equals(Shape.of(want)),
            who()
                + ": the state "
                + prevState.describe()
                + " does not fit input "
                + inputShape
                + "; leaf '"
                + prevState.leafNames().get(i)
                + "' needs "
                + dtype.shortName()
                + Shape.of(want)
                + " (the input's batch, then the state size) but is "
                + leaf.dtype().shortName()
                + leaf.shape());
      }
    }
  }

  /**
   * Checks that {@code prevState} has this core's structure (against the cached one-example
   * template, so nothing is allocated) and returns that template.
   */
  protected final S checkStructure(S prevState) {
    S expected = template();
    if (prevState == null || !expected.structureEquals(prevState)) {
      throw new IllegalArgumentException(
          who()
              + ": the state "
              + (prevState == null ? "null" : prevState.describe())
              + " does not have the core's structure "
              + States.structure(expected)
              + "; start from initialState(batchOf) and pass each step's state()");
    }
    return expected;
  }

  /** {@code LSTM 'lstm'}: the core's class and path, for messages. */
  protected final String who() {
    return getClass().getSimpleName() + " '" + path() + "'";
  }
}

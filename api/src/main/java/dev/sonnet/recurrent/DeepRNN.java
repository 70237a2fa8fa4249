package dev.sonnet.recurrent;

import dev.sonnet.module.Layer;
import dev.sonnet.module.Settings;
import dev.sonnet.ops.ShapeOps;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A stack of recurrent cores and plain layers applied in order at each step (Sonnet 2's {@code
 * DeepRNN}): a core gets the previous layer's output and its own state, a {@link Layer} (a module
 * such as {@code Linear}, or a function such as {@code Layers.relu()}) only the previous output.
 * The state is a {@link StateList} with one entry per core, in order; layers have none.
 *
 * <pre>{@code
 * var deep = DeepRNN.of(new LSTM(32), Layers.relu(), new GRU(16));
 * Unrolled<StateList> out = Unroll.dynamicUnroll(deep, x, deep.initialState(x.dim(1)));
 * out.outputs();                           // [T, B, 16]: the GRU's outputs
 * out.finalState().items();                // [LSTMState, TensorState]
 * }</pre>
 *
 * <p><b>Skip connections</b> ({@link #deepRnnWithSkipConnections}, Sonnet 2's {@code
 * deep_rnn_with_skip_connections}): every layer must be a core; core {@code i > 0} gets {@code
 * concat([input, out_{i-1}], -1)}, and the output is the concatenation of every core's output on
 * the last axis ({@code concatFinalOutput}, the default) or the last core's. <b>Unlike Sonnet 1's
 * {@code DeepRNN}, whose {@code skip_connections} defaulted to true, a plain {@code DeepRNN} has
 * none</b>, as in Sonnet 2: port Sonnet 1 code that relied on the default with {@code
 * deepRnnWithSkipConnections(cores)}.
 *
 * <p><b>Residual connections</b> ({@link #deepRnnWithResidualConnections}, Sonnet 2's {@code
 * deep_rnn_with_residual_connections}): every layer must be a core, and {@code out_i = core_i(in_i)
 * + in_i}, so each core's output size must equal its input's feature size; the state entries stay
 * the cores' own.
 *
 * <p>A state that is not a {@link StateList} of the cores' states is an error naming this stack and
 * both structures; each core checks its own entry (naming that core).
 */
public final class DeepRNN extends RNNCore<StateList> {
  /** {@code false}: each layer sees only the previous one's output (Sonnet 2; Sonnet 1: true). */
  public static final boolean DEFAULT_SKIP_CONNECTIONS = false;

  /**
   * {@code true}: with skip connections, the output is every core's output concatenated on the last
   * axis (Sonnet's default); false gives the last core's. Unused without skip connections.
   */
  public static final boolean DEFAULT_CONCAT_FINAL_OUTPUT = true;

  /**
   * One layer of the stack: a recurrent core or a plain layer, exactly one non-null. Made by {@link
   * #of(Object)}; what the configuration of a {@link DeepRNN} holds.
   *
   * @param core a recurrent core, or null
   * @param function a plain layer (module or library function), or null
   */
  public record Item(RNNCore<?> core, Layer function) {
    /** Exactly one of {@code core} and {@code function}. */
    public Item {
      if ((core == null) == (function == null)) {
        throw new IllegalArgumentException(
            "DeepRNN.Item: exactly one of core and function must be set, got "
                + core
                + " and "
                + function);
      }
    }

    /** {@code layer} as an item: an {@link RNNCore}, or else a {@link Layer}. */
    public static Item of(Object layer) {
      return switch (layer) {
        case Item item -> item;
        case RNNCore<?> c -> new Item(c, null);
        case Layer l -> new Item(null, l);
        case null -> throw new IllegalArgumentException("DeepRNN: a layer is null");
        default ->
            throw new IllegalArgumentException(
                "DeepRNN: a layer must be an RNNCore or a Layer, got "
                    + layer.getClass().getName());
      };
    }
  }

  /** {@code false}: no residual connections. */
  public static final boolean DEFAULT_RESIDUAL_CONNECTIONS = false;

  final List<Item> layers;
  final boolean skipConnections;
  final boolean residualConnections;
  final boolean concatFinalOutput;
  final List<RNNCore<?>> cores;
  final List<Layer> functions;

  /** The layers, each an {@link RNNCore} or a {@link Layer}, applied first to last. */
  public DeepRNN(List<?> layers) {
    this(
        items(layers),
        DEFAULT_SKIP_CONNECTIONS,
        DEFAULT_CONCAT_FINAL_OUTPUT,
        DEFAULT_RESIDUAL_CONNECTIONS,
        null);
  }

  /** The layers, each an {@link RNNCore} or a {@link Layer}, applied first to last. */
  public static DeepRNN of(Object... layers) {
    return new DeepRNN(Arrays.asList(layers));
  }

  /**
   * Starts a stack with every other setting at its default, e.g. {@code DeepRNN.builder(a,
   * b).skipConnections(true).build()}.
   */
  public static DeepRNNBuilder builder(Object... layers) {
    return new DeepRNNBuilder(items(Arrays.asList(layers)));
  }

  /**
   * Sonnet 2's {@code deep_rnn_with_skip_connections(cores, concat_final_output)}: core {@code i >
   * 0} gets the input concatenated with core {@code i - 1}'s output.
   */
  public static DeepRNN deepRnnWithSkipConnections(
      List<? extends RNNCore<?>> cores, boolean concatFinalOutput) {
    return new DeepRNN(items(cores), true, concatFinalOutput, false, null);
  }

  /** {@link #deepRnnWithSkipConnections(List, boolean)} with every core's output concatenated. */
  public static DeepRNN deepRnnWithSkipConnections(List<? extends RNNCore<?>> cores) {
    return deepRnnWithSkipConnections(cores, DEFAULT_CONCAT_FINAL_OUTPUT);
  }

  /**
   * Sonnet 2's {@code deep_rnn_with_residual_connections(cores)}: {@code out_i = core_i(in_i) +
   * in_i}.
   */
  public static DeepRNN deepRnnWithResidualConnections(List<? extends RNNCore<?>> cores) {
    return new DeepRNN(items(cores), false, DEFAULT_CONCAT_FINAL_OUTPUT, true, null);
  }

  private static List<Item> items(List<?> layers) {
    List<Item> out = new ArrayList<>(layers.size());
    for (Object l : layers) {
      out.add(Item.of(l));
    }
    return out;
  }

  /**
   * Every setting.
   *
   * @param layers the stack, first to last: at least one, at least one core
   * @param skipConnections whether core {@code i > 0} also sees the input; needs every layer a core
   * @param concatFinalOutput with skip connections, output every core's output concatenated
   * @param residualConnections whether each core's output is added to its input; needs every layer
   *     a core
   * @param name the module name, or null for {@code deep_rnn}
   */
  @Settings
  DeepRNN(
      List<Item> layers,
      boolean skipConnections,
      boolean concatFinalOutput,
      boolean residualConnections,
      String name) {
    super(name);
    if (layers == null || layers.isEmpty()) {
      throw new IllegalArgumentException("DeepRNN: needs at least one layer, got " + layers);
    }
    this.layers = List.copyOf(layers);
    List<RNNCore<?>> cs = new ArrayList<>();
    List<Layer> fs = new ArrayList<>();
    for (int i = 0; i < this.layers.size(); i++) {
      Item item = this.layers.get(i);
      if (item.core() != null) {
        cs.add(item.core());
      } else if (skipConnections || residualConnections) {
        throw new IllegalArgumentException(
            "DeepRNN: with "
                + (skipConnections ? "skip" : "residual")
                + " connections every layer must be a recurrent core, but layer "
                + i
                + " is the plain layer "
                + item.function());
      } else {
        fs.add(item.function());
      }
    }
    if (cs.isEmpty()) {
      throw new IllegalArgumentException(
          "DeepRNN: needs at least one recurrent core among its layers, got only plain layers;"
              + " use Sequential for a stack without state");
    }
    if (skipConnections && residualConnections) {
      throw new IllegalArgumentException(
          "DeepRNN: skipConnections and residualConnections cannot both be set (Sonnet has one or"
              + " the other)");
    }
    this.skipConnections = skipConnections;
    this.residualConnections = residualConnections;
    this.concatFinalOutput = concatFinalOutput;
    this.cores = List.copyOf(cs);
    this.functions = List.copyOf(fs);
    allowEmptyVariables();
  }

  /** The layers, first to last. */
  public List<Item> layers() {
    return layers;
  }

  /** The recurrent cores, first to last: one state entry each. */
  public List<RNNCore<?>> cores() {
    return cores;
  }

  /** Whether core {@code i > 0} also sees the input (see the class comment). */
  public boolean skipConnections() {
    return skipConnections;
  }

  @Override
  public Step<StateList> call(Tensor input, StateList prevState) {
    checkStructure(prevState); // one entry per core
    List<State<?>> next = new ArrayList<>(cores.size());
    List<Tensor> outputs = new ArrayList<>(cores.size());
    Tensor current = input;
    int c = 0;
    for (int i = 0; i < layers.size(); i++) {
      Item item = layers.get(i);
      if (item.function() != null) {
        current = item.function().call(current);
        continue;
      }
      Tensor in = skipConnections && i > 0 ? ShapeOps.concat(-1, input, current) : current;
      Step<?> step = CoreCalls.call(item.core(), in, prevState.items().get(c));
      next.add(step.state());
      current = step.output();
      if (residualConnections) {
        if (!current.shape().equals(in.shape())) {
          throw new ShapeException(
              who()
                  + ": core "
                  + c
                  + " "
                  + CoreCalls.who(item.core())
                  + " gives output "
                  + current.shape()
                  + " for input "
                  + in.shape()
                  + "; a residual connection adds them, so they must be equal (the core's output"
                  + " size must be its input's feature size)");
        }
        current = current.add(in);
      }
      outputs.add(current);
      c++;
    }
    Tensor output =
        skipConnections && concatFinalOutput && outputs.size() > 1
            ? ShapeOps.concat(-1, outputs)
            : current;
    return new Step<>(output, new StateList(next));
  }

  @Override
  public StateList initialState(int batchSize, DType dtype) {
    List<State<?>> out = new ArrayList<>(cores.size());
    for (RNNCore<?> c : cores) {
      out.add(c.initialState(batchSize, dtype));
    }
    return new StateList(out);
  }

  /**
   * The last core's output size; with skip connections and {@code concatFinalOutput}, the cores'
   * sizes summed on the last axis.
   *
   * @throws IllegalStateException if the last layer is a plain layer (its size is known only from
   *     an input)
   */
  @Override
  public Shape outputSize() {
    if (skipConnections && concatFinalOutput) {
      int[] d = cores.get(0).outputSize().dims().clone();
      for (int i = 1; i < cores.size(); i++) {
        int[] e = cores.get(i).outputSize().dims();
        d[d.length - 1] += e[e.length - 1];
      }
      return Shape.of(d);
    }
    Item last = layers.get(layers.size() - 1);
    if (last.core() == null) {
      throw new IllegalStateException(
          who()
              + ": the last layer is the plain layer "
              + last.function()
              + ", whose output size is known only from an input; call the stack instead");
    }
    return last.core().outputSize();
  }
}

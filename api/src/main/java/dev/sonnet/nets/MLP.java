package dev.sonnet.nets;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.module.Deferred;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Layers;
import dev.sonnet.module.Module;
import dev.sonnet.module.ModuleException;
import dev.sonnet.module.NotBuiltException;
import dev.sonnet.module.Settings;
import dev.sonnet.module.Transposable;
import dev.sonnet.module.Transpose;
import dev.sonnet.module.TransposeWith;
import dev.sonnet.nn.Linear;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A multi-layer perceptron: {@link Linear} layers with an activation between them, {@code h[i+1] =
 * activation(dropout(linear_i(h[i])))}; the last layer is activated (and dropped out) only with
 * {@code activateFinal}.
 *
 * <p><b>Shapes.</b> Input {@code [batch..., inputSize]}; output {@code [batch...,
 * outputSizes[last]]}.
 *
 * <p><b>Variables:</b> those of the layers {@code linear_0, linear_1, ...}: {@code w:[in, out]} and
 * {@code b:[out]} each, initialised as in {@link Linear} unless {@code wInit}/{@code bInit} are
 * given. The layers are constructed with the MLP, so {@link #layers()} is available at once.
 *
 * <pre>{@code
 * var mlp = new MLP(new int[] {1024, 1024, 10});
 * Tensor logits = mlp.call(x);                    // x: [batch, 784] -> [batch, 10]
 * // variables: mlp/linear_0/{b,w}, mlp/linear_1/{b,w}, mlp/linear_2/{b,w}
 * Deferred<MLP> decoder = mlp.transpose();        // sizes [1024, 1024, 784], new variables
 * var tanh = MLP.builder(128, 10).activation(Layers.tanh()).activateFinal(true).build();
 * }</pre>
 *
 * <p><b>Dropout</b> (with {@code dropoutRate > 0}) is applied before the activation of each
 * activated layer, as in Sonnet; then {@link #call(Tensor, boolean)} must be used and says whether
 * the model is training, and the mask comes from a generator seeded with {@code dropoutSeed}.
 * Without dropout, use {@link #call(Tensor)}.
 */
@Transposable
public final class MLP extends Module implements Layer {
  /**
   * {@code null}: {@link Linear}'s default for every layer, a truncated normal with standard
   * deviation {@code 1 / sqrt(fanIn)}, chosen on the first call.
   */
  public static final Initializer DEFAULT_W_INIT = null;

  /** {@code null}: zeros, so the layers start unbiased; must stay null without a bias. */
  public static final Initializer DEFAULT_B_INIT = null;

  /** {@code relu}: Sonnet's default, cheap and non-saturating. */
  public static final Layer DEFAULT_ACTIVATION = Layers.relu();

  /** {@code true}: each layer is affine, as in Sonnet. */
  public static final boolean DEFAULT_WITH_BIAS = true;

  /** {@code 0}: no dropout unless asked for. */
  public static final double DEFAULT_DROPOUT_RATE = 0.0;

  /**
   * {@code null}: no dropout generator, as there is no dropout by default; give a seed exactly when
   * {@code dropoutRate > 0} (random numbers come from an explicit generator).
   */
  public static final Long DEFAULT_DROPOUT_SEED = null;

  /** {@code false}: the output is usually logits or a regression target, left unactivated. */
  public static final boolean DEFAULT_ACTIVATE_FINAL = false;

  final int[] outputSizes;
  final Initializer wInit;
  final Initializer bInit;
  final boolean withBias;
  final Layer activation;
  final double dropoutRate;
  final Long dropoutSeed;
  final boolean activateFinal;
  final List<Linear> layers;
  private final Rng rng;

  /** An MLP with the given layer sizes, relu between layers and no dropout. */
  public MLP(int[] outputSizes) {
    this(
        outputSizes,
        DEFAULT_W_INIT,
        DEFAULT_B_INIT,
        DEFAULT_WITH_BIAS,
        DEFAULT_ACTIVATION,
        DEFAULT_DROPOUT_RATE,
        DEFAULT_DROPOUT_SEED,
        DEFAULT_ACTIVATE_FINAL,
        null);
  }

  /** An MLP with the given layer sizes and activation, named {@code name} (or {@code mlp}). */
  public MLP(int[] outputSizes, Layer activation, String name) {
    this(
        outputSizes,
        DEFAULT_W_INIT,
        DEFAULT_B_INIT,
        DEFAULT_WITH_BIAS,
        activation,
        DEFAULT_DROPOUT_RATE,
        DEFAULT_DROPOUT_SEED,
        DEFAULT_ACTIVATE_FINAL,
        name);
  }

  /**
   * Starts an MLP with every other setting at its default, e.g. one with dropout: {@code
   * MLP.builder(128, 10).dropoutRate(0.5).dropoutSeed(42L).build()}.
   *
   * @param outputSizes the output size of each layer, first to last; at least one, each >= 1
   */
  public static MLPBuilder builder(int... outputSizes) {
    return new MLPBuilder(outputSizes);
  }

  /**
   * Every setting; called by {@link MLPBuilder}, which documents each and its default. {@code
   * bInit} must be null when {@code withBias} is false; {@code activation} must not be null ({@code
   * Layers.identity()} for none; a module's variables belong to the MLP); {@code dropoutRate} is in
   * {@code [0, 1)}; {@code dropoutSeed} is given exactly when {@code dropoutRate > 0}.
   */
  @SuppressWarnings("this-escape")
  @Settings
  MLP(
      @TransposeWith("reversedInputSizes") int[] outputSizes,
      Initializer wInit,
      Initializer bInit,
      boolean withBias,
      Layer activation,
      double dropoutRate,
      Long dropoutSeed,
      boolean activateFinal,
      String name) {
    super(name);
    if (outputSizes == null || outputSizes.length == 0) {
      throw new IllegalArgumentException(
          "MLP: outputSizes needs at least one layer size, e.g." + " new int[] {128, 10}");
    }
    if (!withBias && bInit != null) {
      throw new IllegalArgumentException(
          "MLP: when withBias is false, bInit must be null (got " + bInit + ")");
    }
    if (activation == null) {
      throw new IllegalArgumentException(
          "MLP: activation must not be null; use" + " Layers.identity() for none");
    }
    if (!(dropoutRate >= 0 && dropoutRate < 1)) {
      throw new IllegalArgumentException("MLP: dropoutRate must be in [0, 1), got " + dropoutRate);
    }
    if (dropoutRate > 0 && dropoutSeed == null) {
      throw new IllegalArgumentException(
          "MLP: when dropoutRate is above 0, dropoutSeed must be"
              + " given: dropout masks come from an explicit generator, e.g. dropoutSeed=42L");
    }
    if (dropoutRate == 0 && dropoutSeed != null) {
      throw new IllegalArgumentException(
          "MLP: when dropoutRate is 0, dropoutSeed must be null;" + " there is no dropout to seed");
    }
    this.outputSizes = outputSizes.clone();
    this.wInit = wInit;
    this.bInit = bInit;
    this.withBias = withBias;
    this.activation = activation;
    this.dropoutRate = dropoutRate;
    this.dropoutSeed = dropoutSeed;
    this.activateFinal = activateFinal;
    this.rng = dropoutSeed == null ? null : new Rng(dropoutSeed);
    List<Linear> ls = new ArrayList<>();
    for (int i = 0; i < outputSizes.length; i++) {
      ls.add(
          Linear.builder(outputSizes[i])
              .withBias(withBias)
              .wInit(wInit)
              .bInit(bInit)
              .name("linear_" + i)
              .build());
    }
    this.layers = List.copyOf(ls);
  }

  /** The layer sizes. */
  public int[] outputSizes() {
    return outputSizes.clone();
  }

  /** The layers, {@code linear_0} first. */
  public List<Linear> layers() {
    return layers;
  }

  /** Applies the MLP; for an MLP without dropout. */
  @Override
  public Tensor call(Tensor x) {
    if (dropoutRate > 0) {
      throw new ModuleException(
          "MLP '"
              + path()
              + "' uses dropout (rate "
              + dropoutRate
              + "), so"
              + " it needs to know whether it is training: call mlp.call(x, isTraining)");
    }
    return run(x, false, null);
  }

  /**
   * Applies the MLP with dropout active when {@code isTraining}; for an MLP with dropout.
   *
   * @throws ModuleException if the MLP has no dropout (the flag would do nothing): use {@link
   *     #call(Tensor)}
   */
  public Tensor call(Tensor x, boolean isTraining) {
    if (dropoutRate == 0) {
      throw new ModuleException(
          "MLP '"
              + path()
              + "' has no dropout, so isTraining has no"
              + " effect; call mlp.call(x), or construct it with a dropoutRate");
    }
    Rng r = null;
    if (isTraining) {
      synchronized (rng) {
        r = rng.split();
      }
    }
    return run(x, isTraining, r);
  }

  private Tensor run(Tensor x, boolean training, Rng r) {
    Tensor h = x;
    int n = layers.size();
    for (int i = 0; i < n; i++) {
      boolean activated = i < n - 1 || activateFinal;
      if (activated && !training) {
        // No dropout between the layer and its activation: the layer may fuse it (Linear + relu).
        h = layers.get(i).callThenActivate(h, activation);
        continue;
      }
      h = layers.get(i).call(h);
      if (activated) {
        if (training) {
          h = dropout(h, r);
        }
        h = activation.call(h);
      }
    }
    return h;
  }

  private Tensor dropout(Tensor h, Rng r) {
    double scale = 1.0 / (1.0 - dropoutRate);
    Shape s = h.shape();
    double[] mask = new double[s.intSize()];
    for (int i = 0; i < mask.length; i++) {
      mask[i] = r.nextDouble() >= dropoutRate ? scale : 0.0;
    }
    return h.mul(Tensor.of(mask, s.dims()).cast(h.dtype()));
  }

  /** The input size of each layer, last layer first: the output sizes of the reversed MLP. */
  public int[] reversedInputSizes() {
    int[] out = new int[layers.size()];
    for (int i = 0; i < out.length; i++) {
      Linear l = layers.get(layers.size() - 1 - i);
      if (l.w() == null) {
        throw new NotBuiltException(
            "MLP '"
                + name()
                + "' has no input sizes yet: they are read"
                + " from the first input. Call it once (mlp.call(x)) before reversing it.");
      }
      out[i] = l.inputSize();
    }
    return out;
  }

  /**
   * Sonnet 2's {@code reverse()}: a new MLP, with its own variables and this one's settings, whose
   * layer sizes are this one's input sizes in reverse order, so it maps this one's outputs back to
   * its inputs' size; constructed on its first call, so it may be made before this one is built.
   * For other settings (say, without a final activation), build one from {@link
   * #reversedInputSizes()}: {@code
   * MLP.builder(mlp.reversedInputSizes()).activateFinal(false).build()}.
   */
  public Deferred<MLP> transpose() {
    return Transpose.of(this);
  }
}

package dev.sonnet.nn;

import dev.sonnet.module.Module;
import dev.sonnet.module.Settings;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;

/**
 * Dropout (Srivastava et al., 2014): in training, each element is zeroed with probability {@code
 * rate} and the kept ones are scaled by {@code 1 / (1 - rate)}, so the expected value is unchanged;
 * in evaluation it is the identity.
 *
 * <p><b>Shapes.</b> Output shape = input shape. With {@code noiseShape}, one keep/drop decision is
 * drawn per element of {@code noiseShape} and broadcast to the input (e.g. {@code [batch, 1,
 * channels]} drops whole channels).
 *
 * <p><b>Variables:</b> none. <b>Randomness</b> comes from an {@link Rng} seeded with {@code seed}
 * and owned by the module, drawn on the host: the same seed gives the same sequence of masks, and
 * each call draws a new mask. {@link #call(Tensor, boolean, Rng)} takes the generator explicitly.
 *
 * <pre>{@code
 * var dropout = new Dropout(0.5, 42);
 * Tensor y = dropout.call(x, true);    // about half the elements zeroed, the rest doubled
 * Tensor z = dropout.call(x, false);   // x
 * }</pre>
 */
public final class Dropout extends Module {
  /**
   * {@code null}: the input's shape, chosen on each call, so every element is kept or dropped
   * independently (the usual choice).
   */
  public static final int[] DEFAULT_NOISE_SHAPE = null;

  final double rate;
  final int[] noiseShape;
  final long seed;
  private final Rng rng;

  /** Drops elements with probability {@code rate}, drawing from {@code new Rng(seed)}. */
  public Dropout(double rate, long seed) {
    this(rate, DEFAULT_NOISE_SHAPE, seed, null);
  }

  /**
   * Starts a dropout with every other setting at its default, e.g. {@code Dropout.builder(0.5,
   * 3).noiseShape(8, 1, 16).build()}.
   *
   * @param rate probability of dropping each element, in {@code [0, 1)}; no default, since it is
   *     the point of the module (Sonnet requires it too)
   * @param seed seed of the module's generator; required, so that runs are reproducible (random
   *     numbers come from an explicit generator, never a global one)
   */
  public static DropoutBuilder builder(double rate, long seed) {
    return new DropoutBuilder(rate, seed);
  }

  /** Every setting; called by {@link DropoutBuilder}, which documents each and its default. */
  @Settings
  Dropout(double rate, int[] noiseShape, long seed, String name) {
    super(name);
    NnSupport.checkRate("Dropout", rate);
    this.rate = rate;
    this.noiseShape = noiseShape == null ? null : noiseShape.clone();
    this.seed = seed;
    this.rng = new Rng(seed);
    allowEmptyVariables();
  }

  /** The drop probability. */
  public double rate() {
    return rate;
  }

  /** Drops elements when {@code isTraining}, drawing the mask from this module's generator. */
  public Tensor call(Tensor x, boolean isTraining) {
    if (!isTraining || rate == 0) {
      return x;
    }
    Rng r;
    synchronized (rng) {
      r = rng.split();
    }
    return call(x, true, r);
  }

  /** Drops elements when {@code isTraining}, drawing the mask from {@code rng}. */
  public Tensor call(Tensor x, boolean isTraining, Rng rng) {
    if (!isTraining || rate == 0) {
      return x;
    }
    Shape mask = noiseShape == null ? x.shape() : Shape.of(noiseShape);
    if (noiseShape != null) {
      checkNoiseShape(x);
    }
    return apply(x, rate, mask, rng);
  }

  private void checkNoiseShape(Tensor x) {
    boolean ok = noiseShape.length == x.rank();
    for (int i = 0; ok && i < noiseShape.length; i++) {
      ok = noiseShape[i] == 1 || noiseShape[i] == x.dim(i);
    }
    if (!ok) {
      throw new ShapeException(
          "Dropout '"
              + path()
              + "': noiseShape "
              + Arrays.toString(noiseShape)
              + " does not broadcast to input "
              + x.shape()
              + "; it needs the input's rank, each size 1 or the input's size (e.g. ["
              + x.dim(0)
              + ", 1, ..., "
              + x.dim(-1)
              + "])");
    }
  }

  /** Dropout of {@code x} with a mask of shape {@code maskShape} drawn from {@code rng}. */
  static Tensor apply(Tensor x, double rate, Shape maskShape, Rng rng) {
    if (!x.dtype().isFloating()) {
      throw new IllegalArgumentException(
          "Dropout needs a float32 or float64 input, got " + x.dtype() + x.shape());
    }
    double scale = 1.0 / (1.0 - rate);
    double[] mask = new double[maskShape.intSize()];
    for (int i = 0; i < mask.length; i++) {
      mask[i] = rng.nextDouble() >= rate ? scale : 0.0;
    }
    return x.mul(Tensor.of(mask, maskShape.dims()).cast(x.dtype()));
  }
}

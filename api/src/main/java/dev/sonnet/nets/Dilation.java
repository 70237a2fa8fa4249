package dev.sonnet.nets;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Module;
import dev.sonnet.module.Settings;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Sonnet 1's context module for per-pixel classification ({@code snt.nets.Dilation}, from Yu and
 * Koltun, "Multi-Scale Context Aggregation by Dilated Convolutions", ICLR 2016): eight {@code 3 x
 * 3} convolutions with dilation rates 1, 1, 2, 4, 8, 16, 1, 1, each followed by a relu except the
 * last, {@code SAME} padding throughout, so the output has the input's spatial size and a receptive
 * field of 67 x 67 pixels.
 *
 * <p><b>Model sizes.</b> {@link ModelSize#BASIC}: every layer has {@code numOutputClasses}
 * channels. {@link ModelSize#LARGE}: {@code 2, 2, 4, 8, 16, 32, 32} times as many, then {@code
 * numOutputClasses}.
 *
 * <p><b>Initialization.</b> By default the module starts as the identity, as in the paper: {@code
 * BASIC} kernels are {@link #identityKernel()} (which needs as many input channels as classes),
 * {@code LARGE} kernels {@link #noisyIdentityKernel(int, double)} with base {@code
 * numOutputClasses} (input channels a multiple of it); biases are zeros.
 *
 * <p><b>Shapes.</b> Input {@code [batch, height, width, depth]}; output {@code [batch, height,
 * width, numOutputClasses]}. <b>Variables:</b> {@code conv1/{w,b}} ... {@code conv8/{w,b}}, as
 * Sonnet names them.
 *
 * <pre>{@code
 * var context = new Dilation(21);              // on VGG features with 21 class scores per pixel
 * Tensor refined = context.call(scores);       // [batch, h, w, 21]; the identity at first
 * }</pre>
 */
public final class Dilation extends Module implements Layer {
  /** The two architectures of the paper. */
  public enum ModelSize {
    /** Every layer has {@code numOutputClasses} channels. */
    BASIC,
    /** Wider hidden layers: 2, 2, 4, 8, 16, 32, 32 times {@code numOutputClasses}. */
    LARGE
  }

  /** The dilation rate of each layer. */
  static final int[] RATES = {1, 1, 2, 4, 8, 16, 1, 1};

  /** The width multiple of each layer of the {@code LARGE} model. */
  static final int[] LARGE_WIDTHS = {2, 2, 4, 8, 16, 32, 32, 1};

  /** {@link ModelSize#BASIC}, Sonnet's default. */
  public static final ModelSize DEFAULT_MODEL_SIZE = ModelSize.BASIC;

  /** {@code null}: the identity kernel of the model size (see the class comment). */
  public static final Initializer DEFAULT_W_INIT = null;

  /** {@code null}: zeros. */
  public static final Initializer DEFAULT_B_INIT = null;

  /** The standard deviation of the noise of the {@code LARGE} default kernels (Sonnet's). */
  public static final double NOISE_STDDEV = 1e-8;

  final int numOutputClasses;
  final ModelSize modelSize;
  final Initializer wInit;
  final Initializer bInit;
  final List<Conv2D> layers;

  /** The basic model for {@code numOutputClasses} classes, starting as the identity. */
  public Dilation(int numOutputClasses) {
    this(numOutputClasses, DEFAULT_MODEL_SIZE, DEFAULT_W_INIT, DEFAULT_B_INIT, null);
  }

  /** Starts a module with every other setting at its default. */
  public static DilationBuilder builder(int numOutputClasses) {
    return new DilationBuilder(numOutputClasses);
  }

  /** Every setting; called by {@link DilationBuilder}, which documents each and its default. */
  @SuppressWarnings("this-escape")
  @Settings
  Dilation(
      int numOutputClasses,
      ModelSize modelSize,
      Initializer wInit,
      Initializer bInit,
      String name) {
    super(name == null ? "dilation" : name);
    if (numOutputClasses < 1) {
      throw new IllegalArgumentException(
          "Dilation: numOutputClasses must be >= 1, got " + numOutputClasses);
    }
    if (modelSize == null) {
      throw new IllegalArgumentException(
          "Dilation: modelSize must not be null; leave it unset for BASIC");
    }
    this.numOutputClasses = numOutputClasses;
    this.modelSize = modelSize;
    this.wInit = wInit;
    this.bInit = bInit;
    Initializer w =
        wInit != null
            ? wInit
            : modelSize == ModelSize.BASIC
                ? identityKernel()
                : noisyIdentityKernel(numOutputClasses, NOISE_STDDEV);
    List<Conv2D> convs = new ArrayList<>();
    for (int i = 0; i < RATES.length; i++) {
      int channels =
          modelSize == ModelSize.BASIC ? numOutputClasses : LARGE_WIDTHS[i] * numOutputClasses;
      convs.add(
          Conv2D.builder(channels, 3)
              .rate(RATES[i])
              .wInit(w)
              .bInit(bInit)
              .name("conv" + (i + 1))
              .build());
    }
    this.layers = List.copyOf(convs);
  }

  /** The eight convolutions, first to last. */
  public List<Conv2D> layers() {
    return layers;
  }

  /**
   * Runs the module on {@code images [batch, height, width, depth]}.
   *
   * @throws ShapeException if the input is not rank 4
   */
  @Override
  public Tensor call(Tensor images) {
    if (images.shape().rank() != 4) {
      throw new ShapeException(
          path() + ": images must have shape [batch, height, width, depth], got " + images.shape());
    }
    Tensor h = images;
    for (int i = 0; i < layers.size(); i++) {
      h = layers.get(i).call(h);
      if (i < layers.size() - 1) {
        h = h.relu();
      }
    }
    return h;
  }

  /**
   * Sonnet's {@code identity_kernel_initializer}: a {@code [k, k, c, c]} kernel (k odd) that is 1
   * at the centre tap from each channel to itself and 0 elsewhere, so the convolution is the
   * identity.
   */
  public static Initializer identityKernel() {
    return new IdentityKernel();
  }

  /**
   * Sonnet's {@code noisy_identity_kernel_initializer}: for a {@code [k, k, in, out]} kernel (k
   * odd, {@code in} and {@code out} multiples of {@code baseNumChannels}), the centre tap from
   * input channel {@code i} to output channel {@code o} is {@code baseNumChannels / out} where
   * {@code i * base / in == o * base / out} (integer division), spreading each input group over its
   * output group; every other entry is truncated normal noise of {@code stddev}, to break ties.
   */
  public static Initializer noisyIdentityKernel(int baseNumChannels, double stddev) {
    if (baseNumChannels < 1 || !(stddev >= 0)) {
      throw new IllegalArgumentException(
          "noisyIdentityKernel: baseNumChannels must be >= 1 and stddev >= 0, got "
              + baseNumChannels
              + " and "
              + stddev);
    }
    return new NoisyIdentityKernel(baseNumChannels, stddev);
  }

  /** The identity kernel; a record, so it prints and compares by value. */
  record IdentityKernel() implements Initializer {
    @Override
    public Tensor apply(Shape shape, DType dtype, Rng rng) {
      int[] d = kernelDims("identityKernel", shape);
      if (d[2] != d[3]) {
        throw new ShapeException(
            "identityKernel: in_channels must equal out_channels for a per-channel identity, got"
                + " kernel shape "
                + shape);
      }
      double[] v = new double[shape.intSize()];
      int mid = d[0] / 2;
      for (int c = 0; c < d[2]; c++) {
        v[((mid * d[1] + mid) * d[2] + c) * d[3] + c] = 1;
      }
      return Tensor.of(v, shape.dims()).cast(dtype);
    }
  }

  /** The noisy identity kernel; a record, so it prints and compares by value. */
  record NoisyIdentityKernel(int baseNumChannels, double stddev) implements Initializer {
    @Override
    public Tensor apply(Shape shape, DType dtype, Rng rng) {
      int[] d = kernelDims("noisyIdentityKernel", shape);
      int in = d[2];
      int out = d[3];
      if (in % baseNumChannels != 0 || out % baseNumChannels != 0) {
        throw new ShapeException(
            "noisyIdentityKernel: in_channels and out_channels must both be multiples of "
                + baseNumChannels
                + ", got kernel shape "
                + shape);
      }
      double[] v =
          stddev == 0
              ? new double[shape.intSize()]
              : Tensor.truncatedNormal(rng, DType.FLOAT64, shape, 0, stddev).toDoubleArray();
      int mid = d[0] / 2;
      double value = (double) baseNumChannels / out;
      for (int i = 0; i < in; i++) {
        for (int o = 0; o < out; o++) {
          if (i * baseNumChannels / in == o * baseNumChannels / out) {
            v[((mid * d[1] + mid) * in + i) * out + o] = value;
          }
        }
      }
      return Tensor.of(v, shape.dims()).cast(dtype);
    }
  }

  private static int[] kernelDims(String what, Shape shape) {
    if (shape.rank() != 4) {
      throw new ShapeException(what + ": convolution kernels must be rank 4, got " + shape);
    }
    int[] d = shape.dims();
    if (d[0] != d[1] || d[0] % 2 != 1) {
      throw new ShapeException(
          what + ": the filter must be square with an odd size, got kernel shape " + shape);
    }
    return d;
  }
}

package dev.sonnet.samples.gan;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Module;
import dev.sonnet.module.Param;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;

/**
 * Spectral normalisation (Miyato et al., 2018) as the Little GAN example of Sonnet 2 writes it: one
 * step of power iteration per training call estimates the largest singular value {@code sigma} of a
 * weight matrix, and the weights are divided by it in place, so the layer that owns them stays
 * close to 1-Lipschitz.
 *
 * <p><b>State.</b> {@code u:[1, columns]}, non-trainable: the running estimate of the first right
 * singular vector, a unit vector drawn once from a truncated normal. Each training call does
 *
 * <pre>
 *   v     = normalize(u W^T)        [1, rows]
 *   u'    = normalize(v W)          [1, columns]
 *   sigma = stopGradient(v W u'^T)  scalar
 *   u := u';  W := W / sigma
 * </pre>
 *
 * with {@code normalize(x) = x / sqrt(max(sum(x^2), epsilon))}. Outside training nothing changes.
 * Because {@code W} itself is rescaled (as in the Sonnet example), the optimizer's next update acts
 * on the normalised weights, and a checkpoint holds them.
 */
public final class SpectralNormalizer extends Module {
  /** The floor under the squared norm in {@code normalize}, as {@code tf.math.l2_normalize}. */
  public static final double DEFAULT_EPSILON = 1e-12;

  final double epsilon;
  @Param Variable u;

  /** A normalizer with the default epsilon, named {@code spectral_normalizer}. */
  public SpectralNormalizer() {
    super(null);
    this.epsilon = DEFAULT_EPSILON;
  }

  @Build
  void initialize(Tensor weights) {
    int columns = weights.dim(-1);
    u =
        variable(
            "u", Initializers.truncatedNormal(1.0), weights.dtype(), Shape.of(1, columns), false);
    u.assign(normalize(u.read(), epsilon));
  }

  /**
   * With {@code isTraining}, one power-iteration step: updates {@code u} and divides {@code
   * weights} (a {@code [rows, columns]} variable) by the estimated largest singular value. Returns
   * {@code sigma}, a scalar (1 outside training).
   */
  public Tensor normalize(Variable weights, boolean isTraining) {
    build(weights.read());
    if (!isTraining) {
      return Tensor.scalar(1.0).cast(weights.dtype());
    }
    Tensor w = weights.read().stopGradient();
    Tensor v = normalize(u.read().matmul(w.transpose()), epsilon);
    Tensor vw = v.matmul(w);
    Tensor next = normalize(vw, epsilon);
    Tensor sigma = vw.matmul(next.transpose()).reshape();
    u.assign(next);
    weights.assign(w.div(sigma));
    return sigma;
  }

  /** {@code x / sqrt(max(sum(x^2), epsilon))}: {@code tf.math.l2_normalize} over all elements. */
  static Tensor normalize(Tensor x, double epsilon) {
    return x.mul(x.square().sum().maximum(epsilon).rsqrt());
  }
}

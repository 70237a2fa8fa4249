package dev.sonnet.samples.gan;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.optimizers.Adam;
import dev.sonnet.optimizers.LearningRate;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.List;

/**
 * The example's {@code GANOptimizer}: alternates a discriminator step (hinge loss on real and
 * generated images) and a generator step ({@code -mean(D(G(z)))}), each with its own Adam ({@code
 * beta1 = 0}, as the example), over only its own half's trainable variables.
 *
 * <p>Hinge loss for the discriminator: {@code mean(relu(1 - D(real))) + mean(relu(1 + D(fake)))}.
 */
public final class GanTraining {
  /** The noise fed to the generator has this many standard-normal values per image. */
  public static final int NOISE_DIM = 128;

  private final LittleGan gan;
  private final Adam discOptimizer;
  private final Adam genOptimizer;
  private final Rng rng;

  /** Trains {@code gan} with learning rates {@code discRate} and {@code genRate}. */
  public GanTraining(LittleGan gan, double discRate, double genRate, long seed) {
    this.gan = gan;
    this.discOptimizer =
        Adam.builder()
            .learningRate(LearningRate.constant(discRate))
            .beta1(0.0)
            .name("disc_adam")
            .build();
    this.genOptimizer =
        Adam.builder()
            .learningRate(LearningRate.constant(genRate))
            .beta1(0.0)
            .name("gen_adam")
            .build();
    this.rng = new Rng(seed);
  }

  /** {@code [batch, NOISE_DIM]} standard-normal noise from this trainer's generator. */
  public Tensor noise(int batch) {
    return Tensor.randomNormal(rng, DType.FLOAT32, Shape.of(batch, NOISE_DIM), 0, 1);
  }

  /** {@code mean(relu(1 - real)) + mean(relu(1 + generated))}. */
  public static Tensor hingeLossDisc(Tensor predsReal, Tensor predsGenerated) {
    Tensor lossReal = predsReal.neg().add(1.0).relu().mean();
    Tensor lossGenerated = predsGenerated.add(1.0).relu().mean();
    return lossReal.add(lossGenerated);
  }

  /** {@code -mean(generated)}: the generator wants high scores for its images. */
  public static Tensor lossGen(Tensor predsGenerated) {
    return predsGenerated.mean().neg();
  }

  /** One discriminator update on real {@code images [B, 28, 28]}; returns its loss. */
  public Tensor discriminatorStep(Tensor images) {
    Tensor loss;
    List<Tensor> grads;
    List<Variable> params;
    try (GradientTape tape = GradientTape.open()) {
      Tensor generated = gan.generate(noise(images.dim(0)), true);
      Tensor predsReal = gan.discriminate(images);
      Tensor predsGenerated = gan.discriminate(generated);
      loss = hingeLossDisc(predsReal, predsGenerated);
      params = gan.discriminator().trainableVariables();
      grads = tape.gradient(loss, params);
    }
    discOptimizer.apply(grads, params);
    return loss;
  }

  /** One generator update on {@code batch} fresh noise vectors; returns its loss. */
  public Tensor generatorStep(int batch) {
    Tensor loss;
    List<Tensor> grads;
    List<Variable> params;
    try (GradientTape tape = GradientTape.open()) {
      Tensor generated = gan.generate(noise(batch), true);
      loss = lossGen(gan.discriminate(generated));
      params = gan.generator().trainableVariables();
      grads = tape.gradient(loss, params);
    }
    genOptimizer.apply(grads, params);
    return loss;
  }
}

package dev.sonnet.samples.spark;

import dev.sonnet.nets.Cifar10ConvNet;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Locale;

/**
 * What every replica of a distributed training run needs to know, shipped to the executors with the
 * task. Immutable and serializable (it is part of Spark's task closure).
 *
 * <p>The defaults follow Sonnet's distributed CIFAR-10 notebook where it says something: Sonnet's
 * {@link Cifar10ConvNet}, {@code Momentum(0.1, 0.9)}, a global batch split evenly over the
 * replicas. The steps are counted globally: step {@code s} is one optimizer update on every
 * replica, each on its own {@link #batchPerReplica} examples.
 *
 * @param steps the global steps to train
 * @param batchPerReplica examples per replica per step; the global batch is this times the replicas
 * @param saveEvery replica 0 saves a checkpoint every this many steps (and after the last)
 * @param seed decides the order of the training examples (the initial weights come from the
 *     variables' paths, as everywhere in the library)
 * @param learningRate SGD's step size
 * @param momentum the momentum coefficient
 * @param channels the output channels of the network's convolutions, one per layer
 * @param strides the strides of those convolutions
 * @param trainLimit use only the first this many training examples (0: all)
 * @param evalLimit test images replica 0 evaluates after training (0: none)
 * @param dataDir a Fashion-MNIST directory readable by every executor, {@code "embedded"} for the
 *     subset in the samples jar, or null to look where {@code FashionMnist.load} looks (and fall
 *     back to that subset)
 * @param runDir the run's directory, readable and writable by every executor: checkpoints go to
 *     {@code runDir/checkpoints}, each replica's progress file to {@code runDir/replicas}
 * @param failReplica with {@code failAtStep}, the replica that throws in the first stage attempt
 *     (-1: none), to exercise Spark's stage retry where no executor JVM can be killed ({@code
 *     local[N]}, whose tasks are threads of the driver)
 * @param failAtStep the global step at which {@code failReplica} throws
 */
public record TrainingSettings(
    int steps,
    int batchPerReplica,
    int saveEvery,
    long seed,
    double learningRate,
    double momentum,
    int[] channels,
    int[] strides,
    int trainLimit,
    int evalLimit,
    String dataDir,
    String runDir,
    int failReplica,
    int failAtStep)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Sonnet's notebook: {@code Momentum(0.1, 0.9)}. */
  public static final double DEFAULT_LEARNING_RATE = 0.1;

  /** Sonnet's notebook: {@code Momentum(0.1, 0.9)}. */
  public static final double DEFAULT_MOMENTUM = 0.9;

  public TrainingSettings {
    channels = channels.clone();
    strides = strides.clone();
    require(steps >= 1, "steps must be >= 1, got " + steps);
    require(batchPerReplica >= 1, "batchPerReplica must be >= 1, got " + batchPerReplica);
    require(saveEvery >= 1, "saveEvery must be >= 1, got " + saveEvery);
    require(learningRate > 0, "learningRate must be > 0, got " + learningRate);
    require(momentum >= 0 && momentum < 1, "momentum must be in [0, 1), got " + momentum);
    require(
        channels.length == strides.length && channels.length > 0,
        "channels "
            + Arrays.toString(channels)
            + " and strides "
            + Arrays.toString(strides)
            + " need the same, non-zero length");
    require(trainLimit >= 0, "trainLimit must be >= 0, got " + trainLimit);
    require(evalLimit >= 0, "evalLimit must be >= 0, got " + evalLimit);
    require(runDir != null && !runDir.isBlank(), "runDir is required");
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("TrainingSettings: " + message);
    }
  }

  @Override
  public int[] channels() {
    return channels.clone();
  }

  @Override
  public int[] strides() {
    return strides.clone();
  }

  /** The network these settings describe, named {@code model} on every replica. */
  public Cifar10ConvNet newModel() {
    return Cifar10ConvNet.builder().outputChannels(channels).strides(strides).name("model").build();
  }

  /** One line for the log. */
  public String describe(int replicas) {
    return String.format(
        Locale.ROOT,
        "Cifar10ConvNet(channels=%s, strides=%s), Momentum(%s, %s), %d replicas x batch %d,"
            + " %d steps, checkpoint every %d",
        Arrays.toString(channels),
        Arrays.toString(strides),
        learningRate,
        momentum,
        replicas,
        batchPerReplica,
        steps,
        saveEvery);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrainingSettings t
        && steps == t.steps
        && batchPerReplica == t.batchPerReplica
        && saveEvery == t.saveEvery
        && seed == t.seed
        && learningRate == t.learningRate
        && momentum == t.momentum
        && Arrays.equals(channels, t.channels)
        && Arrays.equals(strides, t.strides)
        && trainLimit == t.trainLimit
        && evalLimit == t.evalLimit
        && java.util.Objects.equals(dataDir, t.dataDir)
        && runDir.equals(t.runDir)
        && failReplica == t.failReplica
        && failAtStep == t.failAtStep;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(steps, batchPerReplica, seed, runDir, Arrays.hashCode(channels));
  }

  @Override
  public String toString() {
    return "TrainingSettings[" + describe(0) + ", runDir=" + runDir + "]";
  }
}

package dev.sonnet.samples.spark;

import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Tensor;

/**
 * Which examples each replica trains on at each global step, as a pure function of the step: no
 * state to checkpoint, so a replica that resumes at step {@code s} sees exactly the batches an
 * uninterrupted run would have seen.
 *
 * <p>Each epoch is a permutation of the training examples drawn from {@code Rng(seed + epoch)};
 * global step {@code s} (1-based) takes the next {@code replicas * batch} examples of it, and
 * replica {@code r} the {@code r}-th slice of those. The remainder of an epoch is left out (drop
 * remainder). So the replicas together see the same global batch whatever their number, which is
 * what makes N replicas of batch B train like one of batch N * B.
 */
public final class ShardedBatches {
  private final LabeledImages set;
  private final int count;
  private final int replicas;
  private final int batch;
  private final long seed;
  private final int stepsPerEpoch;
  private int cachedEpoch = -1;
  private int[] order;

  /**
   * @param set the training examples
   * @param limit use the first this many (0: all)
   * @param replicas the number of replicas
   * @param batch examples per replica per step
   * @param seed decides the permutations
   */
  public ShardedBatches(LabeledImages set, int limit, int replicas, int batch, long seed) {
    this.set = set;
    this.count = limit > 0 ? Math.min(limit, set.count()) : set.count();
    this.replicas = replicas;
    this.batch = batch;
    this.seed = seed;
    this.stepsPerEpoch = count / (replicas * batch);
    if (stepsPerEpoch == 0) {
      throw new IllegalArgumentException(
          "A global batch of "
              + replicas
              + " x "
              + batch
              + " examples is more than the "
              + count
              + " training examples");
    }
  }

  /** Global steps in one pass over the examples. */
  public int stepsPerEpoch() {
    return stepsPerEpoch;
  }

  /** The example indices replica {@code rank} trains on at global step {@code step} (1-based). */
  public int[] indices(long step, int rank) {
    if (step < 1) {
      throw new IllegalArgumentException("Steps count from 1, got " + step);
    }
    if (rank < 0 || rank >= replicas) {
      throw new IllegalArgumentException("rank " + rank + " of " + replicas + " replicas");
    }
    int epoch = (int) ((step - 1) / stepsPerEpoch);
    int within = (int) ((step - 1) % stepsPerEpoch);
    if (epoch != cachedEpoch) {
      order = permutation(new Rng(seed + epoch), count);
      cachedEpoch = epoch;
    }
    int[] out = new int[batch];
    System.arraycopy(order, (within * replicas + rank) * batch, out, 0, batch);
    return out;
  }

  /** Images {@code [batch, 28, 28, 1]} scaled to {@code [-1, 1]}, and int32 labels. */
  public record Batch(Tensor images, Tensor labels) {}

  /** The batch of replica {@code rank} at {@code step}. */
  public Batch batch(long step, int rank) {
    return gather(set, indices(step, rank));
  }

  /** The examples {@code indices} of {@code set}, as one batch. */
  public static Batch gather(LabeledImages set, int[] indices) {
    int size = set.imageSize();
    float[] pixels = new float[indices.length * size];
    int[] labels = new int[indices.length];
    byte[] src = set.pixels();
    byte[] lab = set.labels();
    for (int i = 0; i < indices.length; i++) {
      int base = indices[i] * size;
      int dst = i * size;
      for (int p = 0; p < size; p++) {
        pixels[dst + p] = (src[base + p] & 0xff) * (2f / 255f) - 1f;
      }
      labels[i] = lab[indices[i]];
    }
    return new Batch(
        Tensor.of(pixels, indices.length, set.height(), set.width(), 1),
        Tensor.of(labels, indices.length));
  }

  /** A uniformly random permutation of {@code 0 .. n-1} (Fisher-Yates) drawn from {@code rng}. */
  static int[] permutation(Rng rng, int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}

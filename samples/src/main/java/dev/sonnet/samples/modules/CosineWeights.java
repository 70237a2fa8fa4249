package dev.sonnet.samples.modules;

import dev.sonnet.module.Module;
import dev.sonnet.tensor.Tensor;

/**
 * The Sonnet 1 FAQ's {@code CosineWeights} (content addressing from the Differentiable Neural
 * Computer): configuration in the constructor, a {@link #paramSize()} that tells the module in
 * front of it how many outputs to make, and a call with two inputs. It has no variables.
 *
 * <pre>{@code
 * var cosWeights = new CosineWeights(32, 3);
 * var cosParamsMod = new MyLinear(cosWeights.paramSize());
 * Tensor weights = cosWeights.call(memory, cosParamsMod.call(inputs));
 * }</pre>
 */
public final class CosineWeights extends Module {
  private static final double EPSILON = 1e-6;

  final int wordSize;
  final int numHeads;

  public CosineWeights(int wordSize, int numHeads) {
    this(wordSize, numHeads, null);
  }

  public CosineWeights(int wordSize, int numHeads, String name) {
    super(name);
    this.wordSize = wordSize;
    this.numHeads = numHeads;
  }

  /**
   * The size the second dimension of {@code cosParams} must have: a key and a strength per head.
   */
  public int paramSize() {
    return numHeads * (1 + wordSize);
  }

  /**
   * Attention weights over memory slots, one distribution per head.
   *
   * @param memory {@code [batch, slots, wordSize]}
   * @param cosParams {@code [batch, paramSize()]}: per head a key of {@code wordSize} and a
   *     strength
   * @return {@code [batch, numHeads, slots]}, each row summing to 1
   */
  public Tensor call(Tensor memory, Tensor cosParams) {
    int batch = cosParams.dim(0);
    int slots = memory.dim(1);
    Tensor params = cosParams.reshape(batch, numHeads, 1 + wordSize);
    Tensor keys =
        params.slice(
            new int[] {0, 0, 0}, new int[] {batch, numHeads, wordSize}, new int[] {1, 1, 1});
    Tensor strengths =
        params
            .slice(
                new int[] {0, 0, wordSize},
                new int[] {batch, numHeads, wordSize + 1},
                new int[] {1, 1, 1})
            .softplus()
            .add(1.0);
    Tensor k = keys.reshape(batch, numHeads, 1, wordSize);
    Tensor m = memory.reshape(batch, 1, slots, wordSize);
    Tensor dot = k.mul(m).sum(-1);
    Tensor norms = k.square().sum(-1).sqrt().mul(m.square().sum(-1).sqrt()).add(EPSILON);
    return dot.div(norms).mul(strengths).softmax(-1);
  }
}

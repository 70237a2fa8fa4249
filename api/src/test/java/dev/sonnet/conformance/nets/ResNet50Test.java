package dev.sonnet.conformance.nets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.nets.ResNet50;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import org.junit.jupiter.api.Test;

class ResNet50Test {

  /**
   * The trainable parameters of a bottleneck ResNet counted by hand: initial 7x7 conv and its
   * BatchNorm, per block 1x1 / 3x3 / 1x1 convolutions (no bias) each with a BatchNorm scale and
   * offset, a projection conv and BatchNorm in the first block of each group, and the logits.
   */
  private static long expectedTrainableParameters(int numClasses) {
    int[] channels = {256, 512, 1024, 2048};
    int[] blocks = {3, 4, 6, 3};
    long total = 7 * 7 * 3 * 64 + 2 * 64;
    int in = 64;
    for (int g = 0; g < 4; g++) {
      int c = channels[g];
      int b4 = c / 4;
      for (int b = 0; b < blocks[g]; b++) {
        int blockIn = b == 0 ? in : c;
        total += (long) blockIn * b4 + 2 * b4;
        total += 9L * b4 * b4 + 2 * b4;
        total += (long) b4 * c + 2 * c;
        if (b == 0) {
          total += (long) blockIn * c + 2 * c;
        }
      }
      in = c;
    }
    return total + 2048L * numClasses + numClasses;
  }

  @Test
  void call_onATinyImage_hasTheResNet50VariablesAndParameterCount() {
    var net = new ResNet50(1000);
    Tensor logits = net.call(Tensor.zeros(DType.FLOAT32, 1, 32, 32, 3), false);
    assertThat(logits.shape().dims()).containsExactly(1, 1000);
    // 53 convolutions (49 in 16 blocks + 4 projections), 53 BatchNorms of 8 variables, logits.
    assertThat(net.variables()).hasSize(53 + 53 * 8 + 2);
    assertThat(net.trainableVariables()).hasSize(53 + 53 * 2 + 2);
    long params = 0;
    for (Variable v : net.trainableVariables()) {
      params += v.shape().size();
    }
    // The well-known 25,557,032 of ResNet-50 for 1000 classes (bias-free convolutions).
    assertThat(params).isEqualTo(expectedTrainableParameters(1000)).isEqualTo(25_557_032L);
  }

  @Test
  void repr_omitsDefaults() {
    assertThat(new ResNet50(10).toString()).isEqualTo("ResNet50(numClasses=10)");
  }
}

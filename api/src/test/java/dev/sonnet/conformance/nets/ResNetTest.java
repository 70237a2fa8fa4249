package dev.sonnet.conformance.nets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.conformance.GradientCheck;
import dev.sonnet.conformance.nn.ModuleChecks;
import dev.sonnet.module.Module;
import dev.sonnet.nets.BatchNormConfig;
import dev.sonnet.nets.ResNet;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResNetTest {

  private static final int[] ONE_BLOCK_EACH = {1, 1, 1, 1};
  private static final int[] NARROW = {8, 8, 8, 8};

  private static ResNet tiny(boolean v2) {
    return ResNet.builder(ONE_BLOCK_EACH, 3).resnetV2(v2).channelsPerGroup(NARROW).build();
  }

  private static Module child(Module net, String path) {
    return net.submodules().stream()
        .filter(m -> m.path().equals(path))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no submodule " + path));
  }

  /** Random scales, offsets and logits, so that no path through the network is switched off. */
  private static void randomizeAffine(ResNet net) {
    long seed = 100;
    for (Variable v : net.trainableVariables()) {
      if (v.name().endsWith("/scale")
          || v.name().endsWith("/offset")
          || v.name().contains("/logits/")) {
        ModuleChecks.randomize(v, seed++);
      }
    }
  }

  @Test
  void call_tinyV1_givesLogitsPerExample() {
    var net = tiny(false);
    Tensor y = net.call(ModuleChecks.uniform(1, 2, 16, 16, 3), true);
    assertThat(y.shape().dims()).containsExactly(2, 3);
  }

  @Test
  void call_atInit_givesZeroLogitsBecauseTheLogitWeightsStartAtZero() {
    var net = tiny(false);
    Tensor y = net.call(ModuleChecks.uniform(2, 2, 16, 16, 3), true);
    assertThat(y.toDoubleArray()).containsOnly(0.0);
  }

  @Test
  void variables_tinyV1_countAndLayout() {
    var net = tiny(false);
    net.call(Tensor.zeros(DType.FLOAT32, 1, 16, 16, 3), true);
    // initial conv + BN (8), per group: 3 convs + 3 BNs + projection conv + BN, logits w and b.
    assertThat(net.variables()).hasSize(1 + 8 + 4 * (3 + 3 * 8 + 1 + 8) + 2);
    assertThat(net.trainableVariables()).hasSize(1 + 2 + 4 * (3 + 3 * 2 + 1 + 2) + 2);
    assertThat(ModuleChecks.variableLines(net))
        .contains(
            "res_net/initial_conv/w -> f32[7,7,3,64]",
            "res_net/block_group_0/block_0/shortcut_conv/w -> f32[1,1,64,8]",
            "res_net/block_group_0/block_0/conv_0/w -> f32[1,1,64,2]",
            "res_net/block_group_1/block_0/conv_1/w -> f32[3,3,2,2]",
            "res_net/block_group_3/block_0/conv_2/w -> f32[1,1,2,8]",
            "res_net/logits/w -> f32[8,3]",
            "res_net/logits/b -> f32[3]");
  }

  @Test
  void variables_v1_lastBatchNormOfEachBlockStartsWithZeroScale() {
    var net = tiny(false);
    net.call(Tensor.zeros(DType.FLOAT32, 1, 16, 16, 3), true);
    for (Variable v : net.trainableVariables()) {
      if (v.name().endsWith("/scale")) {
        double expected = v.name().endsWith("batchnorm_2/scale") ? 0.0 : 1.0;
        assertThat(v.peek().toDoubleArray()).as(v.name()).containsOnly(expected);
      }
    }
  }

  @Test
  void variables_tinyV2_haveFinalBatchNormAndNoInitialOrShortcutBatchNorm() {
    var net = tiny(true);
    Tensor y = net.call(ModuleChecks.uniform(3, 2, 16, 16, 3), true);
    assertThat(y.shape().dims()).containsExactly(2, 3);
    assertThat(net.variables()).hasSize(1 + 4 * (3 + 3 * 8 + 1) + 8 + 2);
    List<String> names = net.variables().stream().map(Variable::name).toList();
    assertThat(names)
        .contains("res_net/final_batchnorm/scale")
        .noneMatch(n -> n.contains("initial_batchnorm") || n.contains("shortcut_batchnorm"));
    for (Variable v : net.trainableVariables()) {
      if (v.name().endsWith("/scale")) {
        assertThat(v.peek().toDoubleArray()).as(v.name()).containsOnly(1.0);
      }
    }
  }

  @Test
  void blockGroups_haveTheConfiguredNumberOfBlocks() {
    var net = ResNet.builder(new int[] {2, 1, 3, 1}, 2).channelsPerGroup(NARROW).build();
    net.call(Tensor.zeros(DType.FLOAT32, 1, 8, 8, 1), true);
    assertThat(net.submodules())
        .extracting(Module::path)
        .contains("res_net/block_group_0/block_1", "res_net/block_group_2/block_2")
        .doesNotContain("res_net/block_group_0/block_2", "res_net/block_group_1/block_1");
    // Only the first block of a group has a projection shortcut.
    assertThat(net.submodules())
        .extracting(Module::path)
        .contains("res_net/block_group_0/block_0/shortcut_conv")
        .doesNotContain("res_net/block_group_0/block_1/shortcut_conv");
  }

  @Test
  void gradients_inEvaluation_matchFiniteDifferences() {
    // One training call sets the moving averages to this batch's moments, after which evaluation
    // is a smooth function of the input and the variables (no batch statistics coupling).
    var net = tiny(false);
    Tensor x = ModuleChecks.uniform(4, 2, 8, 8, 1);
    net.call(x, true);
    randomizeAffine(net);
    GradientCheck.check(in -> net.call(in[0], false), x);
    // Variables: the last group and the logits (the full net would take minutes).
    ModuleChecks.checkVariableGradients(
        child(net, "res_net/block_group_3"), () -> net.call(x, false));
    ModuleChecks.checkVariableGradients(child(net, "res_net/logits"), () -> net.call(x, false));
  }

  @Test
  void gradients_v2InEvaluation_matchFiniteDifferencesForTheInput() {
    var net = tiny(true);
    Tensor x = ModuleChecks.uniform(5, 2, 8, 8, 1);
    net.call(x, true);
    randomizeAffine(net);
    GradientCheck.check(in -> net.call(in[0], false), x);
  }

  @Test
  void call_onRank3Input_throws() {
    assertThatThrownBy(() -> tiny(false).call(Tensor.zeros(DType.FLOAT32, 8, 8, 3), true))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("[batch, height, width, channels]");
  }

  @Test
  void constructor_listsOfOtherLength_throwStatingTheRule() {
    assertThatThrownBy(() -> new ResNet(new int[] {1, 1, 1}, 10))
        .hasMessageContaining("blocksPerGroup must have 4 entries");
    assertThatThrownBy(() -> ResNet.builder(ONE_BLOCK_EACH, 10).channelsPerGroup(8, 8).build())
        .hasMessageContaining("channelsPerGroup must have 4 entries");
    assertThatThrownBy(() -> new BatchNormConfig(1.5, 1e-5, true, true))
        .hasMessageContaining("decayRate must be in [0, 1]");
  }

  @Test
  void repr_omitsDefaults() {
    assertThat(new ResNet(ONE_BLOCK_EACH, 10).toString())
        .isEqualTo("ResNet(blocksPerGroup=[1, 1, 1, 1], numClasses=10)");
  }
}

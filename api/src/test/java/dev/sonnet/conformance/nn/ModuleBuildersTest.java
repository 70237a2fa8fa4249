package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Layers;
import dev.sonnet.module.Module;
import dev.sonnet.nets.Cifar10ConvNet;
import dev.sonnet.nets.MLP;
import dev.sonnet.nets.ResNet;
import dev.sonnet.nets.VectorQuantizer;
import dev.sonnet.nets.VectorQuantizerEMA;
import dev.sonnet.nn.BatchNorm;
import dev.sonnet.nn.Bias;
import dev.sonnet.nn.ConcatLinear;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.nn.Conv2DTranspose;
import dev.sonnet.nn.DepthwiseConv2D;
import dev.sonnet.nn.Dropout;
import dev.sonnet.nn.Embed;
import dev.sonnet.nn.GroupNorm;
import dev.sonnet.nn.InstanceNorm;
import dev.sonnet.nn.LayerNorm;
import dev.sonnet.nn.Linear;
import dev.sonnet.nn.MovingAverage;
import dev.sonnet.nn.Pad;
import dev.sonnet.nn.SeparableConv1D;
import dev.sonnet.nn.SeparableConv2D;
import dev.sonnet.ops.DataFormat;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The generated builders: a builder left at its defaults makes the same module as the short
 * constructor (same variables, same repr, same output), the repr shows only settings that differ
 * from their defaults, and a broken rule is reported by {@code build()} naming the module.
 */
class ModuleBuildersTest {

  private static List<String> variables(Module m) {
    return m.variables().stream().map(Variable::toString).toList();
  }

  private static void assertSameModule(
      Module fromConstructor, Module fromBuilder, Function<Module, Tensor> call) {
    Tensor a = call.apply(fromConstructor);
    Tensor b = call.apply(fromBuilder);
    assertThat(fromBuilder.toString()).isEqualTo(fromConstructor.toString());
    assertThat(variables(fromBuilder)).isEqualTo(variables(fromConstructor));
    assertThat(b.shape()).isEqualTo(a.shape());
  }

  @Test
  void conv2d_builderAtDefaults_isTheShortConstructor() {
    Tensor x = ModuleChecks.uniform(1, 2, 6, 6, 3);
    assertSameModule(
        new Conv2D(4, 3, 2), Conv2D.builder(4, 3).stride(2).build(), m -> ((Conv2D) m).call(x));
  }

  @Test
  void bias_builderAtDefaults_isTheShortConstructor() {
    Tensor x = ModuleChecks.uniform(1, 2, 3, 4);
    assertSameModule(new Bias(), Bias.builder().build(), m -> ((Bias) m).call(x));
    assertThat(Bias.builder().biasDims(-1).build().toString()).isEqualTo("Bias(biasDims=[-1])");
  }

  @Test
  void embed_builderAtDefaults_isTheShortConstructor() {
    Tensor ids = Tensor.of(new int[] {1, 3, 1}, 3);
    Tensor table = ModuleChecks.uniform(1, 4, 2);
    assertSameModule(
        new Embed(7, 3), Embed.builder(7).embedDim(3).build(), m -> ((Embed) m).call(ids));
    assertSameModule(new Embed(100), Embed.builder(100).build(), m -> ((Embed) m).call(ids));
    assertSameModule(new Embed(table), Embed.builder(table).build(), m -> ((Embed) m).call(ids));
  }

  @Test
  void concatLinear_builderAtDefaults_isTheShortConstructor() {
    List<Tensor> xs = List.of(ModuleChecks.uniform(1, 4, 3), ModuleChecks.uniform(2, 4, 2, 2));
    assertSameModule(
        new ConcatLinear(5), ConcatLinear.builder(5).build(), m -> ((ConcatLinear) m).call(xs));
  }

  @Test
  void mlp_builderAtDefaults_isTheShortConstructor() {
    Tensor x = ModuleChecks.uniform(1, 4, 3);
    assertSameModule(new MLP(new int[] {4, 2}), MLP.builder(4, 2).build(), m -> ((MLP) m).call(x));
    assertSameModule(
        new MLP(new int[] {4, 2}, Layers.tanh(), "m"),
        MLP.builder(4, 2).activation(Layers.tanh()).name("m").build(),
        m -> ((MLP) m).call(x));
  }

  @Test
  void vectorQuantizer_builderAtDefaults_isTheShortConstructor() {
    Tensor z = ModuleChecks.uniform(1, 2, 3, 4).cast(DType.FLOAT32);
    assertSameModule(
        new VectorQuantizer(4, 6, 0.25),
        VectorQuantizer.builder(4, 6, 0.25).build(),
        m -> ((VectorQuantizer) m).call(z, false).quantize());
  }

  @Test
  void vectorQuantizerEma_builderAtDefaults_isTheShortConstructor() {
    Tensor z = ModuleChecks.uniform(1, 2, 3, 4).cast(DType.FLOAT32);
    assertSameModule(
        new VectorQuantizerEMA(4, 6, 0.25, 0.99),
        VectorQuantizerEMA.builder(4, 6, 0.25, 0.99).build(),
        m -> ((VectorQuantizerEMA) m).call(z, false).quantize());
  }

  @Test
  void cifar10ConvNet_builderAtDefaults_isTheShortConstructor() {
    Tensor images = ModuleChecks.uniform(1, 1, 8, 8, 3);
    assertSameModule(
        new Cifar10ConvNet(),
        Cifar10ConvNet.builder().build(),
        m -> ((Cifar10ConvNet) m).call(images, false).logits());
  }

  @Test
  void resNet_builderAtDefaults_isTheShortConstructor() {
    Tensor images = ModuleChecks.uniform(1, 1, 8, 8, 3);
    int[] blocks = {1, 1, 1, 1};
    assertSameModule(
        new ResNet(blocks, 3),
        ResNet.builder(blocks, 3).build(),
        m -> ((ResNet) m).call(images, false));
  }

  @Test
  void conv2dTranspose_builderAtDefaults_isTheShortConstructor() {
    Tensor x = ModuleChecks.uniform(1, 2, 3, 3, 4);
    assertSameModule(
        new Conv2DTranspose(2, 3, 2),
        Conv2DTranspose.builder(2, 3).stride(2).build(),
        m -> ((Conv2DTranspose) m).call(x));
  }

  @Test
  void linearLayerNormInstanceNorm_builderAtDefaults_isTheShortConstructor() {
    Tensor flat = ModuleChecks.uniform(1, 4, 3);
    Tensor image = ModuleChecks.uniform(2, 2, 3, 3, 2);
    assertSameModule(new Linear(5), Linear.builder(5).build(), m -> ((Linear) m).call(flat));
    assertSameModule(
        new LayerNorm(new int[] {-1}, true, false),
        LayerNorm.builder(true, false, -1).build(),
        m -> ((LayerNorm) m).call(flat));
    assertSameModule(
        new InstanceNorm(true, true),
        InstanceNorm.builder(true, true).build(),
        m -> ((InstanceNorm) m).call(image));
  }

  @Test
  void repr_showsOnlySettingsThatDifferFromTheirDefaults() {
    assertThat(Conv2D.builder(16, 3).build().toString())
        .isEqualTo("Conv2D(outputChannels=16, kernelShape=[3, 3])");
    assertThat(
            Conv2D.builder(16, 3).stride(2).padding(Pad.VALID).withBias(false).build().toString())
        .contains(
            "outputChannels=16",
            "kernelShape=[3, 3]",
            "stride=[2, 2]",
            "padding=VALID",
            "withBias=false")
        .doesNotContain("rate=", "wInit", "bInit", "dataFormat", "name=");
    assertThat(Conv2D.builder(16, 3).padding(Conv2D.DEFAULT_PADDING).build().toString())
        .doesNotContain("padding");
    assertThat(Linear.builder(10).withBias(false).name("out").build().toString())
        .isEqualTo("Linear(outputSize=10, withBias=false, name=\"out\")");
  }

  @Test
  void conditionalLayerNorm_fromTheBuilder_takesItsScaleAndOffsetInCall() {
    LayerNorm ln = LayerNorm.builder(false, false, -1).eps(1e-3).build();
    Tensor x = ModuleChecks.uniform(3, 4, 3);
    Operand scale = Tensor.ones(x.dtype(), 3);

    assertThat(ln.call(x, scale, null).shape()).isEqualTo(x.shape());
    assertThat(ln.allowEmptyVariables().variables()).isEmpty();
    assertThat(ln.toString()).contains("eps=0.001").doesNotContain("dataFormat");
  }

  @Test
  void build_reportsTheModuleAndTheRule() {
    assertThatThrownBy(() -> Conv2D.builder(0, 3).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Conv2D: ");
    assertThatThrownBy(() -> Conv2D.builder(4, 3).padding(null).build())
        .hasMessage(
            "Conv2D: padding must not be null; leave it unset in the builder for its"
                + " default (Conv2D.DEFAULT_PADDING)");
    assertThatThrownBy(() -> Conv2D.builder(4, 3).dataFormat(null).build())
        .hasMessageContaining("Conv2D: dataFormat must not be null");
    assertThatThrownBy(() -> Linear.builder(2).withBias(false).bInit(Initializers.zeros()).build())
        .hasMessageContaining("Linear: when withBias is false, bInit must be null");
    assertThatThrownBy(() -> LayerNorm.builder(true, true, -1).eps(0).build())
        .hasMessageContaining("LayerNorm: eps must be > 0");
  }

  @Test
  void builder_isReusable_eachBuildIsANewModule() {
    var builder = Conv2D.builder(4, 3).dataFormat(DataFormat.CHANNELS_FIRST);
    assertThat(builder.build()).isNotSameAs(builder.build());
    assertThat(builder.build().dataFormat()).isEqualTo(DataFormat.CHANNELS_FIRST);
  }

  @Test
  void depthwiseConv2D_builderAtDefaults_isTheShortConstructor() {
    Tensor image = ModuleChecks.uniform(3, 2, 5, 5, 3);
    assertSameModule(
        new DepthwiseConv2D(3),
        DepthwiseConv2D.builder(3).build(),
        m -> ((DepthwiseConv2D) m).call(image));
    assertThatThrownBy(() -> DepthwiseConv2D.builder(3).padding(null).build())
        .hasMessageContaining("DepthwiseConv2D: padding must not be null");
  }

  @Test
  void separableConv_builderAtDefaults_isTheShortConstructor() {
    Tensor seq = ModuleChecks.uniform(4, 2, 6, 3);
    Tensor image = ModuleChecks.uniform(5, 2, 5, 5, 3);
    assertSameModule(
        new SeparableConv1D(4, 2, 3),
        SeparableConv1D.builder(4, 2, 3).build(),
        m -> ((SeparableConv1D) m).call(seq));
    assertSameModule(
        new SeparableConv2D(4, 2, 3),
        SeparableConv2D.builder(4, 2, 3).build(),
        m -> ((SeparableConv2D) m).call(image));
    assertThatThrownBy(() -> SeparableConv2D.builder(4, 2, 3).dataFormat(null).build())
        .hasMessageContaining("SeparableConv2D: dataFormat must not be null");
  }

  @Test
  void groupNorm_builderAtDefaults_isTheShortConstructor() {
    Tensor image = ModuleChecks.uniform(6, 2, 3, 3, 4);
    assertSameModule(
        new GroupNorm(2), GroupNorm.builder(2).build(), m -> ((GroupNorm) m).call(image));
    assertThat(GroupNorm.builder(2).createScale(false).eps(1e-3).build().toString())
        .contains("groups=2", "createScale=false", "eps=0.001")
        .doesNotContain("axis");
    assertThatThrownBy(
            () -> GroupNorm.builder(2).createOffset(false).offsetInit(Initializers.zeros()).build())
        .hasMessageContaining("GroupNorm: when createOffset is false, offsetInit must be null");
  }

  @Test
  void dropout_builderAtDefaults_isTheShortConstructor() {
    Tensor x = ModuleChecks.uniform(7, 4, 3);
    assertSameModule(
        new Dropout(0.5, 3), Dropout.builder(0.5, 3).build(), m -> ((Dropout) m).call(x, true));
    assertThat(new Dropout(0.5, 3).call(x, true).toDoubleArray())
        .containsExactly(Dropout.builder(0.5, 3).build().call(x, true).toDoubleArray());
    assertThat(Dropout.builder(0.5, 3).noiseShape(4, 1).build().toString())
        .contains("noiseShape=[4, 1]");
  }

  @Test
  void batchNorm_builderAtDefaults_isTheShortConstructor() {
    Tensor image = ModuleChecks.uniform(8, 2, 3, 3, 4);
    assertSameModule(
        new BatchNorm(true, false),
        BatchNorm.builder(true, false).build(),
        m -> ((BatchNorm) m).call(image, true));
    assertThat(BatchNorm.builder(true, true).decayRate(0.9).build().toString())
        .contains("decayRate=0.9")
        .doesNotContain("eps", "dataFormat");
    assertThatThrownBy(() -> BatchNorm.builder(true, true).dataFormat(null).build())
        .hasMessageContaining("BatchNorm: dataFormat must not be null");
  }

  @Test
  void movingAverage_builderAtDefaults_isTheShortConstructor() {
    Tensor x = ModuleChecks.uniform(9, 3);
    assertSameModule(
        new MovingAverage(0.9),
        MovingAverage.builder(0.9).build(),
        m -> {
          ((MovingAverage) m).update(x);
          return ((MovingAverage) m).value();
        });
    assertThat(MovingAverage.builder(0.9).name("ema").build().toString())
        .isEqualTo("MovingAverage(decay=0.9, name=\"ema\")");
  }
}

package dev.sonnet.conformance.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.nn.Embed;
import dev.sonnet.nn.EmbedBuilder;
import dev.sonnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class EmbedTest {

  @Test
  void call_looksUpRowsForIdsOfAnyShape() {
    Tensor table = ModuleChecks.range(0, 1, 5, 3);
    var embed = new Embed(table);
    Tensor y = embed.call(Tensor.of(new int[] {4, 0, 2, 2}, 2, 2));
    assertThat(y.shape().dims()).containsExactly(2, 2, 3);
    assertThat(y.toDoubleArray()).containsExactly(12, 13, 14, 0, 1, 2, 6, 7, 8, 6, 7, 8);
  }

  @Test
  void defaultEmbedDim_isRoundedSixTimesFourthRootOfVocab() {
    assertThat(new Embed(10000).embeddingDim()).isEqualTo(60);
  }

  @Test
  void variables_areTheTable() {
    var embed = new Embed(7, 3);
    embed.call(Tensor.of(new int[] {1}, 1));
    assertThat(ModuleChecks.variableLines(embed)).containsExactly("embed/embeddings -> f32[7,3]");
  }

  @Test
  void gradients_scatterIntoTheUsedRows() {
    var embed = new Embed(ModuleChecks.uniform(1, 4, 2));
    Tensor ids = Tensor.of(new int[] {1, 3, 1}, 3);
    ModuleChecks.checkVariableGradients(embed, () -> embed.call(ids));
  }

  @Test
  void constructor_existingVocabWithVocabSize_throwsStatingTheRule() {
    assertThatThrownBy(
            () ->
                Embed.builder(Tensor.zeros(dev.sonnet.tensor.DType.FLOAT32, 3, 2))
                    .vocabSize(3)
                    .build())
        .hasMessageContaining(
            "when existingVocab is given, vocabSize, embedDim and initializer" + " must be null");
    assertThatThrownBy(() -> new EmbedBuilder().initializer(Initializers.ones()).build())
        .hasMessageContaining("vocabSize must be >= 1");
  }

  @Test
  void call_withFloatIds_teachesTheCast() {
    assertThatThrownBy(() -> new Embed(3, 2).call(ModuleChecks.range(0, 1, 2)))
        .hasMessageContaining("cast them");
  }
}

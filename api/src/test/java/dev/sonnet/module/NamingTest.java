package dev.sonnet.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NamingTest {
  @ParameterizedTest
  @CsvSource({
    "MyLinear, my_linear",
    "Linear, linear",
    "MLP, mlp",
    "MyMLP, my_mlp",
    "MLPHead, mlp_head",
    "Conv2D, conv2d",
    "Conv2DTranspose, conv2d_transpose",
    "Cifar10ConvNet, cifar10_conv_net",
    "ResNet50, res_net50",
    "LSTM, lstm",
    "VanillaRNN, vanilla_rnn",
    "NaiveAutoEncoder, naive_auto_encoder",
  })
  void snakeCase_followsTheDocumentedRule(String className, String expected) {
    assertThat(Naming.snakeCase(className)).isEqualTo(expected);
  }

  @Test
  void snakeCase_ofAnAnonymousClass_isModule() {
    assertThat(Naming.snakeCase("")).isEqualTo("module");
  }

  @Test
  void checkName_rejectsNamesThatCannotBePathComponents() {
    assertThatThrownBy(() -> Naming.checkName("my layer", "Module name"))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("\"my layer\" is not a valid name")
        .hasMessageContaining("parent/my_layer/w");
  }

  @Test
  void nameTable_numbersRepeatedNames_skippingTakenOnes() {
    var table = new Naming.NameTable();

    assertThat(table.claim("linear")).isEqualTo("linear");
    assertThat(table.claim("linear_1")).isEqualTo("linear_1");
    assertThat(table.claim("linear")).isEqualTo("linear_2");
  }
}

package dev.sonnet.module;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReprTest {
  private enum Mode {
    SAME
  }

  @Test
  void shortCalls_stayOnOneLine_withJavaStyleValues() {
    String repr =
        Repr.of("Conv")
            .arg("size", 3)
            .arg("rate", 0.5)
            .arg("bias", false)
            .arg("padding", Mode.SAME)
            .arg("name", "c\"1")
            .arg("kernel", new int[] {3, 3})
            .toString();

    assertThat(repr)
        .isEqualTo(
            "Conv(size=3, rate=0.5, bias=false, padding=SAME, name=\"c\\\"1\", kernel=[3, 3])");
  }

  @Test
  void functions_printTheirNameOrFunction() {
    Layer lambda = x -> x;

    assertThat(Repr.of("F").positional(Layers.relu()).positional(lambda).toString())
        .isEqualTo("F(relu, <function>)");
  }

  @Test
  void longCalls_putEachArgumentOnItsOwnLine() {
    String repr =
        Repr.of("Wide")
            .arg("aVeryLongArgumentName", "a very long value indeed")
            .arg("anotherLongArgumentName", "another long value")
            .toString();

    assertThat(repr)
        .isEqualTo(
            """
        Wide(
          aVeryLongArgumentName="a very long value indeed",
          anotherLongArgumentName="another long value"
        )""");
  }

  @Test
  void listsOfModules_nestTheirChildrenTwoSpacesIn() {
    Module a = new TestModules.Leaf("a");
    String repr = Repr.of("Outer").arg("layers", List.of(a, Layers.tanh())).toString();

    assertThat(repr)
        .isEqualTo(
            """
        Outer(
          layers=[
            Leaf(name="a"),
            tanh
          ]
        )""");
  }
}

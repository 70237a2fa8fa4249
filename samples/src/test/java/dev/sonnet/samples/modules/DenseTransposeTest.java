package dev.sonnet.samples.modules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.module.Deferred;
import dev.sonnet.module.Module;
import dev.sonnet.module.NotBuiltException;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import org.junit.jupiter.api.Test;

/** Sonnet 1's Transposable, through the generated transpose of {@link Dense}. */
class DenseTransposeTest {
  private static final Tensor X = Tensor.ones(DType.FLOAT32, 4, 7);

  @Test
  void transpose_madeBeforeTheOriginalIsCalled_mapsBackToTheInputSize() {
    var encoder = new Dense(3);
    Deferred<Dense> decoder = encoder.transpose();

    Tensor back = decoder.call(encoder.call(X));

    assertThat(back.shape()).isEqualTo(X.shape());
    assertThat(decoder.variables())
        .extracting(Variable::name)
        .containsExactly("dense_transpose/b", "dense_transpose/w");
    assertThat(decoder.variables())
        .extracting(Variable::shape)
        .containsExactly(Shape.of(7), Shape.of(3, 7));
  }

  @Test
  void transpose_hasItsOwnVariables() {
    var encoder = new Dense(3);
    Deferred<Dense> decoder = encoder.transpose();
    decoder.call(encoder.call(X));

    assertThat(decoder.variables()).doesNotContainAnyElementsOf(encoder.variables());
  }

  @Test
  void transposeTwice_givesTheOriginalsSpecification_unbuilt() {
    var encoder = new Dense(3, "enc");
    Module twice = encoder.transpose().transpose();

    assertThat(twice).isInstanceOf(Dense.class).hasToString(encoder.toString());
    assertThat(twice.toString()).isEqualTo("Dense(outputSize=3, name=\"enc\")");
    assertThat(twice.isBuilt()).isFalse();
  }

  @Test
  void transpose_calledBeforeTheOriginal_saysToCallTheOriginalFirst() {
    Deferred<Dense> decoder = new Dense(3).transpose();

    assertThatThrownBy(() -> decoder.call(Tensor.ones(DType.FLOAT32, 4, 3)))
        .isInstanceOf(NotBuiltException.class)
        .hasMessageContaining("Call the module (dense.call(x)) before using its transpose");
  }

  @Test
  void transposeRepr_namesTheOriginal() {
    assertThat(new Dense(3).transpose())
        .hasToString(
            """
        Transpose(
          Dense(outputSize=3)
        )""");
  }
}

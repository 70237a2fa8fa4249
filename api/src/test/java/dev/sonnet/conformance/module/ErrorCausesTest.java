package dev.sonnet.conformance.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Module;
import dev.sonnet.module.ModuleException;
import dev.sonnet.module.NotBuiltException;
import dev.sonnet.module.Param;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.nn.Linear;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.DTypeException;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import org.junit.jupiter.api.Test;

/** Mistakes a new user makes, each reported with its real cause rather than a symptom. */
class ErrorCausesTest {

  /** A module whose call forgets build(x): its variables are still null when it uses them. */
  public static final class ForgetfulLinear extends Module implements Layer {
    @Param Variable w;

    @Build
    void initialize(Tensor x) {
      w = variable("w", Initializers.ones(), x.dtype(), x.dim(-1), 2);
    }

    @Override
    public Tensor call(Tensor x) {
      return x.matmul(w); // build(x) forgotten
    }
  }

  /** The same mistake with a bias added first. */
  public static final class ForgetfulBias extends Module implements Layer {
    @Param Variable b;

    @Build
    void initialize(Tensor x) {
      b = variable("b", Initializers.zeros(), x.dtype(), x.dim(-1));
    }

    @Override
    public Tensor call(Tensor x) {
      return x.add(b);
    }
  }

  @Test
  void buildOfAModuleCompiledWithoutTheProcessor_saysSoAndNamesTheFix() {
    // Anonymous classes get no generated meta, as a class compiled without the processor.
    var unprocessed =
        new Module("unprocessed") {
          void callIt(Tensor x) {
            build(x);
          }
        };

    assertThatThrownBy(() -> unprocessed.callIt(Tensor.ones(DType.FLOAT32, 2, 3)))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("cannot be built")
        .hasMessageContaining("compiled without the Sonnet annotation processor")
        .hasMessageContaining("annotationProcessorPaths")
        .hasMessageNotContaining("has no @Build method");
  }

  @Test
  void callWithoutBuild_isAModuleNotBuiltErrorNamingTheModule() {
    var m = new ForgetfulLinear();

    assertThatThrownBy(() -> m.call(Tensor.ones(DType.FLOAT32, 2, 3)))
        .isInstanceOf(NotBuiltException.class)
        .hasMessageContaining("matmul: argument 2 is null")
        .hasMessageContaining("ForgetfulLinear.call (ErrorCausesTest.java:")
        .hasMessageContaining("Module not built")
        .hasMessageContaining("Call build(x) at the start of call(x)");
  }

  @Test
  void callWithoutBuild_inAnElementwiseOp_isAModuleNotBuiltErrorToo() {
    var m = new ForgetfulBias();

    assertThatThrownBy(() -> m.call(Tensor.ones(DType.FLOAT32, 2, 3)))
        .isInstanceOf(NotBuiltException.class)
        .hasMessageContaining("add: argument 2 is null")
        .hasMessageContaining("ForgetfulBias.call");
  }

  @Test
  void nullOperandOutsideAModule_namesTheOperationAndArgument() {
    Tensor x = Tensor.ones(DType.FLOAT32, 2, 3);

    assertThatThrownBy(() -> x.matmul(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("matmul: argument 2 is null");
  }

  @Test
  void linearGivenAnInputWithoutFeatures_saysSo() {
    var linear = new Linear(3);

    assertThatThrownBy(() -> linear.call(Tensor.zeros(DType.FLOAT32, 4, 0)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("Linear 'linear': input [4, 0] has no features")
        .hasMessageNotContaining("stddev");
    assertThat(linear.isBuilt()).isFalse();
  }

  @Test
  void convGivenAnInputWithoutChannels_saysSo() {
    var conv = new Conv2D(4, 3);

    assertThatThrownBy(() -> conv.call(Tensor.zeros(DType.FLOAT32, 1, 5, 5, 0)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("input [1, 5, 5, 0] has no channels");
  }

  @Test
  void integerInputToAFloatLayer_isADtypeErrorThatCastsTheInputNotTheWeights() {
    var linear = new Linear(3);
    linear.call(Tensor.ones(DType.FLOAT32, 2, 4));
    Tensor pixels = Tensor.of(new int[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 4);

    assertThatThrownBy(() -> linear.call(pixels))
        .isInstanceOf(DTypeException.class)
        .isNotInstanceOf(ShapeException.class)
        .hasMessageContaining("matmul: dtypes")
        .hasMessageContaining(".cast(DType.FLOAT32)")
        .hasMessageNotContaining("cast(DType.INT32");
    // Operand order does not change the advice.
    Tensor w = linear.w().peek();
    assertThatThrownBy(() -> w.add(Tensor.of(new int[] {1, 2, 3}, 3)))
        .isInstanceOf(DTypeException.class)
        .hasMessageContaining("Cast the i32[3] operand to floating point first")
        .hasMessageNotContaining("cast(DType.INT32");
  }

  @Test
  void twoFloatingDtypes_offerBothCasts() {
    Tensor a = Tensor.ones(DType.FLOAT32, 2);
    Tensor b = Tensor.ones(DType.FLOAT64, 2);

    assertThatThrownBy(() -> a.add(b))
        .isInstanceOf(DTypeException.class)
        .hasMessageContaining(".cast(DType.FLOAT32)")
        .hasMessageContaining(".cast(DType.FLOAT64)");
  }

  @Test
  void dtypeErrorsOfOpsAreNeverShapeExceptions() {
    Tensor ints = Tensor.of(new int[] {1, 2}, 2);
    Tensor floats = Tensor.ones(DType.FLOAT32, 2);

    assertThatThrownBy(ints::tanh).isExactlyInstanceOf(DTypeException.class);
    assertThatThrownBy(() -> floats.gather(floats, 0)).isExactlyInstanceOf(DTypeException.class);
    assertThatThrownBy(() -> floats.matmul(Tensor.ones(DType.FLOAT64, 2)))
        .isExactlyInstanceOf(DTypeException.class);
    // A shape error stays a ShapeException.
    assertThatThrownBy(() -> floats.add(Tensor.ones(DType.FLOAT32, 3)))
        .isExactlyInstanceOf(ShapeException.class);
  }
}

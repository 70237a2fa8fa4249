package dev.sonnet.conformance;

import static dev.sonnet.conformance.OpAssertions.assertValues;
import static dev.sonnet.conformance.OpAssertions.assertValuesWithin;
import static dev.sonnet.conformance.OpAssertions.awayFromZero;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.autodiff.UnconnectedGradients;
import dev.sonnet.ops.Elementwise;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.DTypeException;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Elementwise unary and binary operations: values, broadcasting, dtypes, errors, gradients. */
class ElementwiseConformanceTest {
  private static final double[] XS = {-1.5, -0.3, 0.2, 0.7, 2.0};
  private static final double[] POSITIVE = {0.25, 0.5, 1.0, 2.0, 9.0};

  // ---- unary -------------------------------------------------------------------------------

  static Stream<Arguments> unaryFunctions() {
    return Stream.of(
        Arguments.of(
            "neg", (Function<Tensor, Tensor>) Tensor::neg, (DoubleUnaryOperator) x -> -x, XS),
        Arguments.of(
            "abs", (Function<Tensor, Tensor>) Tensor::abs, (DoubleUnaryOperator) Math::abs, XS),
        Arguments.of(
            "exp", (Function<Tensor, Tensor>) Tensor::exp, (DoubleUnaryOperator) Math::exp, XS),
        Arguments.of(
            "log",
            (Function<Tensor, Tensor>) Tensor::log,
            (DoubleUnaryOperator) Math::log,
            POSITIVE),
        Arguments.of(
            "log1p",
            (Function<Tensor, Tensor>) Tensor::log1p,
            (DoubleUnaryOperator) Math::log1p,
            POSITIVE),
        Arguments.of(
            "sqrt",
            (Function<Tensor, Tensor>) Tensor::sqrt,
            (DoubleUnaryOperator) Math::sqrt,
            POSITIVE),
        Arguments.of(
            "rsqrt",
            (Function<Tensor, Tensor>) Tensor::rsqrt,
            (DoubleUnaryOperator) x -> 1 / Math.sqrt(x),
            POSITIVE),
        Arguments.of(
            "square",
            (Function<Tensor, Tensor>) Tensor::square,
            (DoubleUnaryOperator) x -> x * x,
            XS),
        Arguments.of(
            "tanh", (Function<Tensor, Tensor>) Tensor::tanh, (DoubleUnaryOperator) Math::tanh, XS),
        Arguments.of(
            "sigmoid",
            (Function<Tensor, Tensor>) Tensor::sigmoid,
            (DoubleUnaryOperator) x -> 1 / (1 + Math.exp(-x)),
            XS),
        Arguments.of(
            "relu",
            (Function<Tensor, Tensor>) Tensor::relu,
            (DoubleUnaryOperator) x -> Math.max(x, 0),
            XS),
        Arguments.of(
            "softplus",
            (Function<Tensor, Tensor>) Tensor::softplus,
            (DoubleUnaryOperator) x -> Math.log1p(Math.exp(x)),
            XS),
        Arguments.of(
            "sign",
            (Function<Tensor, Tensor>) Tensor::sign,
            (DoubleUnaryOperator) Math::signum,
            XS),
        Arguments.of(
            "sin", (Function<Tensor, Tensor>) Tensor::sin, (DoubleUnaryOperator) Math::sin, XS),
        Arguments.of(
            "cos", (Function<Tensor, Tensor>) Tensor::cos, (DoubleUnaryOperator) Math::cos, XS),
        Arguments.of(
            "reciprocal",
            (Function<Tensor, Tensor>) Tensor::reciprocal,
            (DoubleUnaryOperator) x -> 1 / x,
            XS));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unaryFunctions")
  void unary_matchesJavaMath(
      String name, Function<Tensor, Tensor> op, DoubleUnaryOperator ref, double[] xs) {
    double[] expected = new double[xs.length];
    for (int i = 0; i < xs.length; i++) {
      expected[i] = ref.applyAsDouble(xs[i]);
    }
    assertValues(op.apply(Tensor.of(xs, xs.length)), Shape.of(xs.length), expected);
  }

  @Test
  void gelu_isExact_xTimesNormalCdf() {
    // Phi(-0.5) = 0.3085375387259869, Phi(1) = 0.8413447460685429, Phi(2) = 0.9772498680518208.
    Tensor x = Tensor.of(new double[] {-0.5, 0, 1, 2}, 4);
    assertValuesWithin(
        x.gelu(),
        Shape.of(4),
        1e-9,
        -0.5 * 0.3085375387259869,
        0,
        0.8413447460685429,
        2 * 0.9772498680518208);
    assertValuesWithin(
        Elementwise.normalCdf(x),
        Shape.of(4),
        1e-9,
        0.3085375387259869,
        0.5,
        0.8413447460685429,
        0.9772498680518208);
  }

  @Test
  void unary_keepsShape_andWorksOnEmptyAndScalar() {
    assertThat(Tensor.zeros(DType.FLOAT64, 0, 3).exp().shape()).isEqualTo(Shape.of(0, 3));
    assertThat(Tensor.scalar(0.0).exp().item()).isEqualTo(1.0);
    assertThat(Tensor.zeros(DType.FLOAT32, 2, 1, 3).tanh().shape()).isEqualTo(Shape.of(2, 1, 3));
  }

  @Test
  void integerUnary_negAbsSignSquare() {
    Tensor x = Tensor.of(new int[] {-3, 0, 4}, 3);
    assertThat(x.neg().toIntArray()).containsExactly(3, 0, -4);
    assertThat(x.abs().toIntArray()).containsExactly(3, 0, 4);
    assertThat(x.sign().toIntArray()).containsExactly(-1, 0, 1);
    assertThat(x.square().dtype()).isEqualTo(DType.INT32);
    assertThat(x.square().toIntArray()).containsExactly(9, 0, 16);
  }

  @Test
  void floatOnlyUnary_onIntegers_explainsCast() {
    assertThatThrownBy(() -> Tensor.of(new int[] {1}, 1).exp())
        .isInstanceOf(DTypeException.class)
        .hasMessageContaining("exp")
        .hasMessageContaining("i32")
        .hasMessageContaining("cast");
  }

  @Test
  void logicalNot_flipsBools_andRejectsNumbers() {
    Tensor b = Tensor.of(new boolean[] {true, false}, 2);
    assertThat(Elementwise.logicalNot(b).toBooleanArray()).containsExactly(false, true);
    assertThatThrownBy(() -> Elementwise.logicalNot(Tensor.of(new double[] {1}, 1)))
        .hasMessageContaining("logical_not")
        .hasMessageContaining("bool");
  }

  static Stream<Arguments> unaryGradients() {
    return Stream.of(
        Arguments.of("neg", (Function<Tensor, Tensor>) Tensor::neg, -2.0, 2.0),
        Arguments.of("exp", (Function<Tensor, Tensor>) Tensor::exp, -2.0, 2.0),
        Arguments.of("log", (Function<Tensor, Tensor>) Tensor::log, 0.3, 3.0),
        Arguments.of("log1p", (Function<Tensor, Tensor>) Tensor::log1p, -0.5, 3.0),
        Arguments.of("sqrt", (Function<Tensor, Tensor>) Tensor::sqrt, 0.3, 3.0),
        Arguments.of("rsqrt", (Function<Tensor, Tensor>) Tensor::rsqrt, 0.3, 3.0),
        Arguments.of("square", (Function<Tensor, Tensor>) Tensor::square, -2.0, 2.0),
        Arguments.of("tanh", (Function<Tensor, Tensor>) Tensor::tanh, -2.0, 2.0),
        Arguments.of("sigmoid", (Function<Tensor, Tensor>) Tensor::sigmoid, -3.0, 3.0),
        Arguments.of("gelu", (Function<Tensor, Tensor>) Tensor::gelu, -3.0, 3.0),
        Arguments.of("normalCdf", (Function<Tensor, Tensor>) Elementwise::normalCdf, -3.0, 3.0),
        Arguments.of("softplus", (Function<Tensor, Tensor>) Tensor::softplus, -3.0, 3.0),
        Arguments.of("sin", (Function<Tensor, Tensor>) Tensor::sin, -3.0, 3.0),
        Arguments.of("cos", (Function<Tensor, Tensor>) Tensor::cos, -3.0, 3.0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unaryGradients")
  void unary_gradientMatchesFiniteDifferences(
      String name, Function<Tensor, Tensor> op, double low, double high) {
    GradientCheck.check(in -> op.apply(in[0]), GradientCheck.uniform(7, low, high, 3, 17));
    GradientCheck.check(in -> op.apply(in[0]), GradientCheck.uniform(8, low, high, 1, 33, 1));
  }

  static Stream<Arguments> kinkedGradients() {
    return Stream.of(
        Arguments.of("abs", (Function<Tensor, Tensor>) Tensor::abs),
        Arguments.of("relu", (Function<Tensor, Tensor>) Tensor::relu),
        Arguments.of("sign", (Function<Tensor, Tensor>) Tensor::sign),
        Arguments.of("reciprocal", (Function<Tensor, Tensor>) Tensor::reciprocal));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinkedGradients")
  void kinkedUnary_gradientMatchesFiniteDifferences_awayFromZero(
      String name, Function<Tensor, Tensor> op) {
    GradientCheck.check(in -> op.apply(in[0]), awayFromZero(9, 2, 17));
  }

  @Test
  void tanh_isTwiceDifferentiable() {
    // d2/dx2 tanh(x) = -2 tanh(x) (1 - tanh(x)^2)
    double x0 = 0.6;
    Tensor x = Tensor.of(new double[] {x0}, 1);
    try (GradientTape outer = GradientTape.open()) {
      outer.watch(x);
      Tensor dy;
      try (GradientTape inner = GradientTape.open()) {
        inner.watch(x);
        dy = inner.gradient(x.tanh().sum(), x);
      }
      double t = Math.tanh(x0);
      assertThat(outer.gradient(dy.sum(), x).item())
          .isCloseTo(-2 * t * (1 - t * t), Offset.offset(1e-12));
    }
  }

  // ---- binary ------------------------------------------------------------------------------

  @Test
  void arithmetic_valuesByHand() {
    Tensor a = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
    Tensor b = Tensor.of(new double[] {2, 4, 0.5, -1}, 2, 2);
    assertValues(a.add(b), Shape.of(2, 2), 3, 6, 3.5, 3);
    assertValues(a.sub(b), Shape.of(2, 2), -1, -2, 2.5, 5);
    assertValues(a.mul(b), Shape.of(2, 2), 2, 8, 1.5, -4);
    assertValues(a.div(b), Shape.of(2, 2), 0.5, 0.5, 6, -4);
    assertValues(a.pow(b), Shape.of(2, 2), 1, 16, Math.sqrt(3), 0.25);
    assertValues(a.maximum(b), Shape.of(2, 2), 2, 4, 3, 4);
    assertValues(a.minimum(b), Shape.of(2, 2), 1, 2, 0.5, -1);
  }

  @Test
  void binary_broadcastsNumpyStyle() {
    Tensor a = Tensor.of(new double[] {0, 10, 20, 30}, 4, 1, 1); // [4, 1, 1]
    Tensor b = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3); // [2, 3]
    Tensor c = a.add(b);
    assertThat(c.shape()).isEqualTo(Shape.of(4, 2, 3));
    double[] v = c.toDoubleArray();
    assertThat(v[0]).isEqualTo(1);
    assertThat(v[5]).isEqualTo(6);
    assertThat(v[6]).isEqualTo(11);
    assertThat(v[23]).isEqualTo(36);
    // A scalar broadcasts against anything; a Java scalar takes the tensor's dtype.
    assertValues(b.mul(2.0), Shape.of(2, 3), 2, 4, 6, 8, 10, 12);
    Tensor f = Tensor.of(new float[] {1, 2}, 2);
    assertThat(f.add(1.0).dtype()).isEqualTo(DType.FLOAT32);
    // Size-1 against size-1 and column against row.
    Tensor col = Tensor.of(new double[] {1, 2, 3}, 3, 1);
    Tensor row = Tensor.of(new double[] {10, 20}, 1, 2);
    assertValues(col.mul(row), Shape.of(3, 2), 10, 20, 20, 40, 30, 60);
  }

  @Test
  void binary_incompatibleShapes_namesOpAndBothShapes() {
    Tensor a = Tensor.zeros(DType.FLOAT64, 2, 3);
    Tensor b = Tensor.zeros(DType.FLOAT64, 4);
    assertThatThrownBy(() -> a.add(b))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("add: shapes [2, 3] and [4] cannot be broadcast");
    assertThatThrownBy(() -> a.mul(Tensor.zeros(DType.FLOAT64, 3, 3)))
        .hasMessageContaining("mul")
        .hasMessageContaining("[2, 3]")
        .hasMessageContaining("[3, 3]");
  }

  @Test
  void binary_differentDtypes_namesOpAndBothDtypes() {
    Tensor a = Tensor.zeros(DType.FLOAT32, 2);
    Tensor b = Tensor.zeros(DType.FLOAT64, 2);
    assertThatThrownBy(() -> a.sub(b))
        .isInstanceOf(DTypeException.class)
        .hasMessageContaining("sub")
        .hasMessageContaining("f32")
        .hasMessageContaining("f64")
        .hasMessageContaining("cast");
  }

  @Test
  void binary_emptyOperands_giveEmptyResult() {
    Tensor a = Tensor.zeros(DType.FLOAT64, 0, 3);
    Tensor b = Tensor.ones(DType.FLOAT64, 3);
    assertThat(a.add(b).shape()).isEqualTo(Shape.of(0, 3));
    assertThat(a.less(b).shape()).isEqualTo(Shape.of(0, 3));
    assertThat(Tensor.zeros(DType.FLOAT64, 2, 0).mul(Tensor.ones(DType.FLOAT64, 1, 1)).shape())
        .isEqualTo(Shape.of(2, 0));
  }

  @Test
  void integerArithmetic_truncatingDivision() {
    Tensor a = Tensor.of(new int[] {7, -7, 9}, 3);
    Tensor b = Tensor.of(new int[] {2, 2, -4}, 3);
    assertThat(a.div(b).toIntArray()).containsExactly(3, -3, -2);
    assertThat(a.add(b).toIntArray()).containsExactly(9, -5, 5);
    assertThat(a.maximum(b).toIntArray()).containsExactly(7, 2, 9);
    Tensor l = Tensor.of(new long[] {5, 6}, 2);
    assertThat(l.mul(l).toLongArray()).containsExactly(25, 36);
  }

  @Test
  void pow_onIntegers_isRejected() {
    Tensor a = Tensor.of(new int[] {2}, 1);
    assertThatThrownBy(() -> a.pow(a)).hasMessageContaining("pow").hasMessageContaining("i32");
  }

  @Test
  void comparisons_returnBool_withBroadcasting() {
    Tensor a = Tensor.of(new double[] {1, 2, 3}, 3);
    Tensor two = Tensor.scalar(2.0);
    assertThat(a.equal(two).dtype()).isEqualTo(DType.BOOL);
    assertThat(a.equal(two).toBooleanArray()).containsExactly(false, true, false);
    assertThat(a.notEqual(two).toBooleanArray()).containsExactly(true, false, true);
    assertThat(a.less(two).toBooleanArray()).containsExactly(true, false, false);
    assertThat(a.lessEqual(two).toBooleanArray()).containsExactly(true, true, false);
    assertThat(a.greater(two).toBooleanArray()).containsExactly(false, false, true);
    assertThat(a.greaterEqual(two).toBooleanArray()).containsExactly(false, true, true);
    Tensor ints = Tensor.of(new int[] {1, 5}, 2, 1);
    Tensor row = Tensor.of(new int[] {2, 5, 7}, 3);
    assertThat(ints.less(row).shape()).isEqualTo(Shape.of(2, 3));
    assertThat(ints.less(row).toBooleanArray())
        .containsExactly(true, true, true, false, false, true);
  }

  @Test
  void logicalAndOr_onBools_andRejectNumbers() {
    Tensor p = Tensor.of(new boolean[] {true, true, false, false}, 4);
    Tensor q = Tensor.of(new boolean[] {true, false, true, false}, 4);
    assertThat(Elementwise.logicalAnd(p, q).toBooleanArray())
        .containsExactly(true, false, false, false);
    assertThat(Elementwise.logicalOr(p, q).toBooleanArray())
        .containsExactly(true, true, true, false);
    Tensor d = Tensor.of(new double[] {1}, 1);
    assertThatThrownBy(() -> Elementwise.logicalAnd(d, d))
        .hasMessageContaining("logical_and")
        .hasMessageContaining("bool");
  }

  @Test
  void comparisons_haveNoGradient() {
    Tensor x = Tensor.of(new double[] {1, 2}, 2);
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(x);
      Tensor y = x.mul(x.greater(Tensor.scalar(1.5)).cast(DType.FLOAT64)).sum();
      assertThat(tape.gradient(y, x).toDoubleArray()).containsExactly(0, 1);
    }
  }

  static Stream<Arguments> binaryGradients() {
    return Stream.of(
        Arguments.of("add", (Function<Tensor[], Tensor>) in -> in[0].add(in[1]), -2.0, 2.0),
        Arguments.of("sub", (Function<Tensor[], Tensor>) in -> in[0].sub(in[1]), -2.0, 2.0),
        Arguments.of("mul", (Function<Tensor[], Tensor>) in -> in[0].mul(in[1]), -2.0, 2.0),
        Arguments.of("div", (Function<Tensor[], Tensor>) in -> in[0].div(in[1]), 0.5, 2.0),
        Arguments.of("pow", (Function<Tensor[], Tensor>) in -> in[0].pow(in[1]), 0.5, 2.0),
        Arguments.of("maximum", (Function<Tensor[], Tensor>) in -> in[0].maximum(in[1]), -2.0, 2.0),
        Arguments.of(
            "minimum", (Function<Tensor[], Tensor>) in -> in[0].minimum(in[1]), -2.0, 2.0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("binaryGradients")
  void binary_gradientMatchesFiniteDifferences_sameShape(
      String name, Function<Tensor[], Tensor> f, double low, double high) {
    GradientCheck.check(
        f,
        GradientCheck.uniform(11, low, high, 3, 17),
        GradientCheck.uniform(12, low, high, 3, 17));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("binaryGradients")
  void binary_gradientMatchesFiniteDifferences_broadcasting(
      String name, Function<Tensor[], Tensor> f, double low, double high) {
    // [3, 1, 5] with [4, 1] -> [3, 4, 5]; and a scalar against a matrix.
    GradientCheck.check(
        f,
        GradientCheck.uniform(13, low, high, 3, 1, 5),
        GradientCheck.uniform(14, low, high, 4, 1));
    GradientCheck.check(
        f, GradientCheck.uniform(15, low, high), GradientCheck.uniform(16, low, high, 2, 33));
  }

  @Test
  void maximumAndMinimum_onTies_sendGradientToFirstOperand() {
    Tensor a = Tensor.of(new double[] {1, 2, 3}, 3);
    Tensor b = Tensor.of(new double[] {1, 5, 3}, 3);
    try (GradientTape tape = GradientTape.openPersistent()) {
      tape.watch(a, b);
      Tensor mx = a.maximum(b).sum();
      Tensor mn = a.minimum(b).sum();
      List<Tensor> gMax = tape.gradient(mx, List.of(a, b));
      assertThat(gMax.get(0).toDoubleArray()).containsExactly(1, 0, 1);
      assertThat(gMax.get(1).toDoubleArray()).containsExactly(0, 1, 0);
      List<Tensor> gMin = tape.gradient(mn, List.of(a, b));
      assertThat(gMin.get(0).toDoubleArray()).containsExactly(1, 1, 1);
      assertThat(gMin.get(1).toDoubleArray()).containsExactly(0, 0, 0);
    }
  }

  // ---- where, clip, cast -------------------------------------------------------------------

  @Test
  void where_selectsAndBroadcasts() {
    Tensor cond = Tensor.of(new boolean[] {true, false, true}, 3);
    Tensor a = Tensor.of(new double[] {1, 2}, 2, 1);
    Tensor b = Tensor.scalar(-1.0);
    assertValues(Elementwise.where(cond, a, b), Shape.of(2, 3), 1, -1, 1, 2, -1, 2);
    assertThatThrownBy(() -> Elementwise.where(a, a, b))
        .hasMessageContaining("where")
        .hasMessageContaining("bool");
    assertThatThrownBy(() -> Elementwise.where(cond, Tensor.zeros(DType.FLOAT64, 2), b))
        .hasMessageContaining("where")
        .hasMessageContaining("[3]")
        .hasMessageContaining("[2]");
  }

  @Test
  void where_gradientFlowsToSelectedOperand() {
    Tensor cond = Tensor.of(new boolean[] {true, false, false, true, true}, 5);
    GradientCheck.check(
        in -> Elementwise.where(cond, in[0], in[1]),
        GradientCheck.uniform(21, -1, 1, 3, 5),
        GradientCheck.uniform(22, -1, 1, 3, 1));
    GradientCheck.check(
        in -> Elementwise.where(cond, in[0], in[1]),
        GradientCheck.uniform(23, -1, 1, 5),
        GradientCheck.uniform(24, -1, 1));
  }

  @Test
  void clip_limitsValues_gradientZeroOutside() {
    Tensor x = Tensor.of(new double[] {-3, -0.5, 0.25, 2}, 4);
    assertValues(x.clip(-1, 1), Shape.of(4), -1, -0.5, 0.25, 1);
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(x);
      assertThat(tape.gradient(x.clip(-1, 1).sum(), x).toDoubleArray()).containsExactly(0, 1, 1, 0);
    }
    GradientCheck.check(in -> in[0].clip(-1, 1), awayFromZero(25, 3, 7).mul(0.7));
    assertThatThrownBy(() -> x.clip(1, -1)).hasMessageContaining("clip");
  }

  @Test
  void cast_convertsValues_andTruncatesTowardZero() {
    Tensor x = Tensor.of(new double[] {-1.7, 0, 2.9}, 3);
    assertThat(x.cast(DType.INT32).toIntArray()).containsExactly(-1, 0, 2);
    assertThat(x.cast(DType.BOOL).toBooleanArray()).containsExactly(true, false, true);
    assertThat(x.cast(DType.FLOAT32).toFloatArray()).containsExactly(-1.7f, 0f, 2.9f);
    assertThat(x.cast(DType.FLOAT64)).isSameAs(x);
  }

  @Test
  void cast_gradientFlowsBetweenFloats_notThroughIntegers() {
    Tensor x = Tensor.of(new double[] {1.5, 2.5}, 2);
    try (GradientTape tape = GradientTape.openPersistent()) {
      tape.watch(x);
      Tensor viaFloat = x.cast(DType.FLOAT32).mul(3.0).cast(DType.FLOAT64).sum();
      Tensor g = tape.gradient(viaFloat, x);
      assertThat(g.dtype()).isEqualTo(DType.FLOAT64);
      assertThat(g.toDoubleArray()).containsExactly(3, 3);
      Tensor viaInt = x.cast(DType.INT32).cast(DType.FLOAT64).sum();
      assertThat(tape.gradient(viaInt, List.of(x), null, UnconnectedGradients.NONE).get(0))
          .isNull();
    }
    GradientCheck.check(
        in -> in[0].cast(DType.FLOAT32).cast(DType.FLOAT64).mul(0.0).add(in[0].mul(2.0)),
        GradientCheck.uniform(26, -1, 1, 4));
  }

  // ---- float32 against float64 -------------------------------------------------------------

  @Test
  void float32Results_matchFloat64_withinSinglePrecision() {
    // Each f32 op below rounds its result once (plus the rounding of its inputs), so its relative
    // error is a few units of 2^-24 ~ 6e-8; 1e-6 relative leaves a safe margin, and a wrong
    // float32 kernel (wrong formula or branch) is off by far more.
    Tensor x64 = GradientCheck.uniform(31, -3, 3, 5, 33);
    Tensor y64 = GradientCheck.uniform(32, 0.5, 2, 5, 33);
    Tensor x32 = x64.cast(DType.FLOAT32);
    Tensor y32 = y64.cast(DType.FLOAT32);
    List<Function<Tensor[], Tensor>> ops =
        List.of(
            in -> in[0].tanh(),
            in -> in[0].sigmoid(),
            in -> in[0].exp(),
            in -> in[0].gelu(),
            in -> in[0].softplus(),
            in -> in[1].log(),
            in -> in[1].sqrt(),
            in -> in[1].rsqrt(),
            in -> in[0].div(in[1]),
            in -> in[1].pow(in[0]),
            in -> in[0].mul(in[1]).add(in[0]));
    for (int k = 0; k < ops.size(); k++) {
      double[] ref = ops.get(k).apply(new Tensor[] {x64, y64}).toDoubleArray();
      Tensor r32 = ops.get(k).apply(new Tensor[] {x32, y32});
      assertThat(r32.dtype()).isEqualTo(DType.FLOAT32);
      double[] got = r32.toDoubleArray();
      for (int i = 0; i < ref.length; i++) {
        assertThat(got[i])
            .as("op %d element %d", k, i)
            .isCloseTo(ref[i], Offset.offset(1e-6 * Math.max(1, Math.abs(ref[i]))));
      }
    }
  }
}

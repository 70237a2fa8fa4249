package dev.sonnet.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.checkpoint.Checkpoint;
import dev.sonnet.checkpoint.HostArray;
import dev.sonnet.checkpoint.SafeTensors;
import dev.sonnet.checkpoint.SafeTensorsFile;
import dev.sonnet.mixedprecision.MixedPrecision;
import dev.sonnet.module.Layer;
import dev.sonnet.nn.Linear;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.DTypeException;
import dev.sonnet.tensor.HalfFloats;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * bfloat16 and float16 on every backend: storage, conversion (round to nearest even), operations
 * computed in float32 and rounded once, gradients through the casts, checkpoints that keep the
 * dtype, and Sonnet 2's mixed-precision mode with its first-call rule.
 *
 * <p>References are computed here from the formats' definitions: {@link #nearest} finds the nearest
 * 16-bit value by comparing the two neighbours in double arithmetic (exact for floats),
 * independently of the bit trick the library uses.
 */
class ReducedPrecisionConformanceTest {
  @TempDir Path dir;

  @AfterEach
  void modeOff() {
    MixedPrecision.disable();
  }

  /** Values that stress rounding: ties both ways, tiny, huge, signed zero, NaN, infinities. */
  private static final float[] HARD = {
    0f,
    -0f,
    1f,
    -1f,
    1.00390625f /* bf16 tie: 1 + 2^-8 */,
    1.01171875f /* tie, odd below */,
    3.14159265f,
    -2.7182817f,
    65504f,
    65520f /* f16 overflow tie */,
    1e-8f,
    6e-8f,
    1e30f,
    -1e-40f,
    Float.MAX_VALUE,
    Float.MIN_VALUE,
    Float.NaN,
    Float.POSITIVE_INFINITY,
    Float.NEGATIVE_INFINITY,
    0.1f,
    1234.5678f
  };

  static float nearest(DType dtype, float v) {
    return ReducedPrecisionReference.nearest(dtype, v);
  }

  @ParameterizedTest
  @EnumSource(
      value = DType.class,
      names = {"BFLOAT16", "FLOAT16"})
  void castFromFloat32_roundsToNearestEven_andBackIsExact(DType dtype) {
    Tensor half = Tensor.of(HARD, HARD.length).cast(dtype);

    assertThat(half.dtype()).isEqualTo(dtype);
    float[] back = half.toFloatArray();
    for (int i = 0; i < HARD.length; i++) {
      float expected = nearest(dtype, HARD[i]);
      if (Float.isNaN(expected)) {
        assertThat(back[i]).as("element %d", i).isNaN();
      } else {
        // Bit-exact, signed zeros included.
        assertThat(Float.floatToIntBits(back[i]))
            .as("%s of %s", dtype, HARD[i])
            .isEqualTo(Float.floatToIntBits(expected));
      }
    }
    // The host conversions agree with the device's.
    short[] bits = half.toBits();
    for (int i = 0; i < HARD.length; i++) {
      assertThat(Float.floatToIntBits(HalfFloats.fromBits(dtype, bits[i])))
          .isEqualTo(Float.floatToIntBits(back[i]));
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = DType.class,
      names = {"BFLOAT16", "FLOAT16"})
  void castsBetweenEveryDtype_goThroughTheFloat32Value(DType dtype) {
    Tensor ints = Tensor.of(new int[] {-3, 0, 7, 300}, 4);
    assertThat(ints.cast(dtype).toFloatArray()).containsExactly(-3f, 0f, 7f, 300f);
    assertThat(ints.cast(dtype).cast(DType.INT32).toIntArray()).containsExactly(-3, 0, 7, 300);
    Tensor doubles = Tensor.of(new double[] {0.1, -2.5}, 2);
    assertThat(doubles.cast(dtype).toFloatArray()).containsExactly(nearest(dtype, 0.1f), -2.5f);
    assertThat(Tensor.of(new boolean[] {true, false}, 2).cast(dtype).toFloatArray())
        .containsExactly(1f, 0f);
    assertThat(Tensor.of(new float[] {0f, 2f}, 2).cast(dtype).cast(DType.BOOL).toBooleanArray())
        .containsExactly(false, true);
    DType other = dtype == DType.BFLOAT16 ? DType.FLOAT16 : DType.BFLOAT16;
    assertThat(Tensor.of(new float[] {1.5f, -4f}, 2).cast(dtype).cast(other).toFloatArray())
        .containsExactly(1.5f, -4f);
  }

  @Test
  void fillsAndBitsRoundTrip() {
    assertThat(Tensor.zeros(DType.BFLOAT16, 3).toFloatArray()).containsExactly(0f, 0f, 0f);
    assertThat(Tensor.full(DType.FLOAT16, 2.5, 2).toFloatArray()).containsExactly(2.5f, 2.5f);
    short[] bits = HalfFloats.toBits(DType.BFLOAT16, new float[] {1f, -0.5f});
    assertThat(Tensor.ofBits(DType.BFLOAT16, bits, 2).toBits()).containsExactly(bits);
    assertThatThrownBy(() -> Tensor.of(new float[] {1f}, 1).toBits())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not a 16-bit float tensor");
  }

  @ParameterizedTest
  @EnumSource(
      value = DType.class,
      names = {"BFLOAT16", "FLOAT16"})
  void elementwiseOps_areTheFloat32ResultRoundedOnce(DType dtype) {
    float[] a = {1.5f, -0.75f, 3.25f, 0.0078125f};
    float[] b = {0.1015625f, 2f, -3.25f, 100f};
    Tensor ha = Tensor.of(a, 4).cast(dtype);
    Tensor hb = Tensor.of(b, 4).cast(dtype);
    float[] wa = ha.toFloatArray();
    float[] wb = hb.toFloatArray();

    Tensor sum = ha.add(hb);
    Tensor product = ha.mul(hb);
    Tensor relu = ha.relu();

    assertThat(sum.dtype()).isEqualTo(dtype);
    float[] s = sum.toFloatArray();
    float[] p = product.toFloatArray();
    float[] r = relu.toFloatArray();
    for (int i = 0; i < 4; i++) {
      // float32 + and * are correctly rounded, so the reference is exact Java float arithmetic.
      assertThat(s[i]).isEqualTo(nearest(dtype, wa[i] + wb[i]));
      assertThat(p[i]).isEqualTo(nearest(dtype, wa[i] * wb[i]));
      assertThat(r[i]).isEqualTo(Math.max(wa[i], 0f));
    }
    // Comparisons keep their bool output.
    assertThat(ha.greater(hb).dtype()).isEqualTo(DType.BOOL);
    assertThat(ha.greater(hb).toBooleanArray()).containsExactly(true, false, true, false);
  }

  @ParameterizedTest
  @EnumSource(
      value = DType.class,
      names = {"BFLOAT16", "FLOAT16"})
  void matmul_isWithinOne16BitStepOfTheExactProduct(DType dtype) {
    int m = 5;
    int k = 33;
    int n = 7;
    float[] a = new float[m * k];
    float[] b = new float[k * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = ((i * 37) % 19 - 9) / 8f;
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = ((i * 53) % 23 - 11) / 16f;
    }
    Tensor ha = Tensor.of(a, m, k).cast(dtype);
    Tensor hb = Tensor.of(b, k, n).cast(dtype);
    float[] wa = ha.toFloatArray();
    float[] wb = hb.toFloatArray();

    Tensor c = ha.matmul(hb);

    assertThat(c.dtype()).isEqualTo(dtype);
    float[] got = c.toFloatArray();
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double exact = 0;
        for (int t = 0; t < k; t++) {
          exact += (double) wa[i * k + t] * wb[t * n + j];
        }
        // The inputs are multiples of 1/128 below 2 in size, so every product and partial sum is
        // exact in float32: the float32 result is the exact sum, rounded once to 16 bits.
        assertThat(got[i * n + j]).isEqualTo(nearest(dtype, (float) exact));
      }
    }
  }

  @Test
  void gradients_flowThroughTheCasts_in16Bits() {
    Tensor x = Tensor.of(new float[] {1.5f, -2f, 0.5f}, 3).cast(DType.BFLOAT16);
    Tensor y = Tensor.of(new float[] {3f, 4f, -1f}, 3).cast(DType.BFLOAT16);
    Tensor gx;
    Tensor gy;
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(x);
      tape.watch(y);
      Tensor loss = x.relu().mul(y).sum();
      List<Tensor> g = tape.gradient(loss, List.of(x, y));
      gx = g.get(0);
      gy = g.get(1);
    }
    assertThat(gx.dtype()).isEqualTo(DType.BFLOAT16);
    // d/dx sum(relu(x) y) = y where x > 0; d/dy = relu(x): small integers and halves, exact.
    assertThat(gx.toFloatArray()).containsExactly(3f, 0f, -1f);
    assertThat(gy.toFloatArray()).containsExactly(1.5f, 0f, 0.5f);
  }

  @Test
  void checkpoints_keepThe16BitDtype_andA16BitFileRestoresIntoFloat32() throws Exception {
    Path file = dir.resolve("half.safetensors");
    Tensor values = Tensor.of(new float[] {1.5f, -0.25f, 3f}, 3);
    SafeTensors.write(
        file,
        Map.of(
            "bf", HostArray.of(values.cast(DType.BFLOAT16)),
            "f16", HostArray.of(values.cast(DType.FLOAT16))),
        Map.of());

    try (SafeTensorsFile f = SafeTensors.open(file)) {
      assertThat(f.entry("bf").dtype()).isEqualTo(DType.BFLOAT16);
      assertThat(f.entry("f16").dtype()).isEqualTo(DType.FLOAT16);
      assertThat(f.read("bf").toTensor().toFloatArray()).containsExactly(1.5f, -0.25f, 3f);
    }

    Variable bf = new Variable("bf", Tensor.zeros(DType.BFLOAT16, 3), true);
    Variable f32 = new Variable("f16", Tensor.zeros(DType.FLOAT32, 3), true);
    Checkpoint.of().add(bf).add(f32).restore(file);

    assertThat(bf.peek().dtype()).isEqualTo(DType.BFLOAT16);
    assertThat(bf.peek().toFloatArray()).containsExactly(1.5f, -0.25f, 3f);
    assertThat(f32.peek().dtype()).isEqualTo(DType.FLOAT32);
    assertThat(f32.peek().toFloatArray()).containsExactly(1.5f, -0.25f, 3f);
  }

  @Test
  void mixingA16BitAndAFloat32Operand_isAnError() {
    Tensor half = Tensor.of(new float[] {1f}, 1).cast(DType.BFLOAT16);
    Tensor single = Tensor.of(new float[] {1f}, 1);
    assertThatThrownBy(() -> half.add(single))
        .isInstanceOf(DTypeException.class)
        .hasMessageContaining("bf16")
        .hasMessageContaining("f32");
  }

  @Test
  void mixedPrecisionMode_firstCallInFloat32_thenBf16ComputeWithFloat32Variables() {
    Linear linear = new Linear(3);
    Layer layer = MixedPrecision.modes(Set.of(DType.FLOAT32, DType.BFLOAT16), linear);
    Tensor x = Tensor.of(new float[] {0.3f, -1.1f, 2.7f, 0.9f, 1.3f, -0.4f, 0.05f, 2.2f}, 2, 4);
    MixedPrecision.enable(DType.BFLOAT16);

    Tensor first = layer.call(x);
    assertThat(linear.w().dtype()).isEqualTo(DType.FLOAT32);
    float[] exact32 = first.toFloatArray();

    Tensor second;
    List<Tensor> grads;
    try (GradientTape tape = GradientTape.open()) {
      second = layer.call(x);
      grads = tape.gradient(second.sum(), linear.trainableVariables());
    }

    assertThat(second.dtype()).isEqualTo(DType.FLOAT32);
    // Reference: the same layer computed from bf16-rounded inputs and weights, each op rounded.
    float[] xs = x.cast(DType.BFLOAT16).toFloatArray();
    float[] w = linear.w().peek().cast(DType.BFLOAT16).toFloatArray();
    float[] b = linear.b().peek().cast(DType.BFLOAT16).toFloatArray();
    float[] got = second.toFloatArray();
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        double dot = 0;
        for (int t = 0; t < 4; t++) {
          dot += (double) xs[i * 4 + t] * w[t * 3 + j];
        }
        float product = nearest(DType.BFLOAT16, (float) dot);
        float expected = nearest(DType.BFLOAT16, product + b[j]);
        // The float32 product of four terms may differ from the double sum by float32 rounding,
        // which can move the bf16 result by one step (2^-8 relative); the bias add is exact.
        assertThat(got[i * 3 + j])
            .isCloseTo(
                expected, org.assertj.core.data.Offset.offset(Math.abs(expected) / 128 + 1e-6f));
        // And the bf16 result is close to the float32 one (bf16 has about 3 significant digits).
        assertThat(got[i * 3 + j])
            .isCloseTo(exact32[i * 3 + j], org.assertj.core.data.Offset.offset(0.05f));
      }
    }
    for (Tensor g : grads) {
      assertThat(g.dtype()).isEqualTo(DType.FLOAT32);
    }
    // d sum / d b = the batch size, exact in any precision.
    assertThat(grads.get(0).toFloatArray()).containsExactly(2f, 2f, 2f);

    // Outside the valid types the layer runs as it is.
    try (var scope = MixedPrecision.scope(DType.FLOAT16)) {
      assertThat(layer.call(x).toFloatArray()).containsExactly(exact32);
    }
    assertThat(MixedPrecision.mode()).isEqualTo(DType.BFLOAT16);
  }

  @Test
  void shapesOf16BitTensors_printAsTheirValues() {
    Tensor t = Tensor.of(new float[] {1.5f, 2f}, 2).cast(DType.FLOAT16);
    assertThat(t.shape()).isEqualTo(Shape.of(2));
    assertThat(t.toString()).contains("f16").contains("1.5");
  }
}

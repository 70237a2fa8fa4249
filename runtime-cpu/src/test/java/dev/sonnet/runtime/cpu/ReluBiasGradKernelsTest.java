package dev.sonnet.runtime.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.tensor.DType;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The one-pass ReLU and bias gradient ({@link ReluBiasGradKernels}): {@code dz} bit for bit the
 * select {@code y > 0 ? g : +0} (NaN, both zeros and negative values in {@code y}); the bias
 * gradient the same bits on the vector and the scalar backend (one fixed order of float adds, parts
 * that depend on the row count only) and within the float summation bound of the exact sum.
 */
class ReluBiasGradKernelsTest {
  private static final float[] VALUES = {-0f, 0f, 1.5f, -1f, Float.NaN, 2f, -3f, 0.25f};

  @Test
  void f32_vectorAndScalar_matchSelectAndBoundedSum() {
    Random r = new Random(3);
    for (int channels : new int[] {16, 32, 5, 17, 1}) {
      for (int rows : new int[] {1, 7, 300, 5000}) {
        float[] y = new float[rows * channels];
        float[] g = new float[rows * channels];
        for (int i = 0; i < y.length; i++) {
          y[i] = VALUES[r.nextInt(VALUES.length)];
          g[i] = (float) r.nextGaussian();
        }
        float[] vectorDz = new float[y.length];
        float[] vectorDb = new float[channels];
        run(KernelFixtures.VECTOR, y, g, rows, channels, vectorDz, vectorDb);
        float[] scalarDz = new float[y.length];
        float[] scalarDb = new float[channels];
        run(KernelFixtures.SCALAR, y, g, rows, channels, scalarDz, scalarDb);
        String what = rows + "x" + channels;
        for (int i = 0; i < y.length; i++) {
          float expected = y[i] > 0 ? g[i] : 0f;
          assertThat(Float.floatToRawIntBits(vectorDz[i]))
              .as(what)
              .isEqualTo(Float.floatToRawIntBits(expected));
          assertThat(Float.floatToRawIntBits(scalarDz[i]))
              .as(what)
              .isEqualTo(Float.floatToRawIntBits(expected));
        }
        assertThat(vectorDb).as(what).isEqualTo(scalarDb);
        for (int c = 0; c < channels; c++) {
          double exact = 0;
          double abs = 0;
          for (int i = 0; i < rows; i++) {
            double dz = y[i * channels + c] > 0 ? g[i * channels + c] : 0.0;
            exact += dz;
            abs += Math.abs(dz); // the bound is over the summed values, the masked ones
          }
          assertThat((double) vectorDb[c])
              .as("%s channel %d", what, c)
              .isCloseTo(exact, within((rows + 1) * Math.scalb(1.0, -24) * abs));
        }
      }
    }
  }

  @Test
  void withoutBias_writesOnlyTheMaskedGradient() {
    float[] y = {1, -1, 0, Float.NaN, 2, 3};
    float[] g = {5, 6, 7, 8, 9, 10};
    CpuBackend b = KernelFixtures.VECTOR;
    DeviceBuffer dz = b.allocate(DType.FLOAT32, 6);
    assertThat(b.reluBiasGradient(b.upload(y), b.upload(g), 3, 2, dz, null)).isTrue();
    assertThat(KernelFixtures.f32(dz)).containsExactly(5, 0, 0, 0, 9, 10);
    // Channels in whole vectors take the vector path without a bias gradient: the same mask.
    int channels = 32;
    int rows = 5;
    float[] yv = new float[rows * channels];
    float[] gv = new float[rows * channels];
    float[] want = new float[rows * channels];
    for (int i = 0; i < yv.length; i++) {
      yv[i] = i % 3 == 0 ? -i : (i % 7 == 0 ? Float.NaN : i);
      gv[i] = 0.5f * i + 1;
      want[i] = yv[i] > 0 ? gv[i] : 0f;
    }
    DeviceBuffer dzv = b.allocate(DType.FLOAT32, yv.length);
    assertThat(b.reluBiasGradient(b.upload(yv), b.upload(gv), rows, channels, dzv, null)).isTrue();
    assertThat(KernelFixtures.f32(dzv)).containsExactly(want);
  }

  @Test
  void f64_matchesSelectAndSum() {
    double[] y = {1, -1, 0, Double.NaN, 2, 3};
    double[] g = {5, 6, 7, 8, 9, 10};
    CpuBackend b = KernelFixtures.VECTOR;
    DeviceBuffer dz = b.allocate(DType.FLOAT64, 6);
    DeviceBuffer db = b.allocate(DType.FLOAT64, 2);
    assertThat(b.reluBiasGradient(b.upload(y), b.upload(g), 3, 2, dz, db)).isTrue();
    double[] out = new double[6];
    b.download(dz, out);
    assertThat(out).containsExactly(5, 0, 0, 0, 9, 10);
    double[] sums = new double[2];
    b.download(db, sums);
    assertThat(sums).containsExactly(14, 10);
  }

  private static void run(
      CpuBackend b, float[] y, float[] g, int rows, int channels, float[] dz, float[] db) {
    DeviceBuffer dzBuffer = b.allocate(DType.FLOAT32, dz.length);
    DeviceBuffer dbBuffer = b.allocate(DType.FLOAT32, db.length);
    assertThat(b.reluBiasGradient(b.upload(y), b.upload(g), rows, channels, dzBuffer, dbBuffer))
        .isTrue();
    System.arraycopy(KernelFixtures.f32(dzBuffer), 0, dz, 0, dz.length);
    System.arraycopy(KernelFixtures.f32(dbBuffer), 0, db, 0, db.length);
  }
}

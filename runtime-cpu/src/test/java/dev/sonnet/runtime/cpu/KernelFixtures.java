package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.DeviceBuffer;
import java.util.Random;

/** Small helpers shared by the kernel tests: the two backends, uploads, downloads, random data. */
final class KernelFixtures {
  static final CpuBackend SCALAR = new CpuBackend(false);
  static final CpuBackend VECTOR = new CpuBackend(true);

  /** Sizes that hit empty, single, sub-vector, exact-vector and tail cases for any lane count. */
  static final int[] ODD_SIZES = {0, 1, 3, 15, 16, 17, 33, 1000, 4099};

  private KernelFixtures() {}

  static float[] f32(DeviceBuffer b) {
    float[] out = new float[(int) b.size()];
    b.backend().download(b, out);
    return out;
  }

  static double[] f64(DeviceBuffer b) {
    double[] out = new double[(int) b.size()];
    b.backend().download(b, out);
    return out;
  }

  static int[] i32(DeviceBuffer b) {
    int[] out = new int[(int) b.size()];
    b.backend().download(b, out);
    return out;
  }

  static long[] i64(DeviceBuffer b) {
    long[] out = new long[(int) b.size()];
    b.backend().download(b, out);
    return out;
  }

  static boolean[] bool(DeviceBuffer b) {
    boolean[] out = new boolean[(int) b.size()];
    b.backend().download(b, out);
    return out;
  }

  /** Uniform values in {@code [lo, hi)}, seeded so failures reproduce. */
  static float[] randomF32(int n, long seed, double lo, double hi) {
    Random r = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (lo + (hi - lo) * r.nextDouble());
    }
    return v;
  }

  static double[] randomF64(int n, long seed, double lo, double hi) {
    Random r = new Random(seed);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = lo + (hi - lo) * r.nextDouble();
    }
    return v;
  }
}

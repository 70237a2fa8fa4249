package dev.sonnet.runtime.cpu;

/**
 * The reference {@code where} kernel, one strided row at a time: {@code out[oo + i] = c[co + i*cs]
 * ? a[ao + i*as] : b[bo + i*bs]} for {@code i < n}, on every dtype. It copies the chosen element
 * without arithmetic, so the result is bit-exact (NaN payloads and signed zeros included); {@link
 * VectorWhere} must match it bit for bit and uses it for tails.
 */
final class ScalarWhere {
  private ScalarWhere() {}

  static void row(
      boolean[] c,
      int co,
      int cs,
      Object a,
      int ao,
      int as,
      Object b,
      int bo,
      int bs,
      Object out,
      int oo,
      int n) {
    switch (out) {
      case float[] o -> {
        float[] x = (float[]) a;
        float[] y = (float[]) b;
        for (int i = 0; i < n; i++) o[oo + i] = c[co + i * cs] ? x[ao + i * as] : y[bo + i * bs];
      }
      case double[] o -> {
        double[] x = (double[]) a;
        double[] y = (double[]) b;
        for (int i = 0; i < n; i++) o[oo + i] = c[co + i * cs] ? x[ao + i * as] : y[bo + i * bs];
      }
      case int[] o -> {
        int[] x = (int[]) a;
        int[] y = (int[]) b;
        for (int i = 0; i < n; i++) o[oo + i] = c[co + i * cs] ? x[ao + i * as] : y[bo + i * bs];
      }
      case long[] o -> {
        long[] x = (long[]) a;
        long[] y = (long[]) b;
        for (int i = 0; i < n; i++) o[oo + i] = c[co + i * cs] ? x[ao + i * as] : y[bo + i * bs];
      }
      case boolean[] o -> {
        boolean[] x = (boolean[]) a;
        boolean[] y = (boolean[]) b;
        for (int i = 0; i < n; i++) o[oo + i] = c[co + i * cs] ? x[ao + i * as] : y[bo + i * bs];
      }
      default -> throw new IllegalStateException("unknown CPU array " + out.getClass());
    }
  }
}

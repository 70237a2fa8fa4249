package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.FusedUpdate.Rule;

/**
 * The CPU side of {@link dev.sonnet.backend.FusedUpdate}: each optimizer rule as one loop over the
 * elements, reading the parameter, gradient and slots once and writing the new values once.
 *
 * <p>Each loop body is the rule's formula as separate IEEE operations in the order the optimizer
 * writes it with tensor operations (Java never contracts {@code a * b + c} into an FMA), with the
 * hyper-parameters converted to the dtype first, so the result is bit-for-bit the unfused kernels';
 * {@code rsqrt} is {@code 1 / sqrt(x)} in the dtype, as {@link VectorUnary} computes it on full
 * vectors (its scalar tail and the scalar reference round once from double: one ulp apart). The
 * loops are simple enough for C2 to vectorize. Elements are independent, so the split across {@link
 * CpuParallel} changes nothing.
 */
final class UpdateKernels {
  private UpdateKernels() {}

  static void update(Rule rule, double[] h, CpuBuffer[] in, CpuBuffer[] out, int size) {
    CpuParallel.parallelFor(
        size,
        CpuParallel.grainFor(4),
        CpuParallel.VECTOR_ALIGNMENT,
        (from, to) -> {
          if (in[0].array() instanceof float[]) {
            f32(rule, h, in, out, from, to);
          } else {
            f64(rule, h, in, out, from, to);
          }
        });
  }

  private static void f32(Rule rule, double[] h, CpuBuffer[] in, CpuBuffer[] out, int i0, int i1) {
    float[] p = in[0].f32();
    float[] g = in[1].f32();
    float[] po = out[0].f32();
    float lr = (float) h[0];
    switch (rule) {
      case SGD -> {
        for (int i = i0; i < i1; i++) po[i] = p[i] - g[i] * lr;
      }
      case MOMENTUM, NESTEROV -> {
        float mu = (float) h[1];
        float[] a = in[2].f32();
        float[] ao = out[1].f32();
        boolean nesterov = rule == Rule.NESTEROV;
        for (int i = i0; i < i1; i++) {
          float an = a[i] * mu + g[i];
          ao[i] = an;
          float direction = nesterov ? an * mu + g[i] : an;
          po[i] = p[i] - direction * lr;
        }
      }
      case ADAM -> {
        float b1 = (float) h[1];
        float oneMinusB1 = (float) h[2];
        float b2 = (float) h[3];
        float oneMinusB2 = (float) h[4];
        float c1 = (float) h[5];
        float c2 = (float) h[6];
        float eps = (float) h[7];
        float[] m = in[2].f32();
        float[] v = in[3].f32();
        float[] mo = out[1].f32();
        float[] vo = out[2].f32();
        for (int i = i0; i < i1; i++) {
          float gi = g[i];
          float mn = m[i] * b1 + gi * oneMinusB1;
          float vn = v[i] * b2 + (gi * gi) * oneMinusB2;
          mo[i] = mn;
          vo[i] = vn;
          po[i] = p[i] - ((mn / c1) * lr) / ((float) Math.sqrt(vn / c2) + eps);
        }
      }
      case RMSPROP, RMSPROP_CENTERED -> {
        float d = (float) h[1];
        float oneMinusD = (float) h[2];
        float mu = (float) h[3];
        float eps = (float) h[4];
        float[] ms = in[2].f32();
        float[] mom = in[3].f32();
        float[] mso = out[1].f32();
        float[] momo = out[2].f32();
        boolean centered = rule == Rule.RMSPROP_CENTERED;
        float[] mg = centered ? in[4].f32() : null;
        float[] mgo = centered ? out[3].f32() : null;
        for (int i = i0; i < i1; i++) {
          float gi = g[i];
          float msn = ms[i] * d + (gi * gi) * oneMinusD;
          mso[i] = msn;
          float den = msn;
          if (centered) {
            float mgn = mg[i] * d + gi * oneMinusD;
            mgo[i] = mgn;
            den = msn - mgn * mgn;
          }
          float rs = 1f / (float) Math.sqrt(den + eps);
          float mn = mom[i] * mu + (gi * lr) * rs;
          momo[i] = mn;
          po[i] = p[i] - mn;
        }
      }
    }
  }

  private static void f64(Rule rule, double[] h, CpuBuffer[] in, CpuBuffer[] out, int i0, int i1) {
    double[] p = in[0].f64();
    double[] g = in[1].f64();
    double[] po = out[0].f64();
    double lr = h[0];
    switch (rule) {
      case SGD -> {
        for (int i = i0; i < i1; i++) po[i] = p[i] - g[i] * lr;
      }
      case MOMENTUM, NESTEROV -> {
        double mu = h[1];
        double[] a = in[2].f64();
        double[] ao = out[1].f64();
        boolean nesterov = rule == Rule.NESTEROV;
        for (int i = i0; i < i1; i++) {
          double an = a[i] * mu + g[i];
          ao[i] = an;
          double direction = nesterov ? an * mu + g[i] : an;
          po[i] = p[i] - direction * lr;
        }
      }
      case ADAM -> {
        double[] m = in[2].f64();
        double[] v = in[3].f64();
        double[] mo = out[1].f64();
        double[] vo = out[2].f64();
        // Hyper-parameters in locals: stores to the output arrays would otherwise make the JIT
        // reload them from h on every element (it cannot prove that they do not alias).
        double b1 = h[1], omb1 = h[2], b2 = h[3], omb2 = h[4], bc1 = h[5], bc2 = h[6], eps = h[7];
        for (int i = i0; i < i1; i++) {
          double gi = g[i];
          double mn = m[i] * b1 + gi * omb1;
          double vn = v[i] * b2 + (gi * gi) * omb2;
          mo[i] = mn;
          vo[i] = vn;
          po[i] = p[i] - ((mn / bc1) * lr) / (Math.sqrt(vn / bc2) + eps);
        }
      }
      case RMSPROP, RMSPROP_CENTERED -> {
        double[] ms = in[2].f64();
        double[] mom = in[3].f64();
        double[] mso = out[1].f64();
        double[] momo = out[2].f64();
        boolean centered = rule == Rule.RMSPROP_CENTERED;
        double[] mg = centered ? in[4].f64() : null;
        double[] mgo = centered ? out[3].f64() : null;
        double rho = h[1], omRho = h[2], momentum = h[3], eps = h[4]; // locals, as for Adam
        for (int i = i0; i < i1; i++) {
          double gi = g[i];
          double msn = ms[i] * rho + (gi * gi) * omRho;
          mso[i] = msn;
          double den = msn;
          if (centered) {
            double mgn = mg[i] * rho + gi * omRho;
            mgo[i] = mgn;
            den = msn - mgn * mgn;
          }
          double mn = mom[i] * momentum + (gi * lr) * (1.0 / Math.sqrt(den + eps));
          momo[i] = mn;
          po[i] = p[i] - mn;
        }
      }
    }
  }
}

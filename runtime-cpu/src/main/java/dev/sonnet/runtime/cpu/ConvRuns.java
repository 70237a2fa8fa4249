package dev.sonnet.runtime.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API loops over contiguous runs of channels, shared by the fast convolution and pooling
 * kernels: vector body, scalar tail. Each gives exactly the result of the obvious scalar loop (the
 * same operation per element, in the same order), so fast and reference kernels agree bit for bit.
 */
final class ConvRuns {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

  private ConvRuns() {}

  /** {@code dst[d + i] += src[s + i]} for {@code i < len}. */
  static void add(float[] dst, int d, float[] src, int s, int len) {
    int i = 0;
    for (int bound = F.loopBound(len); i < bound; i += F.length()) {
      FloatVector.fromArray(F, dst, d + i)
          .add(FloatVector.fromArray(F, src, s + i))
          .intoArray(dst, d + i);
    }
    for (; i < len; i++) {
      dst[d + i] += src[s + i];
    }
  }

  static void add(double[] dst, int d, double[] src, int s, int len) {
    int i = 0;
    for (int bound = D.loopBound(len); i < bound; i += D.length()) {
      DoubleVector.fromArray(D, dst, d + i)
          .add(DoubleVector.fromArray(D, src, s + i))
          .intoArray(dst, d + i);
    }
    for (; i < len; i++) {
      dst[d + i] += src[s + i];
    }
  }

  /** {@code dst[d + i] += src[s + i] / divisor} for {@code i < len}. */
  static void addDivided(float[] dst, int d, float[] src, int s, int len, float divisor) {
    int i = 0;
    for (int bound = F.loopBound(len); i < bound; i += F.length()) {
      FloatVector.fromArray(F, dst, d + i)
          .add(FloatVector.fromArray(F, src, s + i).div(divisor))
          .intoArray(dst, d + i);
    }
    for (; i < len; i++) {
      dst[d + i] += src[s + i] / divisor;
    }
  }

  static void addDivided(double[] dst, int d, double[] src, int s, int len, double divisor) {
    int i = 0;
    for (int bound = D.loopBound(len); i < bound; i += D.length()) {
      DoubleVector.fromArray(D, dst, d + i)
          .add(DoubleVector.fromArray(D, src, s + i).div(divisor))
          .intoArray(dst, d + i);
    }
    for (; i < len; i++) {
      dst[d + i] += src[s + i] / divisor;
    }
  }

  /** {@code dst[d + i] /= divisor} for {@code i < len}. */
  static void divide(float[] dst, int d, int len, float divisor) {
    int i = 0;
    for (int bound = F.loopBound(len); i < bound; i += F.length()) {
      FloatVector.fromArray(F, dst, d + i).div(divisor).intoArray(dst, d + i);
    }
    for (; i < len; i++) {
      dst[d + i] /= divisor;
    }
  }

  static void divide(double[] dst, int d, int len, double divisor) {
    int i = 0;
    for (int bound = D.loopBound(len); i < bound; i += D.length()) {
      DoubleVector.fromArray(D, dst, d + i).div(divisor).intoArray(dst, d + i);
    }
    for (; i < len; i++) {
      dst[d + i] /= divisor;
    }
  }

  /**
   * {@code if (src[s + i] > dst[d + i]) dst[d + i] = src[s + i]}: a running maximum that keeps the
   * earlier value on ties and ignores NaN after the first element (the pooling convention).
   */
  static void max(float[] dst, int d, float[] src, int s, int len) {
    int i = 0;
    for (int bound = F.loopBound(len); i < bound; i += F.length()) {
      FloatVector best = FloatVector.fromArray(F, dst, d + i);
      FloatVector v = FloatVector.fromArray(F, src, s + i);
      best.blend(v, v.compare(VectorOperators.GT, best)).intoArray(dst, d + i);
    }
    for (; i < len; i++) {
      if (src[s + i] > dst[d + i]) {
        dst[d + i] = src[s + i];
      }
    }
  }

  static void max(double[] dst, int d, double[] src, int s, int len) {
    int i = 0;
    for (int bound = D.loopBound(len); i < bound; i += D.length()) {
      DoubleVector best = DoubleVector.fromArray(D, dst, d + i);
      DoubleVector v = DoubleVector.fromArray(D, src, s + i);
      best.blend(v, v.compare(VectorOperators.GT, best)).intoArray(dst, d + i);
    }
    for (; i < len; i++) {
      if (src[s + i] > dst[d + i]) {
        dst[d + i] = src[s + i];
      }
    }
  }
}

package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.UnaryKind;
import dev.sonnet.tensor.DType;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API loops for the common unary kinds on float32 and float64: a vector body over {@code
 * species.loopBound} elements and the scalar reference loop ({@link ScalarUnary}) for the tail.
 * Java arrays give no control over alignment, so there is no scalar head.
 *
 * <p>Each kind has its own loop with the operator written out: the Vector API only compiles to SIMD
 * instructions when the operator is a constant the JIT can see, so it is never passed as a
 * parameter. Float32 math stays in float lanes, so results may differ from the scalar path, which
 * rounds a double result, by a few float ulps. Only exactly rounded kinds have a vector loop (see
 * {@link #supports}); transcendental kinds take the scalar path.
 */
final class VectorUnary {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

  private VectorUnary() {}

  static boolean supports(UnaryKind kind, DType dtype) {
    if (!dtype.isFloating()) {
      return false;
    }
    // Only kinds whose vector form is exactly rounded IEEE arithmetic. The Vector API's EXP, LOG,
    // TANH, ... run the JDK's vector math library once C2 compiles them and a Java fallback before
    // that; the two differ in the last ulp, so a training run was not bit-reproducible from one
    // JVM to the next. Until we have our own polynomial forms built from add/mul/fma, those kinds
    // take the scalar path, which is deterministic.
    return switch (kind) {
      case NEG, ABS, SQRT, RSQRT, SQUARE, RELU, RECIPROCAL -> true;
      default -> false;
    };
  }

  static void run(UnaryKind kind, CpuBuffer x, CpuBuffer out, int from, int to) {
    if (x.dtype() == DType.FLOAT32) {
      int i = f32(kind, x.f32(), out.f32(), from, to);
      ScalarUnary.f32(kind, x.f32(), out.f32(), i, to);
    } else {
      int i = f64(kind, x.f64(), out.f64(), from, to);
      ScalarUnary.f64(kind, x.f64(), out.f64(), i, to);
    }
  }

  /** The vector body; returns where the scalar tail starts. */
  private static int f32(UnaryKind kind, float[] x, float[] o, int from, int to) {
    int step = F.length();
    int end = from + F.loopBound(to - from);
    int i = from;
    switch (kind) {
      case NEG -> {
        for (; i < end; i += step) FloatVector.fromArray(F, x, i).neg().intoArray(o, i);
      }
      case ABS -> {
        for (; i < end; i += step) FloatVector.fromArray(F, x, i).abs().intoArray(o, i);
      }
      case SQRT -> {
        for (; i < end; i += step) FloatVector.fromArray(F, x, i).sqrt().intoArray(o, i);
      }
      case RSQRT -> {
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (; i < end; i += step) {
          one.div(FloatVector.fromArray(F, x, i).sqrt()).intoArray(o, i);
        }
      }
      case SQUARE -> {
        for (; i < end; i += step) {
          FloatVector v = FloatVector.fromArray(F, x, i);
          v.mul(v).intoArray(o, i);
        }
      }
      case RELU -> {
        for (; i < end; i += step) FloatVector.fromArray(F, x, i).max(0f).intoArray(o, i);
      }
      case RECIPROCAL -> {
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (; i < end; i += step) one.div(FloatVector.fromArray(F, x, i)).intoArray(o, i);
      }
      default -> {
        return from;
      }
    }
    return i;
  }

  /** The vector body; returns where the scalar tail starts. */
  private static int f64(UnaryKind kind, double[] x, double[] o, int from, int to) {
    int step = D.length();
    int end = from + D.loopBound(to - from);
    int i = from;
    switch (kind) {
      case NEG -> {
        for (; i < end; i += step) DoubleVector.fromArray(D, x, i).neg().intoArray(o, i);
      }
      case ABS -> {
        for (; i < end; i += step) DoubleVector.fromArray(D, x, i).abs().intoArray(o, i);
      }
      case SQRT -> {
        for (; i < end; i += step) DoubleVector.fromArray(D, x, i).sqrt().intoArray(o, i);
      }
      case RSQRT -> {
        DoubleVector one = DoubleVector.broadcast(D, 1.0);
        for (; i < end; i += step) {
          one.div(DoubleVector.fromArray(D, x, i).sqrt()).intoArray(o, i);
        }
      }
      case SQUARE -> {
        for (; i < end; i += step) {
          DoubleVector v = DoubleVector.fromArray(D, x, i);
          v.mul(v).intoArray(o, i);
        }
      }
      case RELU -> {
        for (; i < end; i += step) DoubleVector.fromArray(D, x, i).max(0.0).intoArray(o, i);
      }
      case RECIPROCAL -> {
        DoubleVector one = DoubleVector.broadcast(D, 1.0);
        for (; i < end; i += step) one.div(DoubleVector.fromArray(D, x, i)).intoArray(o, i);
      }
      default -> {
        return from;
      }
    }
    return i;
  }
}

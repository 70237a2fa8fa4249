package dev.sonnet.runtime.cpu;

import dev.sonnet.backend.UnaryKind;
import dev.sonnet.tensor.DType;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API loops for the common unary kinds on float32 and float64: a vector body over
 * {@code species.loopBound} elements and the scalar reference loop ({@link ScalarUnary}) for the
 * tail. Java arrays give no control over alignment, so there is no scalar head.
 *
 * <p>Each kind has its own loop with the operator written out: the Vector API only compiles to
 * SIMD instructions when the operator is a constant the JIT can see, so it is never passed as a
 * parameter. Float32 math stays in float lanes (transcendentals through the JDK's vector math
 * library, within about 1 ulp of float), so results may differ from the scalar path, which rounds a
 * double result, by a few float ulps. SIGMOID and SOFTPLUS use the same overflow-free forms as the
 * scalar kernels. GELU, NORMAL_CDF and SIGN take the scalar path.
 */
final class VectorUnary {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

  private VectorUnary() {}

  static boolean supports(UnaryKind kind, DType dtype) {
    if (!dtype.isFloating()) {
      return false;
    }
    return switch (kind) {
      case NEG, ABS, EXP, LOG, LOG1P, SQRT, RSQRT, SQUARE, TANH, SIGMOID, RELU, SOFTPLUS, SIN, COS,
          RECIPROCAL -> true;
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
      case EXP -> {
        for (; i < end; i += step) {
          FloatVector.fromArray(F, x, i).lanewise(VectorOperators.EXP).intoArray(o, i);
        }
      }
      case LOG -> {
        for (; i < end; i += step) {
          FloatVector.fromArray(F, x, i).lanewise(VectorOperators.LOG).intoArray(o, i);
        }
      }
      case LOG1P -> {
        for (; i < end; i += step) {
          FloatVector.fromArray(F, x, i).lanewise(VectorOperators.LOG1P).intoArray(o, i);
        }
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
      case TANH -> {
        for (; i < end; i += step) {
          FloatVector.fromArray(F, x, i).lanewise(VectorOperators.TANH).intoArray(o, i);
        }
      }
      case SIGMOID -> {
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (; i < end; i += step) {
          FloatVector v = FloatVector.fromArray(F, x, i);
          FloatVector e = v.abs().neg().lanewise(VectorOperators.EXP); // e^-|x|, never overflows
          FloatVector r = one.div(e.add(1f));
          r.blend(e.mul(r), v.compare(VectorOperators.LT, 0f)).intoArray(o, i);
        }
      }
      case RELU -> {
        for (; i < end; i += step) FloatVector.fromArray(F, x, i).max(0f).intoArray(o, i);
      }
      case SOFTPLUS -> {
        for (; i < end; i += step) {
          FloatVector v = FloatVector.fromArray(F, x, i);
          FloatVector t = v.abs().neg().lanewise(VectorOperators.EXP)
              .lanewise(VectorOperators.LOG1P);
          v.max(0f).add(t).intoArray(o, i);
        }
      }
      case SIN -> {
        for (; i < end; i += step) {
          FloatVector.fromArray(F, x, i).lanewise(VectorOperators.SIN).intoArray(o, i);
        }
      }
      case COS -> {
        for (; i < end; i += step) {
          FloatVector.fromArray(F, x, i).lanewise(VectorOperators.COS).intoArray(o, i);
        }
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
      case EXP -> {
        for (; i < end; i += step) {
          DoubleVector.fromArray(D, x, i).lanewise(VectorOperators.EXP).intoArray(o, i);
        }
      }
      case LOG -> {
        for (; i < end; i += step) {
          DoubleVector.fromArray(D, x, i).lanewise(VectorOperators.LOG).intoArray(o, i);
        }
      }
      case LOG1P -> {
        for (; i < end; i += step) {
          DoubleVector.fromArray(D, x, i).lanewise(VectorOperators.LOG1P).intoArray(o, i);
        }
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
      case TANH -> {
        for (; i < end; i += step) {
          DoubleVector.fromArray(D, x, i).lanewise(VectorOperators.TANH).intoArray(o, i);
        }
      }
      case SIGMOID -> {
        DoubleVector one = DoubleVector.broadcast(D, 1.0);
        for (; i < end; i += step) {
          DoubleVector v = DoubleVector.fromArray(D, x, i);
          DoubleVector e = v.abs().neg().lanewise(VectorOperators.EXP);
          DoubleVector r = one.div(e.add(1.0));
          r.blend(e.mul(r), v.compare(VectorOperators.LT, 0.0)).intoArray(o, i);
        }
      }
      case RELU -> {
        for (; i < end; i += step) DoubleVector.fromArray(D, x, i).max(0.0).intoArray(o, i);
      }
      case SOFTPLUS -> {
        for (; i < end; i += step) {
          DoubleVector v = DoubleVector.fromArray(D, x, i);
          DoubleVector t = v.abs().neg().lanewise(VectorOperators.EXP)
              .lanewise(VectorOperators.LOG1P);
          v.max(0.0).add(t).intoArray(o, i);
        }
      }
      case SIN -> {
        for (; i < end; i += step) {
          DoubleVector.fromArray(D, x, i).lanewise(VectorOperators.SIN).intoArray(o, i);
        }
      }
      case COS -> {
        for (; i < end; i += step) {
          DoubleVector.fromArray(D, x, i).lanewise(VectorOperators.COS).intoArray(o, i);
        }
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

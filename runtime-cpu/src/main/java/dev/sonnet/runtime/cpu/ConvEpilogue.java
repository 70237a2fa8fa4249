package dev.sonnet.runtime.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The bias add and ReLU that a direct convolution kernel applies to an output line it has just
 * written ({@link DirectConvF32}), so the fused conv + bias + ReLU of training reads and writes the
 * output once instead of three times.
 *
 * <p>Bit for bit the separate passes: the bias add is one float add per element ({@code y +
 * bias[c]}, as {@link VectorBinary}'s broadcast add), and the ReLU is the Vector API's {@code
 * max(y, 0)}, as {@link VectorUnary}'s RELU (which also fixes the result for NaN and {@code -0.0}:
 * NaN stays NaN, {@code max(-0.0, 0)} is {@code 0.0}); the scalar tail uses {@link Math#max}, which
 * agrees on both.
 */
final class ConvEpilogue {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  private ConvEpilogue() {}

  /**
   * {@code y[from, from + length)}, pixels of {@code channels} values each ({@code from} at a pixel
   * start, {@code length} a multiple of {@code channels}): adds {@code bias[c]} (null: nothing) to
   * each pixel's channel {@code c}, then takes {@code max(., 0)} when {@code relu}.
   */
  static void apply(float[] y, int from, int length, int channels, float[] bias, boolean relu) {
    int end = from + length;
    if (channels % L == 0) {
      // One loop per case, so that no vector value merges across a branch (C2 keeps it unboxed).
      if (bias != null && relu) {
        for (int p = from; p < end; p += channels) {
          for (int c = 0; c < channels; c += L) {
            FloatVector.fromArray(S, y, p + c)
                .add(FloatVector.fromArray(S, bias, c))
                .max(0f)
                .intoArray(y, p + c);
          }
        }
      } else if (bias != null) {
        for (int p = from; p < end; p += channels) {
          for (int c = 0; c < channels; c += L) {
            FloatVector.fromArray(S, y, p + c)
                .add(FloatVector.fromArray(S, bias, c))
                .intoArray(y, p + c);
          }
        }
      } else if (relu) {
        for (int i = from; i < end; i += L) {
          FloatVector.fromArray(S, y, i).max(0f).intoArray(y, i);
        }
      }
      return;
    }
    for (int p = from; p < end; p += channels) {
      for (int c = 0; c < channels; c++) {
        float v = y[p + c];
        if (bias != null) {
          v += bias[c];
        }
        y[p + c] = relu ? Math.max(v, 0f) : v;
      }
    }
  }
}

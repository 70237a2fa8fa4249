package dev.sonnet.recurrent;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Module;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;

/** Argument checks and default initializers the library's cores share. */
final class Cores {
  private Cores() {}

  static void checkSize(String core, String what, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(core + ": " + what + " must be >= 1, got " + value);
    }
  }

  static int checkBatch(Module core, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException(
          core.getClass().getSimpleName()
              + " '"
              + core.path()
              + "': batchSize must be >= 1, got "
              + batchSize);
    }
    return batchSize;
  }

  /** The value of a setting that has a non-null default; null is refused with the fix. */
  static <T> T required(String core, String setting, T value) {
    if (value == null) {
      throw new IllegalArgumentException(
          core
              + ": "
              + setting
              + " must not be null; leave it unset in the builder for its default");
    }
    return value;
  }

  /** The input size a core builds from: the last dimension of a rank-2 first input. */
  static int inputSize(Module core, Tensor x) {
    if (x.rank() != 2) {
      throw new ShapeException(
          core.getClass().getSimpleName()
              + " '"
              + core.path()
              + "': input "
              + x.shape()
              + " has rank "
              + x.rank()
              + " but a step needs rank 2 ([batch, inputSize]); unroll sequences with Unroll");
    }
    return x.dim(1);
  }

  /** {@code init}, or a truncated normal with standard deviation {@code 1 / sqrt(fanIn)}. */
  static Initializer fanIn(Initializer init, int fanIn) {
    return init != null ? init : Initializers.truncatedNormal(1 / Math.sqrt(fanIn));
  }
}

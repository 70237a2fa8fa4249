package dev.sonnet.ops;

import dev.sonnet.backend.Backend;
import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.backend.GemmEpilogue;
import dev.sonnet.backend.GemmSpec;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;

/**
 * The bias-and-activation tail that {@link DenseOp}, {@link FusedMatMulOp} and {@link FusedConvOp}
 * apply to a product they just wrote, on its own fresh buffer ({@link #product} fuses it into the
 * product where the backend can), and the gradient of it.
 *
 * <p>The activation runs in place ({@code unary(kind, y, y)}): every element is read and written at
 * the same index, which every runtime's elementwise kernel allows. Only activations whose
 * derivative is a function of the output are fused, so the gradient needs no saved pre-activation:
 * relu ({@code y > 0}), sigmoid ({@code y (1 - y)}) and tanh ({@code 1 - y^2}).
 */
final class Epilogue {
  private Epilogue() {}

  /** Whether {@code kind} (null: none) can be fused. */
  static boolean fusable(UnaryKind kind) {
    return kind == null
        || kind == UnaryKind.RELU
        || kind == UnaryKind.SIGMOID
        || kind == UnaryKind.TANH;
  }

  static void checkActivation(String op, UnaryKind kind) {
    if (!fusable(kind)) {
      throw new IllegalArgumentException(
          op + ": activation " + kind + " cannot be fused; only relu, sigmoid, tanh or none");
    }
  }

  /**
   * Checks that {@code bias} is a vector of {@code channels} of {@code y}'s dtype ({@code y}: the
   * output, or an input of the output's dtype, so that nothing is allocated before the check).
   */
  static void checkBias(String op, Tensor y, Tensor bias, int channels) {
    if (bias.rank() != 1 || bias.dim(0) != channels || bias.dtype() != y.dtype()) {
      throw new ShapeException(
          op
              + ": bias "
              + bias.dtype()
              + bias.shape()
              + " must be a "
              + y.dtype()
              + " vector of "
              + channels
              + " elements (the last axis of the output)");
    }
  }

  /**
   * Writes {@code activation(op(a) @ op(w) + bias)} into the fresh {@code y} as {@code spec} lays
   * them out: in one pass where the backend's {@link GemmEpilogue} takes the activation (none or
   * relu), else the product followed by the bias and the activation in place. Both are the same
   * IEEE operations on the same rounded product (see {@link GemmEpilogue}), so the same bits.
   *
   * @param bias a vector along the last axis of {@code y}, or null
   * @param activation a {@linkplain #fusable fusable} activation, or null for none
   */
  static void product(
      GemmSpec spec, Tensor a, Tensor w, Tensor y, Tensor bias, UnaryKind activation) {
    product(spec, a, w, y, bias, activation, null);
  }

  /**
   * {@link #product(GemmSpec, Tensor, Tensor, Tensor, Tensor, UnaryKind)} reading {@code w} from
   * its packed copy in {@code packed} (null: none) where the backend has one ({@link
   * GemmEpilogue#gemmEpiloguePacked}): the same bits.
   */
  static void product(
      GemmSpec spec,
      Tensor a,
      Tensor w,
      Tensor y,
      Tensor bias,
      UnaryKind activation,
      PackedWeights packed) {
    Backend backend = a.backend();
    if ((activation == null || activation == UnaryKind.RELU)
        && backend instanceof GemmEpilogue fused) {
      GemmEpilogue.Epilogue epilogue =
          GemmEpilogue.Epilogue.biasActivation(
              bias == null ? null : bias.buffer(),
              activation == null ? GemmEpilogue.Activation.NONE : GemmEpilogue.Activation.RELU);
      DeviceBuffer packedW = packed == null ? null : packed.packedFor(w, spec, fused);
      if (packedW != null
          && fused.gemmEpiloguePacked(spec, a.buffer(), packedW, y.buffer(), epilogue)) {
        return;
      }
      if (fused.gemmEpilogue(spec, a.buffer(), w.buffer(), y.buffer(), epilogue)) {
        return;
      }
    }
    backend.gemm(spec, a.buffer(), w.buffer(), y.buffer());
    if (bias != null) {
      addBias(y, bias);
    }
    activate(y, activation);
  }

  /** Adds {@code bias} along the last axis of the fresh {@code y}, in place. */
  static void addBias(Tensor y, Tensor bias) {
    Shape s = y.shape();
    if (s.size() == 0) {
      return;
    }
    OpSupport.DenseLayout l = OpSupport.denseLayout(s);
    y.backend()
        .binary(
            BinaryKind.ADD,
            y.buffer(),
            l.strides(),
            bias.buffer(),
            bias.shape().broadcastStrides(s),
            y.buffer(),
            l.dims());
  }

  /** Applies {@code kind} (null: nothing) to the fresh {@code y}, in place. */
  static void activate(Tensor y, UnaryKind kind) {
    if (kind != null && y.size() > 0) {
      y.backend().unary(kind, y.buffer(), y.buffer());
    }
  }

  /** The gradient with respect to the pre-activation, from the output {@code y}. */
  static Tensor preActivationGradient(UnaryKind kind, Tensor y, Tensor upstream) {
    if (kind == null) {
      return upstream;
    }
    return switch (kind) {
      case RELU ->
          Elementwise.where(
              Elementwise.greater(y, OpSupport.scalarLike(y, 0)),
              upstream,
              OpSupport.scalarLike(upstream, 0));
      case SIGMOID -> upstream.mul(y).mul(y.neg().add(1.0));
      case TANH -> upstream.mul(y.square().neg().add(1.0));
      default -> throw new IllegalStateException("not fusable: " + kind);
    };
  }

  /** The bias gradient: {@code dz} summed over every axis but the last. */
  static Tensor biasGradient(Tensor dz) {
    int[] axes = new int[dz.rank() - 1];
    for (int i = 0; i < axes.length; i++) {
      axes[i] = i;
    }
    return Reductions.sum(dz, false, axes);
  }
}

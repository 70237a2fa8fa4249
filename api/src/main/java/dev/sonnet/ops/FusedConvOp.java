package dev.sonnet.ops;

import dev.sonnet.backend.ConvGeometry;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.tensor.Tensor;
import java.util.Locale;

/**
 * {@code activation(conv(x, w) + bias)} as one op: {@link ConvOp}'s convolution (channels-last),
 * then the bias added and the activation applied. It serves graph-level inference (the fusion pass
 * of {@code dev.sonnet.export}) and training ({@link Convolution#conv(dev.sonnet.tensor.Operand,
 * dev.sonnet.tensor.Operand, dev.sonnet.tensor.Operand, ConvOptions,
 * dev.sonnet.backend.GemmEpilogue.Activation)}, which {@code Conv2D} followed by a ReLU calls).
 *
 * <p>With no activation or a ReLU, the backend's direct kernel may add the bias and take the ReLU
 * as it writes each output line ({@link dev.sonnet.backend.DirectConvolution}); otherwise the
 * package-private {@code Epilogue} does it in place on the fresh output. Either way it saves the
 * two output allocations, and the passes that would write them, of the {@link #decompose
 * decomposition} ({@code conv}, {@code add}, the activation), and it is bit for bit that
 * decomposition: the same float sum, then the same float add, then the same {@code max(., 0)}.
 *
 * <p>The gradient is the decomposition's: the ReLU mask (from the output: {@code y > 0} exactly
 * where the pre-activation is), the bias gradient summed over every axis but the last, and the
 * convolution's gradients, of which only the wanted ones are computed. With a ReLU, fusion on and a
 * backend that has the kernel, the mask and the bias gradient are one {@link ReluBiasGradOp} pass:
 * the mask bit for bit, the bias gradient summed in another fixed order (within float summation
 * rounding of the reduction's).
 *
 * @param params the convolution's attributes
 * @param hasBias whether input 2 is a bias of one value per output channel
 * @param activation relu, sigmoid, tanh, or null for none
 */
public record FusedConvOp(ConvParams params, boolean hasBias, UnaryKind activation)
    implements FusedOp {

  public FusedConvOp {
    Epilogue.checkActivation("fused_conv", activation);
  }

  @Override
  public String name() {
    return ConvSupport.name("fused_conv", params.rank())
        + (activation == null ? "" : "_" + activation.name().toLowerCase(Locale.ROOT));
  }

  @Override
  public Tensor[] forward(Tensor[] inputs) {
    checkArity(inputs);
    Tensor x = inputs[0];
    Tensor w = inputs[1];
    ConvGeometry g = ConvOp.geometry(name(), params, x, w);
    Tensor bias = hasBias ? inputs[2] : null;
    if (hasBias) {
      Epilogue.checkBias(name(), w, bias, w.dim(-1));
    }
    boolean relu = activation == UnaryKind.RELU;
    Tensor y = ConvSupport.forward(g, w.dim(-1), x, w, bias, relu);
    if (!relu) {
      Epilogue.activate(y, activation);
    }
    return new Tensor[] {y};
  }

  private void checkArity(Tensor[] inputs) {
    if (inputs.length != (hasBias ? 3 : 2)) {
      throw new IllegalArgumentException(
          name() + ": takes " + (hasBias ? 3 : 2) + " inputs, got " + inputs.length);
    }
  }

  /** {@code conv}, {@code add} (with a bias) and the activation, each dispatched. */
  @Override
  public Tensor[] decompose(Tensor[] inputs) {
    checkArity(inputs);
    Tensor y = Dispatch.run1(new ConvOp(params), inputs[0], inputs[1]);
    if (hasBias) {
      y = y.add(inputs[2]);
    }
    if (activation != null) {
      y = Dispatch.run1(new UnaryOp(activation), y);
    }
    return new Tensor[] {y};
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    return backward(inputs, outputs, upstream, new boolean[] {true, true, true});
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream, boolean[] wanted) {
    Tensor dz;
    Tensor db = null;
    boolean wantBias = hasBias && wanted[2];
    if (activation == UnaryKind.RELU && Fusion.enabled() && ReluBiasGradOp.available(outputs[0])) {
      // The ReLU mask and the bias gradient in one pass (ReluBiasGradOp).
      Tensor[] r = Dispatch.run(new ReluBiasGradOp(wantBias), outputs[0], upstream[0]);
      dz = r[0];
      db = wantBias ? r[1] : null;
    } else {
      dz = Epilogue.preActivationGradient(activation, outputs[0], upstream[0]);
      db = wantBias ? Epilogue.biasGradient(dz) : null;
    }
    Tensor[] g = ConvOp.gradients(params, inputs[0], inputs[1], dz, wanted[0], wanted[1]);
    return hasBias ? new Tensor[] {g[0], g[1], db} : g;
  }
}

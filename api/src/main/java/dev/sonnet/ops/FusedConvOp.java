package dev.sonnet.ops;

import dev.sonnet.backend.UnaryKind;
import dev.sonnet.tensor.Tensor;
import java.util.Locale;

/**
 * {@code activation(conv(x, w) + bias)} as one op, for graph-level inference (the fusion pass of
 * {@code dev.sonnet.export}): {@link ConvOp}'s convolution, then the bias added and the activation
 * applied in place on its fresh output (package-private {@code Epilogue}), saving two output
 * allocations and the passes that would write them.
 *
 * @param params the convolution's attributes
 * @param hasBias whether input 2 is a bias of one value per output channel
 * @param activation relu, sigmoid, tanh, or null for none
 */
public record FusedConvOp(ConvParams params, boolean hasBias, UnaryKind activation) implements Op {

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
    if (inputs.length != (hasBias ? 3 : 2)) {
      throw new IllegalArgumentException(
          name() + ": takes " + (hasBias ? 3 : 2) + " inputs, got " + inputs.length);
    }
    Tensor y = ConvOp.convolve(name(), params, inputs[0], inputs[1]);
    if (hasBias) {
      Epilogue.checkBias(name(), y, inputs[2], y.dim(-1));
      Epilogue.addBias(y, inputs[2]);
    }
    Epilogue.activate(y, activation);
    return new Tensor[] {y};
  }

  @Override
  public Tensor[] backward(Tensor[] inputs, Tensor[] outputs, Tensor[] upstream) {
    Tensor dz = Epilogue.preActivationGradient(activation, outputs[0], upstream[0]);
    Tensor[] g = ConvOp.gradients(params, inputs[0], inputs[1], dz);
    return hasBias ? new Tensor[] {g[0], g[1], Epilogue.biasGradient(dz)} : g;
  }
}

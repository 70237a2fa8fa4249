package dev.sonnet.samples.modules;

import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Module;
import dev.sonnet.module.Param;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;

/**
 * The Sonnet 1 README's {@code NaiveAutoEncoder}: {@code encode} and {@code decode} each own their
 * variables, are built on their own first call, and can be called in any order; {@link #call} runs
 * both and shares the same variables.
 *
 * <pre>{@code
 * var nae = new NaiveAutoEncoder(2, 10);
 * nae.decode(latents);   // creates only w_rec and b_rec
 * nae.call(inputs);      // creates w_enc and b_enc, reuses w_rec and b_rec
 * }</pre>
 */
public final class NaiveAutoEncoder extends Module implements Layer {
  final int nLatent;
  final int nOut;
  @Param Variable wEnc;
  @Param Variable bEnc;
  @Param Variable wRec;
  @Param Variable bRec;

  public NaiveAutoEncoder(int nLatent, int nOut) {
    this(nLatent, nOut, null);
  }

  public NaiveAutoEncoder(int nLatent, int nOut, String name) {
    super(name);
    this.nLatent = nLatent;
    this.nOut = nOut;
  }

  @Build
  void buildEncoder(Tensor input) {
    wEnc =
        variable(
            "w_enc",
            Initializers.truncatedNormal(1 / Math.sqrt(nOut)),
            input.dtype(),
            nOut,
            nLatent);
    bEnc = variable("b_enc", Initializers.zeros(), input.dtype(), nLatent);
  }

  @Build
  void buildDecoder(Tensor latents) {
    wRec =
        variable(
            "w_rec",
            Initializers.truncatedNormal(1 / Math.sqrt(nLatent)),
            latents.dtype(),
            nLatent,
            nOut);
    bRec = variable("b_rec", Initializers.zeros(), latents.dtype(), nOut);
  }

  /** The front half: inputs to latents. */
  public Tensor encode(Tensor input) {
    buildNamed("buildEncoder", input);
    return input.matmul(wEnc).add(bEnc).sigmoid();
  }

  /** The back half: latents to reconstruction. */
  public Tensor decode(Tensor latents) {
    buildNamed("buildDecoder", latents);
    return latents.matmul(wRec).add(bRec).sigmoid();
  }

  /** The whole auto-encoder: input to latents to reconstruction. */
  @Override
  public Tensor call(Tensor input) {
    return decode(encode(input));
  }
}

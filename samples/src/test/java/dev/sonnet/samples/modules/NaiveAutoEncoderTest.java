package dev.sonnet.samples.modules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Sonnet 1 README's NaiveAutoEncoder: two build methods, each owning its variables. */
class NaiveAutoEncoderTest {
  private static final int BATCH = 5;
  private static final int N_IN = 10;
  private static final int N_LATENT = 2;

  @Test
  void decodeFirst_createsOnlyTheDecoderVariables() {
    var nae = new NaiveAutoEncoder(N_LATENT, N_IN);

    Tensor out = nae.decode(Tensor.ones(DType.FLOAT32, BATCH, N_LATENT));

    assertThat(out.shape()).isEqualTo(Shape.of(BATCH, N_IN));
    assertThat(nae.variables())
        .extracting(Variable::name)
        .containsExactly("naive_auto_encoder/b_rec", "naive_auto_encoder/w_rec");
  }

  @Test
  void callAfterDecode_addsTheEncoder_andSharesTheDecoder() {
    var nae = new NaiveAutoEncoder(N_LATENT, N_IN);
    nae.decode(Tensor.ones(DType.FLOAT32, BATCH, N_LATENT));
    List<Variable> decoder = nae.variables();

    Tensor reconstructed = nae.call(Tensor.ones(DType.FLOAT32, BATCH, N_IN));

    assertThat(reconstructed.shape()).isEqualTo(Shape.of(BATCH, N_IN));
    assertThat(nae.variables())
        .extracting(Variable::name)
        .containsExactly(
            "naive_auto_encoder/b_enc", "naive_auto_encoder/b_rec",
            "naive_auto_encoder/w_enc", "naive_auto_encoder/w_rec");
    assertThat(nae.variables())
        .extracting(Variable::shape)
        .containsExactly(
            Shape.of(N_LATENT), Shape.of(N_IN), Shape.of(N_IN, N_LATENT), Shape.of(N_LATENT, N_IN));
    assertThat(nae.variables().get(1)).isSameAs(decoder.get(0));
    assertThat(nae.variables().get(3)).isSameAs(decoder.get(1));
  }

  @Test
  void encodeAndDecode_inAnyOrder_buildEachPartOnce() {
    var nae = new NaiveAutoEncoder(N_LATENT, N_IN);
    nae.call(Tensor.ones(DType.FLOAT32, BATCH, N_IN));
    List<Variable> all = nae.variables();

    nae.encode(Tensor.ones(DType.FLOAT32, 1, N_IN));
    nae.decode(Tensor.ones(DType.FLOAT32, 1, N_LATENT));

    assertThat(nae.variables()).containsExactlyElementsOf(all);
    assertThat(nae.isBuilt()).isTrue();
  }
}

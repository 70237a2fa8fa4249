package dev.sonnet.conformance.nets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.conformance.nn.ModuleChecks;
import dev.sonnet.nets.VectorQuantizer;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.DTypeException;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class VectorQuantizerTest {

  // D = 3, K = 5, N = 6 vectors. Distances, losses and perplexity are short sums of O(1) float64
  // terms, so they agree with the plain-loop reference to a few ulps; 1e-12 leaves a wide margin
  // while a wrong code or formula is off by O(0.1) or more.

  private static final int D = 3;
  private static final int K = 5;

  private static VectorQuantizer quantizer(double commitment) {
    var vq = VectorQuantizer.builder(D, K, commitment).dtype(DType.FLOAT64).build();
    ModuleChecks.randomize(vq.embeddings(), 11);
    return vq;
  }

  @Test
  void call_replacesEachVectorByItsNearestCode() {
    var vq = quantizer(0.25);
    Tensor x = ModuleChecks.uniform(1, 2, 3, D);
    VectorQuantizer.Result r = vq.call(x, true);
    double[] e = vq.embeddings().peek().toDoubleArray();
    int[] idx = VqReference.nearest(x.toDoubleArray(), 6, e, D, K);
    assertThat(r.encodingIndices().dtype()).isEqualTo(DType.INT32);
    assertThat(r.encodingIndices().shape().dims()).containsExactly(2, 3);
    assertThat(r.encodingIndices().toIntArray()).containsExactly(idx);
    assertThat(r.quantize().shape()).isEqualTo(x.shape());
    ModuleChecks.assertClose(r.quantize(), VqReference.lookup(idx, e, D, K), 1e-12);
    double[] onehot = new double[6 * K];
    double[] dist = new double[6 * K];
    for (int i = 0; i < 6; i++) {
      onehot[i * K + idx[i]] = 1;
      for (int j = 0; j < K; j++) {
        dist[i * K + j] = VqReference.distance(x.toDoubleArray(), i, e, j, D, K);
      }
    }
    assertThat(r.encodings().shape().dims()).containsExactly(6, K);
    assertThat(r.encodings().toDoubleArray()).containsExactly(onehot);
    ModuleChecks.assertClose(r.distances(), dist, 1e-12);
  }

  @Test
  void call_lossIsCodebookPlusCommitmentTimesBetaAndPerplexityFromCodeUsage() {
    double beta = 0.3;
    var vq = quantizer(beta);
    Tensor x = ModuleChecks.uniform(2, 6, D);
    VectorQuantizer.Result r = vq.call(x, false);
    double[] e = vq.embeddings().peek().toDoubleArray();
    int[] idx = VqReference.nearest(x.toDoubleArray(), 6, e, D, K);
    double mse =
        VqReference.meanSquaredDifference(VqReference.lookup(idx, e, D, K), x.toDoubleArray());
    // Forward, both terms are the same mean squared error; they differ only in their gradients.
    assertThat(r.loss().item()).isCloseTo((1 + beta) * mse, Offset.offset(1e-12));
    double entropy = 0;
    for (double c : VqReference.counts(idx, K)) {
      double p = c / 6;
      entropy -= p * Math.log(p + 1e-10);
    }
    assertThat(r.perplexity().item()).isCloseTo(Math.exp(entropy), Offset.offset(1e-9));
  }

  @Test
  void quantize_isStraightThrough_gradientIsTheIdentity() {
    var vq = quantizer(0.25);
    Tensor x = ModuleChecks.uniform(3, 4, D);
    Tensor w = ModuleChecks.uniform(4, 4, D);
    List<Tensor> g;
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(x);
      g = tape.gradient(vq.call(x, true).quantize().mul(w).sum(), List.of(x));
    }
    ModuleChecks.assertClose(g.get(0), w.toDoubleArray(), 1e-12);
  }

  @Test
  void loss_gradientsMoveInputsByBetaAndCodesByOneTowardsEachOther() {
    // d loss / dx = beta * 2 (x - q) / (N D) (the commitment term; q is constant there);
    // d loss / de[:, j] = sum over rows choosing j of 2 (q - x) / (N D) (the codebook term).
    double beta = 0.25;
    var vq = quantizer(beta);
    Tensor x = ModuleChecks.uniform(5, 6, D);
    List<Tensor> g;
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(x);
      g = tape.gradient(vq.call(x, true).loss(), List.of(x));
    }
    double[] xs = x.toDoubleArray();
    double[] e = vq.embeddings().peek().toDoubleArray();
    int[] idx = VqReference.nearest(xs, 6, e, D, K);
    double[] q = VqReference.lookup(idx, e, D, K);
    double[] dx = new double[xs.length];
    double[] de = new double[e.length];
    for (int i = 0; i < 6; i++) {
      for (int c = 0; c < D; c++) {
        double diff = xs[i * D + c] - q[i * D + c];
        dx[i * D + c] = beta * 2 * diff / (6 * D);
        de[c * K + idx[i]] -= 2 * diff / (6 * D);
      }
    }
    ModuleChecks.assertClose(g.get(0), dx, 1e-12);
    List<Tensor> gv;
    try (GradientTape tape = GradientTape.open()) {
      gv = tape.gradient(vq.call(x, true).loss(), vq.trainableVariables());
    }
    ModuleChecks.assertClose(gv.get(0), de, 1e-12);
  }

  @Test
  void quantizeIndices_looksUpCodeColumns() {
    var vq = quantizer(0.25);
    double[] e = vq.embeddings().peek().toDoubleArray();
    Tensor q = vq.quantizeIndices(Tensor.of(new int[] {4, 0, 4}, 3));
    assertThat(q.shape().dims()).containsExactly(3, D);
    ModuleChecks.assertClose(q, VqReference.lookup(new int[] {4, 0, 4}, e, D, K), 0);
  }

  @Test
  void variables_areOneTrainableCodebookWithCodesInColumns() {
    var vq = new VectorQuantizer(16, 32, 0.25);
    vq.embeddings();
    assertThat(ModuleChecks.variableLines(vq))
        .containsExactly("vector_quantizer/embeddings -> f32[16,32]");
    assertThat(vq.trainableVariables()).hasSize(1);
    // Variance scaling, fan-in, uniform: within +-sqrt(3 / 16) = 0.433, with a spread that fills
    // it (512 samples of a uniform reach beyond 0.4 with probability ~1 - 0.92^512).
    double max = 0;
    for (double v : vq.embeddings().peek().toDoubleArray()) {
      max = Math.max(max, Math.abs(v));
    }
    assertThat(max).isBetween(0.4, Math.sqrt(3.0 / 16));
  }

  @Test
  void call_withWrongLastDimensionOrDtype_throws() {
    var vq = quantizer(0.25);
    assertThatThrownBy(() -> vq.call(ModuleChecks.uniform(1, 2, D + 1), true))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("should end in embeddingDim=3");
    assertThatThrownBy(() -> vq.call(Tensor.zeros(DType.FLOAT32, 2, D), true))
        .isInstanceOf(DTypeException.class)
        .hasMessageContaining("differs from the codebook's");
  }

  @Test
  void constructor_invalidSizes_throw() {
    assertThatThrownBy(() -> new VectorQuantizer(0, 4, 0.25)).hasMessageContaining("must be >= 1");
    assertThatThrownBy(() -> new VectorQuantizer(4, 0, 0.25)).hasMessageContaining("must be >= 1");
  }

  @Test
  void repr_showsTheSizesAndCost() {
    assertThat(new VectorQuantizer(64, 512, 0.25).toString())
        .isEqualTo("VectorQuantizer(embeddingDim=64, numEmbeddings=512, commitmentCost=0.25)");
  }
}

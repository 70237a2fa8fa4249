package dev.sonnet.conformance.nets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.conformance.nn.ModuleChecks;
import dev.sonnet.nets.VectorQuantizer;
import dev.sonnet.nets.VectorQuantizerEMA;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class VectorQuantizerEMATest {

  private static final int D = 2;
  private static final int K = 3;
  private static final double DECAY = 0.8;
  private static final double EPS = 1e-5;

  /** Codes (1, 0), (-1, 0), (0, 1) in the columns of {@code [D, K]}. */
  private static final double[] CODES = {1, -1, 0, 0, 0, 1};

  /** Chooses codes 0, 0, 1, 2: every code is used once the first step is taken. */
  private static final double[] X1 = {0.9, 0.1, 1.1, -0.2, -0.8, 0.1, 0.1, 0.7};

  private static final double[] X2 = {0.5, 0.6, -0.9, -0.3, 0.2, 1.2, 1.0, 0.0};

  private static VectorQuantizerEMA quantizer(double beta) {
    var vq =
        VectorQuantizerEMA.builder(D, K, beta, DECAY).epsilon(EPS).dtype(DType.FLOAT64).build();
    vq.embeddings().assign(Tensor.of(CODES, D, K));
    return vq;
  }

  /**
   * Sonnet's update in plain doubles: debiased moving averages of the code counts and of the summed
   * inputs per code, Laplace-smoothed counts, codes = summed inputs / counts.
   */
  private static final class Reference {
    final double[] hiddenCounts = new double[K];
    final double[] hiddenSums = new double[D * K];
    double[] codes = CODES.clone();
    int steps;

    /** One training step; returns the codes chosen (with the codes before the update). */
    int[] step(double[] x) {
      int n = x.length / D;
      int[] idx = VqReference.nearest(x, n, codes, D, K);
      double[] counts = VqReference.counts(idx, K);
      double[] sums = new double[D * K];
      for (int i = 0; i < n; i++) {
        for (int c = 0; c < D; c++) {
          sums[c * K + idx[i]] += x[i * D + c];
        }
      }
      steps++;
      double debias = 1 - Math.pow(DECAY, steps);
      double[] avgCounts = new double[K];
      double total = 0;
      for (int j = 0; j < K; j++) {
        hiddenCounts[j] -= (hiddenCounts[j] - counts[j]) * (1 - DECAY);
        avgCounts[j] = hiddenCounts[j] / debias;
        total += avgCounts[j];
      }
      double[] next = new double[D * K];
      for (int c = 0; c < D; c++) {
        for (int j = 0; j < K; j++) {
          hiddenSums[c * K + j] -= (hiddenSums[c * K + j] - sums[c * K + j]) * (1 - DECAY);
          double smoothed = (avgCounts[j] + EPS) / (total + K * EPS) * total;
          next[c * K + j] = hiddenSums[c * K + j] / debias / smoothed;
        }
      }
      codes = next;
      return idx;
    }
  }

  // Each code is a handful of float64 operations on O(1) values, divided by a debiasing factor
  // of at least 1 - 0.8 = 0.2: the rounding error stays below 1e-14, so 1e-12 is a wide margin,
  // while a missing debias or smoothing would change the codes by O(1e-1) (or O(1e-5) for the
  // smoothing alone, still far above 1e-12).

  @Test
  void training_movesCodesToTheDebiasedSmoothedMeanOfTheirInputs() {
    var vq = quantizer(0.25);
    var ref = new Reference();
    for (double[] x : List.of(X1, X2)) {
      double[] before = ref.codes.clone();
      int[] idx = ref.step(x);
      VectorQuantizer.Result r = vq.call(Tensor.of(x, 4, D), true);
      assertThat(r.encodingIndices().toIntArray()).containsExactly(idx);
      // The output uses the codes from before this step's update, as in Sonnet.
      ModuleChecks.assertClose(r.quantize(), VqReference.lookup(idx, before, D, K), 1e-12);
      ModuleChecks.assertClose(vq.embeddings().peek(), ref.codes, 1e-12);
    }
  }

  @Test
  void firstTrainingStep_givesEachUsedCodeTheMeanOfItsInputs() {
    // Debiasing makes the first averages the batch values, so apart from the 1e-5 smoothing each
    // code becomes the plain mean of the inputs that chose it: code 0 = mean of rows 0 and 1.
    var vq = quantizer(0.25);
    vq.call(Tensor.of(X1, 4, D), true);
    double[] e = vq.embeddings().peek().toDoubleArray();
    // The smoothing scales counts by at most (n + K eps) / n: a relative change below 1e-5.
    assertThat(e[0]).isCloseTo((0.9 + 1.1) / 2, Offset.offset(2e-5));
    assertThat(e[K]).isCloseTo((0.1 - 0.2) / 2, Offset.offset(2e-5));
    assertThat(e[1]).isCloseTo(-0.8, Offset.offset(2e-5));
    assertThat(e[K + 2]).isCloseTo(0.7, Offset.offset(2e-5));
  }

  @Test
  void evaluation_leavesCodesAndAveragesUntouched() {
    var vq = quantizer(0.25);
    vq.call(Tensor.of(X1, 4, D), false);
    assertThat(vq.embeddings().peek().toDoubleArray()).containsExactly(CODES);
    for (var v : vq.nonTrainableVariables()) {
      if (!v.name().endsWith("/embeddings")) {
        assertThat(v.peek().toDoubleArray()).as(v.name()).containsOnly(0.0);
      }
    }
  }

  @Test
  void loss_isTheCommitmentTermOnlyWithStraightThroughGradients() {
    double beta = 0.4;
    var vq = quantizer(beta);
    Tensor x = Tensor.of(X2, 4, D);
    int[] idx = VqReference.nearest(X2, 4, CODES, D, K);
    double[] q = VqReference.lookup(idx, CODES, D, K);
    Tensor w = ModuleChecks.uniform(3, 4, D);
    List<Tensor> gLoss;
    List<Tensor> gQuantize;
    VectorQuantizer.Result r;
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(x);
      r = vq.call(x, false);
      gLoss = tape.gradient(r.loss(), List.of(x));
    }
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(x);
      gQuantize = tape.gradient(vq.call(x, false).quantize().mul(w).sum(), List.of(x));
    }
    assertThat(r.loss().item())
        .isCloseTo(beta * VqReference.meanSquaredDifference(q, X2), Offset.offset(1e-12));
    double[] dx = new double[X2.length];
    for (int i = 0; i < dx.length; i++) {
      dx[i] = beta * 2 * (X2[i] - q[i]) / dx.length;
    }
    ModuleChecks.assertClose(gLoss.get(0), dx, 1e-12);
    ModuleChecks.assertClose(gQuantize.get(0), w.toDoubleArray(), 1e-12);
  }

  @Test
  void variables_areTheCodebookAndTwoMovingAveragesAllNonTrainable() {
    var vq = new VectorQuantizerEMA(4, 6, 0.25, 0.99);
    vq.embeddings();
    assertThat(vq.variables()).hasSize(7);
    assertThat(vq.nonTrainableVariables()).hasSize(7);
    assertThat(ModuleChecks.variableLines(vq))
        .containsExactlyInAnyOrder(
            "vector_quantizer_ema/embeddings -> f32[4,6] (non-trainable)",
            "vector_quantizer_ema/ema_cluster_size/average -> f32[6] (non-trainable)",
            "vector_quantizer_ema/ema_cluster_size/counter -> i64[] (non-trainable)",
            "vector_quantizer_ema/ema_cluster_size/hidden -> f32[6] (non-trainable)",
            "vector_quantizer_ema/ema_dw/average -> f32[4,6] (non-trainable)",
            "vector_quantizer_ema/ema_dw/counter -> i64[] (non-trainable)",
            "vector_quantizer_ema/ema_dw/hidden -> f32[4,6] (non-trainable)");
  }

  @Test
  void defaultInit_isVarianceScalingUniformAsInSonnet2() {
    var vq = new VectorQuantizerEMA(16, 32, 0.25, 0.99);
    double max = 0;
    for (double v : vq.embeddings().peek().toDoubleArray()) {
      max = Math.max(max, Math.abs(v));
    }
    // Within +-sqrt(3 / 16) = 0.433; 512 samples reach beyond 0.4 with probability
    // 1 - 0.924^512, indistinguishable from 1.
    assertThat(max).isBetween(0.4, Math.sqrt(3.0 / 16));
  }

  @Test
  void constructor_invalidArguments_throw() {
    assertThatThrownBy(() -> new VectorQuantizerEMA(4, 6, 0.25, 1.5))
        .hasMessageContaining("decay must be in [0, 1]");
    assertThatThrownBy(() -> new VectorQuantizerEMA(0, 6, 0.25, 0.99))
        .hasMessageContaining("must be >= 1");
  }

  @Test
  void repr_showsTheSettings() {
    assertThat(new VectorQuantizerEMA(64, 512, 0.25, 0.99).toString())
        .isEqualTo(
            "VectorQuantizerEMA(\n  embeddingDim=64,\n  numEmbeddings=512,\n  commitmentCost=0.25,\n"
                + "  decay=0.99\n)");
  }
}

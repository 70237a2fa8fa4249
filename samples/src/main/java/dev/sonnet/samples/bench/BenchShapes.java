package dev.sonnet.samples.bench;

import java.util.Map;

/**
 * The shapes the benchmarks share with {@code samples/bench/baseline.py}, which spells the same
 * table in Python: change both together.
 */
final class BenchShapes {
  private BenchShapes() {}

  /**
   * Matrix products as {@code {m, n, k, transA, transB}}: C[m, n] = op(A)[m, k] op(B)[k, n]. The
   * {@code fc*} rows are the products of one step of the main job's MLP, batch 100: forward {@code
   * x W}, weight gradient {@code x^T dy} (transA) and input gradient {@code dy W^T} (transB).
   */
  static final Map<String, int[]> GEMM =
      Map.of(
          "sq1024", new int[] {1024, 1024, 1024, 0, 0},
          "sq2048", new int[] {2048, 2048, 2048, 0, 0},
          "fc1_fwd", new int[] {100, 1024, 784, 0, 0},
          "fc2_fwd", new int[] {100, 1024, 1024, 0, 0},
          "fc3_fwd", new int[] {100, 10, 1024, 0, 0},
          "fc1_dw", new int[] {784, 1024, 100, 1, 0},
          "fc2_dw", new int[] {1024, 1024, 100, 1, 0},
          "fc2_dx", new int[] {100, 1024, 1024, 0, 1},
          "fc3_dx", new int[] {100, 1024, 10, 0, 1});

  /**
   * 3x3 convolutions, stride 1, SAME padding, as {@code {batch, height, width, inChannels,
   * outChannels}}: a mid-size layer and a first layer on RGB images.
   */
  static final Map<String, int[]> CONV =
      Map.of(
          "mid", new int[] {64, 16, 16, 32, 64},
          "first", new int[] {64, 32, 32, 3, 32});
}

package dev.sonnet.export;

/** Rewrites a graph for inference. Placeholder pass list; see the class comment of each pass. */
final class InferenceOptimizer {
  private InferenceOptimizer() {}

  static Graph optimize(Graph graph) {
    return graph;
  }
}

package dev.sonnet.export;

import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.List;

/**
 * A function as a graph, bound to the variables it reads: what {@link Tracing#trace} makes and what
 * a loaded {@link SavedModel} holds by name. Calling it runs the graph on the inputs' backend,
 * reading each variable's current value, so assigning a variable changes later results. Calls run
 * it optimized for inference: {@code matmul + bias + activation} and {@code conv + bias +
 * activation} fused into one op each, values that depend only on variables and constants computed
 * once and cached until a variable is assigned (constant folding that never freezes a variable),
 * and a buffer plan made once that frees each intermediate right after its last reader.
 *
 * <p>Under an open gradient tape the function runs every op (no cache), so gradients with respect
 * to the model's variables flow through it as through eager code; the fused ops have gradients.
 *
 * <p>Inputs are checked against the {@link #signature()}: their count, dtypes, known dimensions,
 * and that dimensions sharing a symbol agree; a mismatch is a {@link
 * dev.sonnet.tensor.ShapeException} naming the function and the spec.
 *
 * <p>Safe to call from several threads at once (each call has its own slots).
 */
public final class GraphFunction {
  private final String name;
  private final Graph graph;
  private final List<Variable> variables;
  private volatile GraphRunner optimized;
  private volatile GraphRunner plain;

  /**
   * Binds {@code graph} to {@code variables}, one per {@link Graph#variables()} entry in order, of
   * the same name, shape and dtype.
   */
  GraphFunction(String name, Graph graph, List<Variable> variables) {
    this.name = name;
    this.graph = graph;
    this.variables = List.copyOf(variables);
    if (variables.size() != graph.variables().size()) {
      throw new IllegalArgumentException(
          "GraphFunction: " + variables.size() + " variables for " + graph.variables().size());
    }
    for (int i = 0; i < variables.size(); i++) {
      GraphVariable g = graph.variables().get(i);
      Variable v = variables.get(i);
      if (!g.name().equals(v.name())
          || v.dtype() != g.value().dtype()
          || !SymbolicShape.of(v.shape()).equals(g.value().shape())) {
        throw new IllegalArgumentException(
            "GraphFunction: variable "
                + v
                + " does not fit the graph's "
                + g.value()
                + " "
                + g.name());
      }
    }
  }

  GraphFunction(Graph graph, List<Variable> variables) {
    this("traced", graph, variables);
  }

  /** This function under another name (a saved model's function name). */
  GraphFunction named(String newName) {
    return new GraphFunction(newName, graph, variables);
  }

  /** The function's name ({@code traced} for a function fresh from {@link Tracing}). */
  public String name() {
    return name;
  }

  /** The graph, as traced (not optimized): what a saved model writes and exporters translate. */
  public Graph graph() {
    return graph;
  }

  /**
   * The graph as calls run it, after the inference passes: fused nodes in place of {@code matmul +
   * bias + activation} chains. For inspection and tests.
   */
  public Graph optimizedGraph() {
    return optimized().graph();
  }

  private GraphRunner optimized() {
    GraphRunner r = optimized;
    if (r == null) {
      r = new GraphRunner(name, InferenceOptimizer.optimize(graph));
      optimized = r;
    }
    return r;
  }

  /** The variables the graph reads, in {@link Graph#variables()} order. */
  public List<Variable> variables() {
    return variables;
  }

  /** The input specs, in order. */
  public List<TensorSpec> signature() {
    List<TensorSpec> out = new ArrayList<>();
    for (GraphInput in : graph.inputs()) {
      out.add(in.spec());
    }
    return out;
  }

  /**
   * Runs the function and returns its only output.
   *
   * @throws IllegalStateException if it has several outputs (use {@link #callAll})
   */
  public Tensor call(Tensor... inputs) {
    if (graph.outputs().size() != 1) {
      throw new IllegalStateException(
          "function '"
              + name
              + "' has "
              + graph.outputs().size()
              + " outputs; use callAll to get them all");
    }
    return callAll(inputs)[0];
  }

  /** Runs the function and returns all its outputs, in order. */
  public Tensor[] callAll(Tensor... inputs) {
    return optimized().run(inputs, variables);
  }

  /**
   * Runs the graph exactly as traced, without the inference optimizations: the reference the
   * optimized graph is tested against, and a way to rule the optimizer out when debugging.
   */
  public Tensor[] callUnoptimized(Tensor... inputs) {
    GraphRunner r = plain;
    if (r == null) {
      r = new GraphRunner(name, graph);
      plain = r;
    }
    return r.run(inputs, variables);
  }

  /** Like {@code inference(input0: float32[batch, 784]) -> 1 output, 6 variables}. */
  @Override
  public String toString() {
    return name
        + signature()
        + " -> "
        + graph.outputs().size()
        + " output(s), "
        + variables.size()
        + " variable(s)";
  }
}

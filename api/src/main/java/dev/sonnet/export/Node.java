package dev.sonnet.export;

import java.util.List;
import java.util.Objects;

/**
 * One operation of a graph: what it computes, the values it reads and the values it makes.
 *
 * @param op the operation and its attributes
 * @param inputs the values read, in the op's order; each is defined earlier in the graph
 * @param outputs the values made, new in the graph
 * @param modulePath the path of the module whose call ran the op when it was traced ({@code
 *     "mlp/linear_0"}), or {@code ""} when outside any module; for messages only
 */
public record Node(GraphOp op, List<Value> inputs, List<Value> outputs, String modulePath) {
  public Node {
    Objects.requireNonNull(op, "op");
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    Objects.requireNonNull(modulePath, "modulePath");
  }

  /** Like {@code %5 = binary(ADD)(%3, %4) # mlp/linear_0}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < outputs.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(outputs.get(i));
    }
    sb.append(" = ").append(op).append('(');
    for (int i = 0; i < inputs.size(); i++) {
      sb.append(i == 0 ? "%" : ", %").append(inputs.get(i).id());
    }
    sb.append(')');
    if (!modulePath.isEmpty()) {
      sb.append("  # ").append(modulePath);
    }
    return sb.toString();
  }
}

package dev.sonnet.checkpoint;

import dev.sonnet.utils.ProtoReader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The object graph of a TensorFlow 2 object-based checkpoint ({@code TrackableObjectGraph}): the
 * objects saved (node 0 is the {@code tf.train.Checkpoint} itself), the named edges between them
 * (attribute names such as {@code module}, {@code _layers}, {@code 0}, {@code w}) and the tensors
 * each object saved. Its one job here is {@link #attributePaths()}: each tensor's checkpoint key
 * with the path of attribute names that reaches its object from the root, like {@code
 * module/_layers/0/w}, which is how Sonnet's modules name their variables on disk.
 *
 * <p>Paths are found breadth-first from the root, following children in order, so an object
 * reachable two ways gets its shortest path (the one TensorFlow uses). Node ids out of range and
 * checkpoint keys the bundle does not hold are errors.
 */
public final class TrackableObjectGraph {
  /** The attribute name under which a variable saves its value. */
  public static final String VARIABLE_VALUE = "VARIABLE_VALUE";

  /** The most nodes accepted; each costs a few objects, and a real model has thousands. */
  static final int MAX_NODES = 1 << 20;

  /** The most characters all paths together may have, so a deep chain cannot exhaust memory. */
  static final long MAX_PATH_CHARS = 1L << 26;

  /** A saved tensor: its object's attribute path, the attribute name and its checkpoint key. */
  public record Attribute(String objectPath, String name, String fullName, String checkpointKey) {}

  /** An object graph proto is well formed but inconsistent (a node id out of range). */
  static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  private record Child(int node, String name) {}

  private record Node(List<Child> children, List<String[]> attributes) {}

  private final Map<String, Attribute> byKey;

  private TrackableObjectGraph(Map<String, Attribute> byKey) {
    this.byKey = Collections.unmodifiableMap(byKey);
  }

  /** Every saved tensor by checkpoint key, in the order the graph reaches them. */
  public Map<String, Attribute> attributePaths() {
    return byKey;
  }

  static TrackableObjectGraph parse(byte[] proto, Set<String> keys) throws Invalid {
    ProtoReader in = new ProtoReader(proto, "TrackableObjectGraph");
    List<Node> nodes = new ArrayList<>();
    for (int f; (f = in.next()) != -1; ) {
      if (f != 1) {
        in.skip();
        continue;
      }
      if (nodes.size() >= MAX_NODES) {
        throw new Invalid("more than " + MAX_NODES + " nodes");
      }
      ProtoReader n = in.message("nodes[" + nodes.size() + "]");
      Node node = new Node(new ArrayList<>(), new ArrayList<>());
      for (int g; (g = n.next()) != -1; ) {
        if (g == 1) {
          ProtoReader c = n.message("children");
          int id = -1;
          String name = "";
          for (int h; (h = c.next()) != -1; ) {
            switch (h) {
              case 1 -> id = c.int32();
              case 2 -> name = c.string();
              default -> c.skip();
            }
          }
          node.children.add(new Child(id, name));
        } else if (g == 2) {
          ProtoReader a = n.message("attributes");
          String[] attr = {"", "", ""};
          for (int h; (h = a.next()) != -1; ) {
            if (h >= 1 && h <= 3) {
              attr[h - 1] = a.string();
            } else {
              a.skip();
            }
          }
          node.attributes.add(attr);
        } else {
          n.skip();
        }
      }
      nodes.add(node);
    }
    if (nodes.isEmpty()) {
      throw new Invalid("it has no nodes");
    }
    String[] paths = new String[nodes.size()];
    paths[0] = "";
    Deque<Integer> queue = new ArrayDeque<>();
    queue.add(0);
    Map<String, Attribute> byKey = new LinkedHashMap<>();
    long pathChars = 0;
    while (!queue.isEmpty()) {
      int id = queue.poll();
      Node node = nodes.get(id);
      for (String[] a : node.attributes) {
        if (!keys.contains(a[2])) {
          throw new Invalid(
              "node "
                  + id
                  + " ("
                  + (paths[id].isEmpty() ? "the root" : paths[id])
                  + ") saved \""
                  + a[0]
                  + "\" under checkpoint key \""
                  + a[2]
                  + "\", which the index does not hold");
        }
        byKey.putIfAbsent(a[2], new Attribute(paths[id], a[0], a[1], a[2]));
      }
      for (Child c : node.children) {
        if (c.node < 0 || c.node >= nodes.size()) {
          throw new Invalid(
              "node "
                  + id
                  + " has a child \""
                  + c.name
                  + "\" with node id "
                  + c.node
                  + ", outside [0, "
                  + nodes.size()
                  + ")");
        }
        if (paths[c.node] == null) {
          pathChars += paths[id].length() + 1 + c.name.length();
          if (pathChars > MAX_PATH_CHARS) {
            throw new Invalid(
                "its attribute paths add up to more than " + MAX_PATH_CHARS + " chars");
          }
          paths[c.node] = paths[id].isEmpty() ? c.name : paths[id] + "/" + c.name;
          queue.add(c.node);
        }
      }
    }
    return new TrackableObjectGraph(byKey);
  }
}

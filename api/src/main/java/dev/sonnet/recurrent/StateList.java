package dev.sonnet.recurrent;

import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A list of states, one per core of a stack: its leaves are the items' leaves in order, named
 * {@code <index>_<leaf name>} ({@code 0_hidden}), or {@code <index>} for an item that is one
 * tensor.
 */
public record StateList(List<State<?>> items) implements State<StateList> {
  /** A list of {@code items}; copied. */
  public StateList {
    items = List.copyOf(items);
  }

  /** A list of {@code items}. */
  public static StateList of(State<?>... items) {
    return new StateList(List.of(items));
  }

  @Override
  public List<Tensor> leaves() {
    List<Tensor> out = new ArrayList<>();
    for (State<?> s : items) {
      out.addAll(s.leaves());
    }
    return out;
  }

  @Override
  public List<String> leafNames() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      for (String n : items.get(i).leafNames()) {
        out.add(n.isEmpty() ? Integer.toString(i) : i + "_" + n);
      }
    }
    return out;
  }

  @Override
  public boolean structureEquals(State<?> other) {
    if (!(other instanceof StateList list) || list.items.size() != items.size()) {
      return false;
    }
    for (int i = 0; i < items.size(); i++) {
      if (!items.get(i).structureEquals(list.items.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public StateList withLeaves(List<Tensor> leaves) {
    List<State<?>> out = new ArrayList<>(items.size());
    int at = 0;
    for (State<?> s : items) {
      int n = s.leaves().size();
      if (at + n > leaves.size()) {
        break;
      }
      out.add(s.withLeaves(leaves.subList(at, at + n)));
      at += n;
    }
    if (at != leaves.size() || out.size() != items.size()) {
      throw new IllegalArgumentException(
          "StateList holds "
              + leaves().size()
              + " leaves "
              + leafNames()
              + ", got "
              + leaves.size()
              + " to rebuild it from");
    }
    return new StateList(out);
  }
}

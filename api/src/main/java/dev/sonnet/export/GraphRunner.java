package dev.sonnet.export;

import dev.sonnet.SonnetException;
import dev.sonnet.backend.Backend;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.checkpoint.HostArray;
import dev.sonnet.ops.Dispatch;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.TensorScope;
import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a {@link Graph}: compiled once into an array of steps over numbered slots, with the symbol
 * of each unknown input dimension bound from the call's inputs, and a buffer plan made once: the
 * slot each step frees after it ran (the last reader of an intermediate tensor releases it at once,
 * so the CPU runtime's pools hand the same arrays to the next op and the next call).
 *
 * <p>Every step is one dispatched op, through the library's public, validating entry points, so a
 * graph runs on any backend and a gradient tape sees it. An intermediate shares memory with another
 * when an op returns a view (a reshape); a buffer is released only when no live slot, input,
 * variable, constant or output holds it.
 */
final class GraphRunner {
  private final String name;
  private final Graph graph;
  private final int slotCount;
  private final int[] inputSlots;
  private final int[] variableSlots;
  private final int[] constantSlots;
  private final HostArray[] constantData;
  private final int[] outputSlots;
  private final Step[] steps;
  private final int[][] releaseAfter;
  private final List<String> symbols;

  /** Per input, per axis: the index of its symbol, or -1 where the size is known. */
  private final int[][] inputSymbols;

  /** Constants uploaded to each backend they were used on; never released. */
  private final Map<Backend, Tensor[]> constants = new IdentityHashMap<>();

  /**
   * Whether a slot's value depends only on constants and variables (not on an input, nor on a size
   * from an input): such values are computed once and cached until a variable changes.
   */
  private final boolean[] isStatic;

  /** Whether step {@code i} computes static values. */
  private final boolean[] staticStep;

  /** The static values of the last call, per backend, with the variable values they came from. */
  private final Map<Backend, StaticCache> staticCaches = new IdentityHashMap<>();

  private static final int[] NONE = new int[0];

  private record StaticCache(Tensor[] variableValues, Tensor[] slots) {}

  GraphRunner(String name, Graph graph) {
    this.name = name;
    this.graph = graph;
    Map<Integer, Integer> slot = new HashMap<>();
    symbols = new ArrayList<>(graph.symbols());
    inputSlots = new int[graph.inputs().size()];
    inputSymbols = new int[inputSlots.length][];
    for (int i = 0; i < inputSlots.length; i++) {
      GraphInput in = graph.inputs().get(i);
      inputSlots[i] = assign(slot, in.value());
      inputSymbols[i] = new int[in.spec().rank()];
      for (int a = 0; a < inputSymbols[i].length; a++) {
        String s = in.spec().symbols().get(a);
        inputSymbols[i][a] = s == null ? -1 : symbols.indexOf(s);
      }
    }
    variableSlots = new int[graph.variables().size()];
    for (int i = 0; i < variableSlots.length; i++) {
      variableSlots[i] = assign(slot, graph.variables().get(i).value());
    }
    constantSlots = new int[graph.constants().size()];
    constantData = new HostArray[constantSlots.length];
    for (int i = 0; i < constantSlots.length; i++) {
      constantSlots[i] = assign(slot, graph.constants().get(i).value());
      constantData[i] = graph.constants().get(i).data();
    }
    steps = new Step[graph.nodes().size()];
    for (int i = 0; i < steps.length; i++) {
      Node n = graph.nodes().get(i);
      int[] in = new int[n.inputs().size()];
      for (int j = 0; j < in.length; j++) {
        in[j] = slot.get(n.inputs().get(j).id());
      }
      int[] out = new int[n.outputs().size()];
      for (int j = 0; j < out.length; j++) {
        out[j] = assign(slot, n.outputs().get(j));
      }
      steps[i] = new Step(n, NodeKernels.compile(n, symbols), in, out);
    }
    slotCount = slot.size();
    outputSlots = new int[graph.outputs().size()];
    for (int i = 0; i < outputSlots.length; i++) {
      outputSlots[i] = slot.get(graph.outputs().get(i).id());
    }
    isStatic = new boolean[slotCount];
    staticStep = new boolean[steps.length];
    for (int v : variableSlots) {
      isStatic[v] = true;
    }
    for (int c : constantSlots) {
      isStatic[c] = true;
    }
    for (int i = 0; i < steps.length; i++) {
      boolean st = !usesSymbols(steps[i].node);
      for (int in : steps[i].in) {
        st &= isStatic[in];
      }
      staticStep[i] = st;
      for (int out : steps[i].out) {
        isStatic[out] = st;
      }
    }
    releaseAfter = planReleases();
  }

  private static int assign(Map<Integer, Integer> slot, Value v) {
    int s = slot.size();
    slot.put(v.id(), s);
    return s;
  }

  /** For each step, the node outputs it reads last (never an output of the graph). */
  private int[][] planReleases() {
    int[] lastUse = new int[slotCount];
    java.util.Arrays.fill(lastUse, -1);
    for (int i = 0; i < steps.length; i++) {
      for (int s : steps[i].in) {
        lastUse[s] = i;
      }
      for (int s : steps[i].out) {
        lastUse[s] = Math.max(lastUse[s], i); // an output nobody reads dies at once
      }
    }
    boolean[] keep = isStatic.clone();
    for (int s : outputSlots) {
      keep[s] = true;
    }
    for (int s : inputSlots) {
      keep[s] = true; // variables and constants are static, so kept already
    }
    List<List<Integer>> per = new ArrayList<>();
    for (int i = 0; i < steps.length; i++) {
      per.add(new ArrayList<>());
    }
    for (int s = 0; s < slotCount; s++) {
      if (!keep[s] && lastUse[s] >= 0) {
        per.get(lastUse[s]).add(s);
      }
    }
    int[][] out = new int[steps.length][];
    for (int i = 0; i < out.length; i++) {
      out[i] = per.get(i).stream().mapToInt(Integer::intValue).toArray();
    }
    return out;
  }

  Graph graph() {
    return graph;
  }

  /** Runs the graph on {@code inputs} (checked against the signature) reading {@code variables}. */
  Tensor[] run(Tensor[] inputs, List<Variable> variables) {
    long[] sym = bind(inputs);
    Backend backend = inputs.length > 0 ? inputs[0].backend() : null;
    Tensor[] vals = new Tensor[slotCount];
    IdentityHashMap<DeviceBuffer, int[]> refs = new IdentityHashMap<>();
    IdentityHashMap<DeviceBuffer, Boolean> held = new IdentityHashMap<>();
    for (int i = 0; i < inputSlots.length; i++) {
      vals[inputSlots[i]] = inputs[i];
      held.put(inputs[i].buffer(), Boolean.TRUE);
    }
    Tensor[] variableValues = new Tensor[variableSlots.length];
    for (int i = 0; i < variableSlots.length; i++) {
      Tensor v = variables.get(i).read();
      variableValues[i] = v;
      vals[variableSlots[i]] = v;
    }
    Tensor[] consts = constantsOn(backend);
    for (int i = 0; i < constantSlots.length; i++) {
      vals[constantSlots[i]] = consts[i];
    }
    // Static values: from the cache when no variable changed since it was made; never while a
    // gradient tape records, so that the tape sees every op from the variables on.
    boolean cached = false;
    if (!Dispatch.isRecording()) {
      synchronized (staticCaches) {
        StaticCache c = staticCaches.get(backend);
        if (c == null || !sameTensors(c.variableValues(), variableValues)) {
          c = new StaticCache(variableValues, computeStatic(vals, sym, backend));
          staticCaches.put(backend, c);
        }
        for (int s = 0; s < slotCount; s++) {
          if (c.slots()[s] != null) {
            vals[s] = c.slots()[s];
          }
        }
        cached = true;
      }
    }
    for (int s = 0; s < slotCount; s++) {
      if (isStatic[s] && vals[s] != null) {
        held.put(vals[s].buffer(), Boolean.TRUE);
      }
    }
    for (int i = 0; i < steps.length; i++) {
      if (cached && staticStep[i]) {
        continue;
      }
      Step step = steps[i];
      Tensor[] in = new Tensor[step.in.length];
      for (int j = 0; j < in.length; j++) {
        in[j] = vals[step.in[j]];
      }
      Tensor[] out = runStep(i, in, sym, backend);
      for (int j = 0; j < out.length; j++) {
        vals[step.out[j]] = out[j];
        refs.computeIfAbsent(out[j].buffer(), b -> new int[1])[0]++;
      }
      // A tape keeps every intermediate for its backward pass: release nothing while one records.
      for (int s : cached ? releaseAfter[i] : NONE) {
        Tensor t = vals[s];
        vals[s] = null;
        DeviceBuffer b = t.buffer();
        int[] count = refs.get(b);
        if (--count[0] == 0 && !held.containsKey(b)) {
          refs.remove(b);
          t.release();
        }
      }
    }
    Tensor[] result = new Tensor[outputSlots.length];
    for (int i = 0; i < result.length; i++) {
      result[i] = vals[outputSlots[i]];
    }
    return result;
  }

  /** Whether the node's attributes or outputs depend on a symbol's value. */
  private static boolean usesSymbols(Node n) {
    for (Value v : n.outputs()) {
      if (!v.shape().isConstant()) {
        return true;
      }
    }
    return switch (n.op()) {
      case GraphOp.Reshape r -> !r.shape().isConstant();
      case GraphOp.BroadcastTo b -> !b.shape().isConstant();
      case GraphOp.Fill f -> !f.shape().isConstant();
      case GraphOp.Slice sl ->
          !sl.size().isConstant() || sl.begin().stream().anyMatch(d -> !d.isConstant());
      case GraphOp.Split sp -> sp.sizes().stream().anyMatch(d -> !d.isConstant());
      default -> false;
    };
  }

  private static boolean sameTensors(Tensor[] a, Tensor[] b) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] != b[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Runs the static steps on {@code vals} (variables and constants filled in) and returns the
   * static node outputs, detached from any open {@link TensorScope} so that the cache outlives it.
   */
  private Tensor[] computeStatic(Tensor[] vals, long[] sym, Backend backend) {
    Tensor[] slots = new Tensor[slotCount];
    Tensor[] work = vals.clone();
    for (int i = 0; i < steps.length; i++) {
      if (!staticStep[i]) {
        continue;
      }
      Step step = steps[i];
      Tensor[] in = new Tensor[step.in.length];
      for (int j = 0; j < in.length; j++) {
        in[j] = work[step.in[j]];
      }
      Tensor[] out = runStep(i, in, sym, backend);
      for (int j = 0; j < out.length; j++) {
        TensorScope.detach(out[j]);
        work[step.out[j]] = out[j];
        slots[step.out[j]] = out[j];
      }
    }
    return slots;
  }

  private Tensor[] runStep(int i, Tensor[] in, long[] sym, Backend backend) {
    Step step = steps[i];
    try {
      return step.kernel.run(in, sym, backend);
    } catch (SonnetException | IllegalArgumentException | IllegalStateException e) {
      throw new SonnetException(
          "function '"
              + name
              + "': op "
              + i
              + " ("
              + step.node.op()
              + TraceException.where(step.node.modulePath())
              + ") failed: "
              + e.getMessage(),
          e);
    }
  }

  /** Checks {@code inputs} against the signature and binds each symbol to its size. */
  private long[] bind(Tensor[] inputs) {
    List<GraphInput> specs = graph.inputs();
    if (inputs.length != specs.size()) {
      throw new ShapeException(
          "function '"
              + name
              + "' takes "
              + specs.size()
              + " inputs "
              + signature()
              + ", got "
              + inputs.length);
    }
    long[] sym = new long[symbols.size()];
    int[] boundBy = new int[symbols.size()];
    java.util.Arrays.fill(sym, -1);
    for (int i = 0; i < inputs.length; i++) {
      TensorSpec spec = specs.get(i).spec();
      Tensor x = inputs[i];
      if (x == null) {
        throw new IllegalArgumentException(
            "function '" + name + "': input " + i + " (" + spec + ") is null");
      }
      if (x.dtype() != spec.dtype() || !spec.accepts(x.shape())) {
        throw new ShapeException(
            "function '"
                + name
                + "': input "
                + i
                + " must be "
                + spec
                + ", got "
                + x.dtype().name().toLowerCase(java.util.Locale.ROOT)
                + x.shape());
      }
      if (i > 0 && x.backend() != inputs[0].backend()) {
        throw new IllegalArgumentException(
            "function '"
                + name
                + "': inputs live on different backends ("
                + inputs[0].backend().name()
                + " and "
                + x.backend().name()
                + "); move one with tensor.to(backend)");
      }
      for (int a = 0; a < inputSymbols[i].length; a++) {
        int s = inputSymbols[i][a];
        if (s < 0) {
          continue;
        }
        int size = x.shape().dim(a);
        if (sym[s] == -1) {
          sym[s] = size;
          boundBy[s] = i;
        } else if (sym[s] != size) {
          throw new ShapeException(
              "function '"
                  + name
                  + "': unknown dimension '"
                  + symbols.get(s)
                  + "' is "
                  + sym[s]
                  + " in input "
                  + boundBy[s]
                  + " but "
                  + size
                  + " in axis "
                  + a
                  + " of input "
                  + i
                  + "; inputs sharing a symbol must agree");
        }
      }
    }
    return sym;
  }

  private String signature() {
    List<String> s = new ArrayList<>();
    for (GraphInput in : graph.inputs()) {
      s.add(in.spec().toString());
    }
    return s.toString();
  }

  private synchronized Tensor[] constantsOn(Backend backend) {
    Tensor[] c = constants.get(backend);
    if (c == null) {
      c = new Tensor[constantData.length];
      for (int i = 0; i < c.length; i++) {
        c[i] = constantData[i].toTensor(backend);
      }
      constants.put(backend, c);
    }
    return c;
  }

  /** One node, compiled. */
  private record Step(Node node, NodeKernels.Kernel kernel, int[] in, int[] out) {}
}

package dev.sonnet.export;

import dev.sonnet.backend.ReduceKind;
import dev.sonnet.ops.ConvParams;
import dev.sonnet.tensor.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a graph read from a file before anything runs it: each node's op must produce, from its
 * inputs' dtypes and shapes, exactly the outputs the graph declares. The check evaluates every
 * shape at two assignments of the symbols (the sizes the tracer used: all at their base sizes, and
 * all changed), so a graph that is consistent for its symbols passes and a hostile one (a reshape
 * to a different size, a slice outside its input, a convolution whose channels do not match, a
 * value of a billion elements) is refused with the node and the problem.
 *
 * <p>Every value's size at those assignments is bounded by {@link #MAX_ELEMENTS}: a file cannot
 * make a loaded function allocate without bound beyond what its inputs ask for.
 */
final class GraphChecker {
  /** No value may hold more elements than this at the checked sizes (1 GiB of float32). */
  static final long MAX_ELEMENTS = 1L << 28;

  private GraphChecker() {}

  /** Checks the number of inputs and outputs of {@code op}. */
  static void checkArity(JsonFields j, GraphOp op, int inputs, int outputs, String w) {
    int in;
    int out = 1;
    switch (op) {
      case GraphOp.Binary b -> in = 2;
      case GraphOp.MatMul m -> in = 2;
      case GraphOp.Gather g -> in = 2;
      case GraphOp.Conv c -> in = 2;
      case GraphOp.Where x -> in = 3;
      case GraphOp.Fill f -> in = 0;
      case GraphOp.Concat c -> in = Math.max(1, inputs);
      case GraphOp.Split s -> {
        in = 1;
        out = s.sizes().size();
      }
      case GraphOp.FusedMatMul f -> in = f.hasBias() ? 3 : 2;
      case GraphOp.FusedConv f -> in = f.hasBias() ? 3 : 2;
      case GraphOp.WinogradFilter f -> in = 1;
      case GraphOp.WinogradConv f -> in = f.hasBias() ? 4 : 3;
      case GraphOp.ConvMaxPool f -> in = (f.winograd() ? 3 : 2) + (f.hasBias() ? 1 : 0);
      case GraphOp.Scan sc -> {
        in = sc.body().inputs().size();
        out = sc.body().outputs().size();
      }
      default -> in = 1;
    }
    if (inputs != in || outputs != out || outputs == 0) {
      throw j.error(
          w,
          "op '"
              + op.name()
              + "' takes "
              + in
              + " input(s) and makes "
              + out
              + " output(s), but the node lists "
              + inputs
              + " and "
              + outputs);
    }
  }

  /** Checks every node of {@code g} at two symbol assignments; {@code w} names the function. */
  static void check(JsonFields j, Graph g, String w, String function) {
    List<String> symbols = new ArrayList<>(g.symbols());
    symbols.sort(null);
    for (int pass = 0; pass < 2; pass++) {
      Map<String, Long> sizes = new HashMap<>();
      for (int s = 0; s < symbols.size(); s++) {
        sizes.put(symbols.get(s), pass == 0 ? Tracing.baseSize(s) : Tracing.finalSize(s));
      }
      Map<Integer, int[]> shapes = new HashMap<>();
      for (GraphInput in : g.inputs()) {
        shapes.put(in.value().id(), eval(j, in.value(), sizes, w));
      }
      for (GraphVariable v : g.variables()) {
        shapes.put(v.value().id(), eval(j, v.value(), sizes, w));
      }
      for (GraphConstant c : g.constants()) {
        shapes.put(c.value().id(), eval(j, c.value(), sizes, w));
      }
      for (int i = 0; i < g.nodes().size(); i++) {
        Node n = g.nodes().get(i);
        String wn = w + ".nodes[" + i + "] (" + n.op().name() + ")";
        List<int[]> in = new ArrayList<>();
        List<DType> dt = new ArrayList<>();
        for (Value v : n.inputs()) {
          in.add(shapes.get(v.id()));
          dt.add(v.dtype());
        }
        List<int[]> declared = new ArrayList<>();
        for (Value v : n.outputs()) {
          int[] s = eval(j, v, sizes, w);
          declared.add(s);
          shapes.put(v.id(), s);
        }
        Result r;
        try {
          r = infer(n.op(), in, dt, sizes);
        } catch (IllegalArgumentException | ArithmeticException e) {
          throw j.error(wn, e.getMessage() + " (at sizes " + sizes + ")");
        }
        for (int o = 0; o < declared.size(); o++) {
          Value v = n.outputs().get(o);
          if (!Arrays.equals(r.shapes.get(o), declared.get(o)) || r.dtypes.get(o) != v.dtype()) {
            throw j.error(
                wn,
                "output "
                    + o
                    + " is declared "
                    + v
                    + " = "
                    + Arrays.toString(declared.get(o))
                    + " at sizes "
                    + sizes
                    + ", but the op makes "
                    + r.dtypes.get(o)
                    + Arrays.toString(r.shapes.get(o)));
          }
        }
      }
    }
  }

  private static int[] eval(JsonFields j, Value v, Map<String, Long> sizes, String w) {
    int[] d = new int[v.shape().rank()];
    long total = 1;
    for (int a = 0; a < d.length; a++) {
      long x;
      try {
        x = v.shape().dim(a).evaluate(sizes::get);
      } catch (ArithmeticException e) {
        x = -1;
      }
      if (x < 0 || x > Integer.MAX_VALUE) {
        throw j.error(w, "value " + v + " has axis " + a + " of size " + x + " at sizes " + sizes);
      }
      d[a] = (int) x;
      total = Math.min(Long.MAX_VALUE / 2, total * Math.max(1, x));
      if (x == 0) {
        total = 0;
        break;
      }
    }
    if (total > MAX_ELEMENTS) {
      throw j.error(
          w, "value " + v + " holds more than " + MAX_ELEMENTS + " elements at sizes " + sizes);
    }
    return d;
  }

  /** Output shapes and dtypes. */
  private record Result(List<int[]> shapes, List<DType> dtypes) {
    static Result of(int[] shape, DType dtype) {
      return new Result(List.of(shape), List.of(dtype));
    }
  }

  private static IllegalArgumentException bad(String message) {
    return new IllegalArgumentException(message);
  }

  private static int[] ints(List<DimExpr> dims, Map<String, Long> sizes) {
    int[] out = new int[dims.size()];
    for (int i = 0; i < out.length; i++) {
      long v = dims.get(i).evaluate(sizes::get);
      if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
        throw bad("a size evaluates to " + v);
      }
      out[i] = (int) v;
    }
    return out;
  }

  private static int[] nonNegative(int[] d) {
    for (int x : d) {
      if (x < 0) {
        throw bad("a size evaluates to " + x);
      }
    }
    return d;
  }

  private static long size(int[] d) {
    long n = 1;
    for (int x : d) {
      n = Math.multiplyExact(n, x);
    }
    return n;
  }

  private static int[] broadcast(int[] a, int[] b) {
    int r = Math.max(a.length, b.length);
    int[] out = new int[r];
    for (int i = 0; i < r; i++) {
      int x = i < r - a.length ? 1 : a[i - (r - a.length)];
      int y = i < r - b.length ? 1 : b[i - (r - b.length)];
      if (x != y && x != 1 && y != 1) {
        throw bad(
            "shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
      }
      out[i] = x == 1 ? y : x;
    }
    return out;
  }

  private static void sameDtype(List<DType> dt) {
    for (DType d : dt) {
      if (d != dt.get(0)) {
        throw bad("inputs of dtypes " + dt + " must share one dtype");
      }
    }
  }

  private static void floating(DType d) {
    if (!d.isFloating()) {
      throw bad("needs a floating dtype, got " + d);
    }
  }

  private static int[] toArray(List<Integer> l) {
    int[] out = new int[l.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = l.get(i);
    }
    return out;
  }

  private static Result infer(GraphOp op, List<int[]> in, List<DType> dt, Map<String, Long> sizes) {
    return switch (op) {
      case GraphOp.Unary u -> Result.of(in.get(0), dt.get(0));
      case GraphOp.Binary b -> {
        sameDtype(dt);
        yield Result.of(
            broadcast(in.get(0), in.get(1)), b.kind().returnsBool() ? DType.BOOL : dt.get(0));
      }
      case GraphOp.Cast c -> Result.of(in.get(0), c.dtype());
      case GraphOp.MatMul m ->
          Result.of(
              matmul(in.get(0), in.get(1), m.transposeA(), m.transposeB()), checkMatmulDtype(dt));
      case GraphOp.Reshape r -> {
        int[] out = nonNegative(ints(r.shape().dims(), sizes));
        if (size(out) != size(in.get(0))) {
          throw bad(
              "reshape of "
                  + Arrays.toString(in.get(0))
                  + " to "
                  + Arrays.toString(out)
                  + " changes the size");
        }
        yield Result.of(out, dt.get(0));
      }
      case GraphOp.BroadcastTo r -> {
        int[] out = nonNegative(ints(r.shape().dims(), sizes));
        int[] x = in.get(0);
        if (x.length > out.length || !Arrays.equals(broadcast(x, out), out)) {
          throw bad(Arrays.toString(x) + " does not broadcast to " + Arrays.toString(out));
        }
        yield Result.of(out, dt.get(0));
      }
      case GraphOp.Permute p -> {
        int[] x = in.get(0);
        int[] perm = toArray(p.perm());
        if (perm.length != x.length) {
          throw bad("permutation " + Arrays.toString(perm) + " of a rank-" + x.length + " tensor");
        }
        boolean[] seen = new boolean[x.length];
        int[] out = new int[x.length];
        for (int i = 0; i < perm.length; i++) {
          if (perm[i] < 0 || perm[i] >= x.length || seen[perm[i]]) {
            throw bad(Arrays.toString(perm) + " is not a permutation of " + x.length + " axes");
          }
          seen[perm[i]] = true;
          out[i] = x[perm[i]];
        }
        yield Result.of(out, dt.get(0));
      }
      case GraphOp.Slice s -> {
        int[] x = in.get(0);
        int[] begin = ints(s.begin(), sizes);
        int[] step = toArray(s.step());
        int[] size = nonNegative(ints(s.size().dims(), sizes));
        if (begin.length != x.length || step.length != x.length || size.length != x.length) {
          throw bad(
              "slice of a rank-" + x.length + " tensor needs begin, step and size of that length");
        }
        for (int i = 0; i < x.length; i++) {
          if (step[i] == 0) {
            throw bad("slice step of axis " + i + " is 0");
          }
          if (size[i] > 0) {
            long last = begin[i] + (long) step[i] * (size[i] - 1);
            if (begin[i] < 0 || begin[i] >= x[i] || last < 0 || last >= x[i]) {
              throw bad("slice of axis " + i + " (size " + x[i] + ") leaves the tensor");
            }
          }
        }
        yield Result.of(size, dt.get(0));
      }
      case GraphOp.Split s -> {
        int[] x = in.get(0);
        if (s.axis() >= x.length) {
          throw bad("split axis " + s.axis() + " of a rank-" + x.length + " tensor");
        }
        int[] parts = nonNegative(ints(s.sizes(), sizes));
        long total = 0;
        List<int[]> outs = new ArrayList<>();
        List<DType> dts = new ArrayList<>();
        for (int p : parts) {
          total += p;
          int[] o = x.clone();
          o[s.axis()] = p;
          outs.add(o);
          dts.add(dt.get(0));
        }
        if (total != x[s.axis()]) {
          throw bad("split sizes " + Arrays.toString(parts) + " do not add up to " + x[s.axis()]);
        }
        yield new Result(outs, dts);
      }
      case GraphOp.Concat c -> {
        sameDtype(dt);
        int[] first = in.get(0);
        if (c.axis() >= first.length) {
          throw bad("concat axis " + c.axis() + " of rank-" + first.length + " tensors");
        }
        int[] out = first.clone();
        out[c.axis()] = 0;
        for (int[] x : in) {
          if (x.length != first.length) {
            throw bad("concat of tensors of different ranks");
          }
          for (int a = 0; a < x.length; a++) {
            if (a != c.axis() && x[a] != first[a]) {
              throw bad("concat of " + Arrays.toString(first) + " and " + Arrays.toString(x));
            }
          }
          out[c.axis()] = Math.addExact(out[c.axis()], x[c.axis()]);
        }
        yield Result.of(out, dt.get(0));
      }
      case GraphOp.Pad p -> {
        int[] x = in.get(0);
        if (p.before().size() != x.length || p.after().size() != x.length) {
          throw bad("padding of a rank-" + x.length + " tensor needs " + x.length + " entries");
        }
        int[] out = new int[x.length];
        for (int a = 0; a < x.length; a++) {
          out[a] = Math.addExact(Math.addExact(x[a], p.before().get(a)), p.after().get(a));
        }
        yield Result.of(out, dt.get(0));
      }
      case GraphOp.Gather g -> {
        int[] x = in.get(0);
        int[] idx = in.get(1);
        if (g.axis() >= x.length) {
          throw bad("gather axis " + g.axis() + " of a rank-" + x.length + " tensor");
        }
        if (dt.get(1) != DType.INT32 && dt.get(1) != DType.INT64) {
          throw bad("gather indices must be int32 or int64, got " + dt.get(1));
        }
        int[] out = new int[x.length - 1 + idx.length];
        int k = 0;
        for (int a = 0; a < g.axis(); a++) {
          out[k++] = x[a];
        }
        for (int d : idx) {
          out[k++] = d;
        }
        for (int a = g.axis() + 1; a < x.length; a++) {
          out[k++] = x[a];
        }
        yield Result.of(out, dt.get(0));
      }
      case GraphOp.Where w -> {
        if (dt.get(0) != DType.BOOL || dt.get(1) != dt.get(2)) {
          throw bad("where needs a bool condition and two values of one dtype, got " + dt);
        }
        yield Result.of(broadcast(broadcast(in.get(0), in.get(1)), in.get(2)), dt.get(1));
      }
      case GraphOp.Reduce r -> {
        int[] x = in.get(0);
        int[] axes = toArray(r.axes());
        boolean arg = r.kind() == ReduceKind.ARGMAX || r.kind() == ReduceKind.ARGMIN;
        if (arg && (axes.length != 1 || r.keepDims())) {
          throw bad(r.kind() + " reduces exactly one axis without keep_dims");
        }
        boolean[] reduced = new boolean[x.length];
        for (int i = 0; i < axes.length; i++) {
          if (axes[i] >= x.length || (i > 0 && axes[i] <= axes[i - 1])) {
            throw bad(
                "axes "
                    + Arrays.toString(axes)
                    + " must be sorted, distinct and below rank "
                    + x.length);
          }
          reduced[axes[i]] = true;
        }
        List<Integer> out = new ArrayList<>();
        for (int a = 0; a < x.length; a++) {
          if (!reduced[a]) {
            out.add(x[a]);
          } else if (r.keepDims()) {
            out.add(1);
          }
        }
        yield Result.of(toArray(out), arg ? DType.INT64 : dt.get(0));
      }
      case GraphOp.Conv c -> {
        sameDtype(dt);
        floating(dt.get(0));
        yield Result.of(conv(c.params(), in.get(0), in.get(1)), dt.get(0));
      }
      case GraphOp.Pool p -> {
        floating(dt.get(0));
        int[] x = in.get(0);
        ConvParams params = p.params();
        int n = params.rank();
        if (p.window().size() != n || x.length != n + 2 || params.groups() != 1) {
          throw bad(
              "pooling of "
                  + n
                  + " spatial dimensions needs a rank-"
                  + (n + 2)
                  + " input, a window of "
                  + n
                  + " and one group");
        }
        for (int d : params.dilation()) {
          if (d != 1) {
            throw bad("pooling has no dilation");
          }
        }
        int[] out = x.clone();
        for (int d = 0; d < n; d++) {
          out[1 + d] = outSize(x[1 + d], p.window().get(d), params, d);
        }
        yield Result.of(out, dt.get(0));
      }
      case GraphOp.Fill f -> Result.of(nonNegative(ints(f.shape().dims(), sizes)), f.dtype());
      case GraphOp.Scan sc -> scan(sc, in, dt, sizes);
      case GraphOp.FusedMatMul f -> throw bad("a fused op cannot come from a file");
      case GraphOp.FusedConv f -> throw bad("a fused op cannot come from a file");
      case GraphOp.WinogradFilter f -> throw bad("a fused op cannot come from a file");
      case GraphOp.WinogradConv f -> throw bad("a fused op cannot come from a file");
      case GraphOp.ConvMaxPool f -> throw bad("a fused op cannot come from a file");
    };
  }

  /**
   * A scan's outputs, after checking its inputs against its body's (whose shapes are evaluated at
   * the enclosing graph's sizes: the body was checked on its own when it was read).
   */
  private static Result scan(
      GraphOp.Scan sc, List<int[]> in, List<DType> dt, Map<String, Long> sizes) {
    Graph body = sc.body();
    for (String symbol : body.symbols()) {
      if (!sizes.containsKey(symbol)) {
        throw bad("the loop body uses the unknown dimension '" + symbol + "' of no outer input");
      }
    }
    int c = sc.carried();
    int q = sc.sequences();
    int steps = -1;
    for (int i = 0; i < in.size(); i++) {
      Value want = body.inputs().get(i).value();
      int[] expected = evalShape(want.shape(), sizes);
      int[] actual = in.get(i);
      String role = i < c ? "carried value " + i : i < c + q ? "sequence " + (i - c) : "capture";
      if (i >= c && i < c + q) {
        if (sc.axis() >= actual.length) {
          throw bad(role + " " + Arrays.toString(actual) + " has no axis " + sc.axis());
        }
        int t = actual[sc.axis()];
        if (steps != -1 && t != steps) {
          throw bad("the sequences have " + steps + " and " + t + " steps");
        }
        steps = t;
        actual = remove(actual, sc.axis());
      }
      if (!Arrays.equals(actual, expected) || dt.get(i) != want.dtype()) {
        throw bad(
            role
                + " is "
                + dt.get(i)
                + Arrays.toString(actual)
                + " where the loop body takes "
                + want.dtype()
                + Arrays.toString(expected));
      }
    }
    if (steps < 1) {
      throw bad("a loop needs at least one step, its sequences have " + steps);
    }
    List<int[]> shapes = new ArrayList<>();
    List<DType> dtypes = new ArrayList<>();
    for (int o = 0; o < body.outputs().size(); o++) {
      Value v = body.outputs().get(o);
      int[] shape = evalShape(v.shape(), sizes);
      if (o < c) {
        if (!Arrays.equals(shape, in.get(o)) || v.dtype() != dt.get(o)) {
          throw bad(
              "carried value "
                  + o
                  + " enters the loop body as "
                  + dt.get(o)
                  + Arrays.toString(in.get(o))
                  + " but leaves it as "
                  + v.dtype()
                  + Arrays.toString(shape));
        }
      } else {
        if (sc.axis() > shape.length) {
          throw bad(
              "loop output " + o + " " + Arrays.toString(shape) + " has no axis " + sc.axis());
        }
        shape = insert(shape, sc.axis(), steps);
      }
      shapes.add(shape);
      dtypes.add(v.dtype());
    }
    return new Result(shapes, dtypes);
  }

  private static int[] evalShape(SymbolicShape shape, Map<String, Long> sizes) {
    return nonNegative(ints(shape.dims(), sizes));
  }

  private static int[] remove(int[] a, int axis) {
    int[] out = new int[a.length - 1];
    for (int i = 0, k = 0; i < a.length; i++) {
      if (i != axis) {
        out[k++] = a[i];
      }
    }
    return out;
  }

  private static int[] insert(int[] a, int axis, int size) {
    int[] out = new int[a.length + 1];
    for (int i = 0, k = 0; i < out.length; i++) {
      out[i] = i == axis ? size : a[k++];
    }
    return out;
  }

  private static DType checkMatmulDtype(List<DType> dt) {
    sameDtype(dt);
    floating(dt.get(0));
    return dt.get(0);
  }

  private static int[] matmul(int[] a, int[] b, boolean ta, boolean tb) {
    if (a.length == 0 || b.length == 0) {
      throw bad("matmul of a scalar");
    }
    boolean va = a.length == 1;
    boolean vb = b.length == 1;
    int[] ad = va ? new int[] {1, a[0]} : a;
    int[] bd = vb ? new int[] {b[0], 1} : b;
    boolean tA = ta && !va;
    boolean tB = tb && !vb;
    int m = tA ? ad[ad.length - 1] : ad[ad.length - 2];
    int ka = tA ? ad[ad.length - 2] : ad[ad.length - 1];
    int kb = tB ? bd[bd.length - 1] : bd[bd.length - 2];
    int n = tB ? bd[bd.length - 2] : bd[bd.length - 1];
    if (ka != kb) {
      throw bad(
          "matmul of "
              + Arrays.toString(a)
              + " and "
              + Arrays.toString(b)
              + ": inner sizes differ");
    }
    int[] batch = broadcast(Arrays.copyOf(ad, ad.length - 2), Arrays.copyOf(bd, bd.length - 2));
    List<Integer> out = new ArrayList<>();
    for (int x : batch) {
      out.add(x);
    }
    if (!va) {
      out.add(m);
    }
    if (!vb) {
      out.add(n);
    }
    return toArray(out);
  }

  private static int outSize(int in, int kernel, ConvParams p, int d) {
    long kEff = (long) (kernel - 1) * p.dilation()[d] + 1;
    long padded = (long) in + p.padBefore()[d] + p.padAfter()[d];
    if (padded < kEff) {
      if (in == 0) {
        return 0;
      }
      throw bad("spatial size " + in + " is smaller than the window " + kEff);
    }
    return (int) ((padded - kEff) / p.stride()[d] + 1);
  }

  private static int[] conv(ConvParams p, int[] x, int[] w) {
    int n = p.rank();
    if (x.length != n + 2 || w.length != n + 2) {
      throw bad(
          "a convolution of "
              + n
              + " spatial dimensions needs input and filters of rank "
              + (n + 2));
    }
    int groups = p.groups();
    if ((long) w[n] * groups != x[n + 1] || w[n + 1] % groups != 0) {
      throw bad(
          "input channels "
              + x[n + 1]
              + ", filters "
              + Arrays.toString(w)
              + " and "
              + groups
              + " groups do not match");
    }
    int[] out = new int[n + 2];
    out[0] = x[0];
    for (int d = 0; d < n; d++) {
      out[1 + d] = outSize(x[1 + d], w[d], p, d);
    }
    out[n + 1] = w[n + 1];
    return out;
  }
}

package dev.sonnet.runtime.cpu.onnx;

import static dev.sonnet.runtime.cpu.onnx.TestGraph.BATCH;
import static dev.sonnet.runtime.cpu.onnx.TestGraph.shape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.PoolKind;
import dev.sonnet.backend.ReduceKind;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.export.DimExpr;
import dev.sonnet.export.Graph;
import dev.sonnet.export.GraphOp;
import dev.sonnet.export.SymbolicShape;
import dev.sonnet.export.TensorSpec;
import dev.sonnet.export.Value;
import dev.sonnet.export.onnx.Onnx;
import dev.sonnet.export.onnx.OnnxExportException;
import dev.sonnet.ops.ConvOptions;
import dev.sonnet.ops.ConvParams;
import dev.sonnet.ops.Convolution;
import dev.sonnet.ops.Elementwise;
import dev.sonnet.ops.LinearAlgebra;
import dev.sonnet.ops.Padding;
import dev.sonnet.ops.PoolOptions;
import dev.sonnet.ops.Reductions;
import dev.sonnet.ops.ShapeOps;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each op of the export IR, alone in a graph with an unknown batch, exported and run in ONNX
 * Runtime at batch sizes 1 and 3, against the library's own eager op on the same input.
 *
 * <p>Tolerances. Exact for integer, bool and data-movement results (reshape, slice, gather, pad,
 * ...: the same float32 values must come back bit for bit). Elementwise float functions: both
 * runtimes compute in float32 with kernels accurate to a few ulps, but ONNX Runtime's tanh,
 * sigmoid, exp and erf are vectorised approximations documented to about 1e-6 relative; {@code 1e-5
 * * |expected| + 1e-6} leaves a factor ~10 over that (the absolute part is for results that cancel
 * to near zero, such as {@code 1 + erf(x)} for negative x). Sums of K products (matmul, conv,
 * reductions): the float32 rounding bound {@code 2 * K * 2^-24 * sum|terms|}, with {@code
 * sum|terms|} bounded from the inputs' largest magnitudes.
 */
class OnnxOpsOrtTest {
  private static final int[] BATCHES = {1, 3};
  private static final double U = Closeness.U;

  @TempDir Path dir;

  /** Input {@code [batch, rest...]} with values in (-2, 2), different for every batch size. */
  private static Tensor input(int batch, int... rest) {
    int n = batch;
    int[] dims = new int[rest.length + 1];
    dims[0] = batch;
    for (int i = 0; i < rest.length; i++) {
      n *= rest[i];
      dims[i + 1] = rest[i];
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (2 * Math.sin(1.7 * i + batch));
    }
    return Tensor.of(v, dims);
  }

  private static Tensor positive(int batch, int... rest) {
    return input(batch, rest).abs().add(0.05);
  }

  private void check(
      String name,
      TestGraph g,
      Graph graph,
      Function<Integer, Tensor> makeInput,
      Function<Tensor, List<Tensor>> reference,
      Tolerance tol)
      throws Exception {
    Path file = dir.resolve(name + ".onnx");
    Onnx.export(graph, g.variableValues, file);
    try (OrtHarness ort = new OrtHarness(file)) {
      for (int batch : BATCHES) {
        Tensor x = makeInput.apply(batch);
        List<Tensor> expected = reference.apply(x);
        List<Tensor> got = ort.run(Map.of("x", x));
        assertThat(got).as("%s outputs", name).hasSize(expected.size());
        for (int o = 0; o < expected.size(); o++) {
          Closeness.assertClose(
              name + " batch " + batch + " output " + o, got.get(o), expected.get(o), tol);
        }
      }
    }
  }

  private void unaryCase(UnaryKind kind, Function<Tensor, Tensor> eager, boolean positiveInput)
      throws Exception {
    TestGraph g = new TestGraph();
    Value x = g.input("x", TensorSpec.of(DType.FLOAT32, -1, 6));
    Value y = g.node(new GraphOp.Unary(kind), DType.FLOAT32, shape(-1, 6), x);
    check(
        "unary_" + kind,
        g,
        g.build(y),
        b ->
            positiveInput
                ? positive(b, 6)
                // log1p is defined above -1 only.
                : kind == UnaryKind.LOG1P ? input(b, 6).mul(0.45) : input(b, 6),
        t -> List.of(eager.apply(t)),
        Tolerance.ELEMENTWISE);
  }

  @Test
  void everyFloatUnaryKind() throws Exception {
    unaryCase(UnaryKind.NEG, Elementwise::neg, false);
    unaryCase(UnaryKind.ABS, Elementwise::abs, false);
    unaryCase(UnaryKind.EXP, Elementwise::exp, false);
    unaryCase(UnaryKind.LOG, Elementwise::log, true);
    unaryCase(UnaryKind.LOG1P, Elementwise::log1p, false); // inputs in (-0.9, 0.9), see below
    unaryCase(UnaryKind.SQRT, Elementwise::sqrt, true);
    unaryCase(UnaryKind.RSQRT, Elementwise::rsqrt, true);
    unaryCase(UnaryKind.SQUARE, Elementwise::square, false);
    unaryCase(UnaryKind.TANH, Elementwise::tanh, false);
    unaryCase(UnaryKind.SIGMOID, Elementwise::sigmoid, false);
    unaryCase(UnaryKind.RELU, Elementwise::relu, false);
    unaryCase(UnaryKind.GELU, Elementwise::gelu, false);
    unaryCase(UnaryKind.SOFTPLUS, Elementwise::softplus, false);
    unaryCase(UnaryKind.SIGN, Elementwise::sign, false);
    unaryCase(UnaryKind.SIN, Elementwise::sin, false);
    unaryCase(UnaryKind.COS, Elementwise::cos, false);
    unaryCase(UnaryKind.RECIPROCAL, Elementwise::reciprocal, true);
    unaryCase(UnaryKind.NORMAL_CDF, Elementwise::normalCdf, false);
  }

  @Test
  void log1pKeepsItsPrecisionForTinyArguments() throws Exception {
    // log(1 + x) in float32 would return 0 for |x| < 6e-8 and lose most digits up to 1e-4.
    TestGraph g = new TestGraph();
    Value x = g.input("x", TensorSpec.of(DType.FLOAT32, -1, 4));
    Value y = g.node(new GraphOp.Unary(UnaryKind.LOG1P), DType.FLOAT32, shape(-1, 4), x);
    check(
        "log1p_tiny",
        g,
        g.build(y),
        b -> input(b, 4).mul(1e-6),
        t -> List.of(Elementwise.log1p(t)),
        Tolerance.ELEMENTWISE);
  }

  @Test
  void everyBinaryKindWithBroadcasting() throws Exception {
    for (BinaryKind kind : BinaryKind.values()) {
      boolean logical = kind == BinaryKind.LOGICAL_AND || kind == BinaryKind.LOGICAL_OR;
      TestGraph g = new TestGraph();
      Value x = g.input("x", TensorSpec.of(DType.FLOAT32, -1, 6));
      Tensor cValue = Tensor.of(new float[] {0.5f, -1f, 1.25f, 2f, -0.75f, 0.3f}, 6);
      Value c = g.variable("c", cValue);
      Value y;
      Function<Tensor, Tensor> eager;
      if (logical) {
        // Bool operands: x > 0 and c > 0.
        Value zero = g.constant(Tensor.scalar(0f));
        Value xb =
            g.node(new GraphOp.Binary(BinaryKind.GREATER), DType.BOOL, shape(-1, 6), x, zero);
        Value cb = g.node(new GraphOp.Binary(BinaryKind.GREATER), DType.BOOL, shape(6), c, zero);
        y = g.node(new GraphOp.Binary(kind), DType.BOOL, shape(-1, 6), xb, cb);
        eager =
            t ->
                kind == BinaryKind.LOGICAL_AND
                    ? Elementwise.logicalAnd(
                        t.greater(Tensor.scalar(0f)), cValue.greater(Tensor.scalar(0f)))
                    : Elementwise.logicalOr(
                        t.greater(Tensor.scalar(0f)), cValue.greater(Tensor.scalar(0f)));
      } else {
        DType out = kind.returnsBool() ? DType.BOOL : DType.FLOAT32;
        y = g.node(new GraphOp.Binary(kind), out, shape(-1, 6), x, c);
        eager = t -> binaryEager(kind, t, cValue);
      }
      boolean pow = kind == BinaryKind.POW;
      check(
          "binary_" + kind,
          g,
          g.build(y),
          b -> pow ? positive(b, 6) : input(b, 6),
          t -> List.of(eager.apply(t)),
          Tolerance.ELEMENTWISE);
    }
  }

  private static Tensor binaryEager(BinaryKind kind, Tensor a, Tensor b) {
    return switch (kind) {
      case ADD -> Elementwise.add(a, b);
      case SUB -> Elementwise.sub(a, b);
      case MUL -> Elementwise.mul(a, b);
      case DIV -> Elementwise.div(a, b);
      case POW -> Elementwise.pow(a, b);
      case MAXIMUM -> Elementwise.maximum(a, b);
      case MINIMUM -> Elementwise.minimum(a, b);
      case EQUAL -> Elementwise.equal(a, b);
      case NOT_EQUAL -> Elementwise.notEqual(a, b);
      case LESS -> Elementwise.less(a, b);
      case LESS_EQUAL -> Elementwise.lessEqual(a, b);
      case GREATER -> Elementwise.greater(a, b);
      case GREATER_EQUAL -> Elementwise.greaterEqual(a, b);
      case LOGICAL_AND, LOGICAL_OR -> throw new IllegalArgumentException(kind.toString());
    };
  }

  @Test
  void matmulAsGemmAndAsBatchedMatMulWithTransposes() throws Exception {
    Tensor w = input(6, 5).mul(0.5); // [6, 5], |w| <= 1
    // Rank 2, B transposed: Gemm(transB=1).
    TestGraph g = new TestGraph();
    Value x = g.input("x", TensorSpec.of(DType.FLOAT32, -1, 6));
    Tensor wt = ShapeOps.transpose(w);
    Value wv = g.variable("w", wt);
    Value y = g.node(new GraphOp.MatMul(false, true), DType.FLOAT32, shape(-1, 5), x, wv);
    check(
        "gemm",
        g,
        g.build(y),
        b -> input(b, 6),
        t -> List.of(LinearAlgebra.matmul(t, wt, false, true)),
        Tolerance.sums(6, 2));

    // Rank 3 times rank 2, A transposed: Transpose then MatMul with broadcasting.
    TestGraph g3 = new TestGraph();
    Value x3 = g3.input("x", TensorSpec.of(DType.FLOAT32, -1, 6, 2));
    Value w3 = g3.variable("w", w);
    Value y3 = g3.node(new GraphOp.MatMul(true, false), DType.FLOAT32, shape(-1, 2, 5), x3, w3);
    check(
        "matmul3",
        g3,
        g3.build(y3),
        b -> input(b, 6, 2),
        t -> List.of(LinearAlgebra.matmul(t, w, true, false)),
        Tolerance.sums(6, 2));
  }

  @Test
  void reshapeWithOneAndWithTwoUnknownSizes() throws Exception {
    // [batch, 6] -> [batch * 6]: one unknown, written with -1.
    TestGraph g = new TestGraph();
    Value x = g.input("x", TensorSpec.of(DType.FLOAT32, -1, 6));
    SymbolicShape flat = new SymbolicShape(List.of(new DimExpr(6, List.of("batch"), 0)));
    Value y = g.node(new GraphOp.Reshape(flat), DType.FLOAT32, flat, x);
    check(
        "reshape1",
        g,
        g.build(y),
        b -> input(b, 6),
        t -> List.of(ShapeOps.reshape(t, -1)),
        Tolerance.EXACT);

    // [batch, 2, 3] -> [batch, 3, 2] -> [3 * batch, 2]: one unknown each, also written with -1.
    TestGraph g2 = new TestGraph();
    Value x2 = g2.input("x", TensorSpec.of(DType.FLOAT32, -1, 2, 3));
    SymbolicShape target =
        new SymbolicShape(List.of(BATCH, DimExpr.constant(3), DimExpr.constant(2)));
    Value y2 = g2.node(new GraphOp.Reshape(target), DType.FLOAT32, target, x2);
    SymbolicShape target2 =
        new SymbolicShape(List.of(new DimExpr(3, List.of("batch"), 0), DimExpr.constant(2)));
    Value z2 = g2.node(new GraphOp.Reshape(target2), DType.FLOAT32, target2, y2);
    check(
        "reshape2",
        g2,
        g2.build(y2, z2),
        b -> input(b, 2, 3),
        t -> List.of(ShapeOps.reshape(t, -1, 3, 2), ShapeOps.reshape(t, -1, 2)),
        Tolerance.EXACT);

    // [batch, dim1, 3] -> [batch, 3 * dim1] and back: two unknowns, computed from Shape at run
    // time; dim1 differs from the batch so a mix-up of the two would show.
    TestGraph g3 = new TestGraph();
    Value x3 = g3.input("x", TensorSpec.of(DType.FLOAT32, -1, -1, 3));
    SymbolicShape merged = new SymbolicShape(List.of(BATCH, new DimExpr(3, List.of("dim1"), 0)));
    Value y3 = g3.node(new GraphOp.Reshape(merged), DType.FLOAT32, merged, x3);
    SymbolicShape back =
        new SymbolicShape(List.of(BATCH, DimExpr.symbol("dim1"), DimExpr.constant(3)));
    Value z3 = g3.node(new GraphOp.Reshape(back), DType.FLOAT32, back, y3);
    check(
        "reshape_two_symbols",
        g3,
        g3.build(y3, z3),
        b -> input(b, b + 1, 3),
        t -> List.of(ShapeOps.reshape(t, t.dim(0), -1), t),
        Tolerance.EXACT);
  }

  @Test
  void broadcastPermuteConcatPadGatherWhereFillCast() throws Exception {
    TestGraph g = new TestGraph();
    Value x = g.input("x", TensorSpec.of(DType.FLOAT32, -1, 1, 6));
    Value wide =
        g.node(new GraphOp.BroadcastTo(shape(-1, 4, 6)), DType.FLOAT32, shape(-1, 4, 6), x);
    Value perm =
        g.node(new GraphOp.Permute(List.of(2, 0, 1)), DType.FLOAT32, shape(6, -1, 4), wide);
    Value cat = g.node(new GraphOp.Concat(1), DType.FLOAT32, shape(-1, 2, 6), x, x);
    Value padded =
        g.node(
            new GraphOp.Pad(List.of(0, 1, 2), List.of(0, 0, 1), 0.5),
            DType.FLOAT32,
            shape(-1, 2, 9),
            x);
    Value idx = g.constant(Tensor.of(new int[] {5, 0, 2}, 3));
    Value gathered = g.node(new GraphOp.Gather(2), DType.FLOAT32, shape(-1, 1, 3), x, idx);
    Value zero = g.constant(Tensor.scalar(0f));
    Value positive =
        g.node(new GraphOp.Binary(BinaryKind.GREATER), DType.BOOL, shape(-1, 1, 6), x, zero);
    Value where = g.node(new GraphOp.Where(), DType.FLOAT32, shape(-1, 1, 6), positive, x, zero);
    Value fill =
        g.node(new GraphOp.Fill(DType.FLOAT32, 2.5, shape(-1, 3)), DType.FLOAT32, shape(-1, 3));
    Value cast = g.node(new GraphOp.Cast(DType.INT32), DType.INT32, shape(-1, 1, 6), x);
    Tensor idxT = Tensor.of(new int[] {5, 0, 2}, 3);
    check(
        "data_movement",
        g,
        g.build(wide, perm, cat, padded, gathered, where, fill, cast),
        b -> input(b, 1, 6),
        t ->
            List.of(
                ShapeOps.broadcastTo(t, dev.sonnet.tensor.Shape.of(t.dim(0), 4, 6)),
                ShapeOps.permute(
                    ShapeOps.broadcastTo(t, dev.sonnet.tensor.Shape.of(t.dim(0), 4, 6)), 2, 0, 1),
                ShapeOps.concat(1, t, t),
                ShapeOps.pad(
                    t, new int[][] {{0, 0}, {1, 0}, {2, 1}}, dev.sonnet.ops.PadMode.CONSTANT, 0.5),
                ShapeOps.gather(t, idxT, 2),
                Elementwise.where(t.greater(Tensor.scalar(0f)), t, t.zerosLike()),
                Tensor.full(DType.FLOAT32, 2.5, t.dim(0), 3),
                t.cast(DType.INT32)),
        Tolerance.EXACT);
  }

  @Test
  void sliceAndSplitIncludingNegativeStepsAndRunTimeEnds() throws Exception {
    TestGraph g = new TestGraph();
    Value x = g.input("x", TensorSpec.of(DType.FLOAT32, -1, 6));
    // Every other column from 1: begin [0, 1], step [1, 2], size [batch, 3].
    Value strided =
        g.node(
            new GraphOp.Slice(
                List.of(DimExpr.constant(0), DimExpr.constant(1)), List.of(1, 2), shape(-1, 3)),
            DType.FLOAT32,
            shape(-1, 3),
            x);
    // Both axes reversed: begin [batch - 1, 5], step [-1, -1]; the end of axis 0 is -1.
    DimExpr last = new DimExpr(1, List.of("batch"), -1);
    Value reversed =
        g.node(
            new GraphOp.Slice(List.of(last, DimExpr.constant(5)), List.of(-1, -1), shape(-1, 6)),
            DType.FLOAT32,
            shape(-1, 6),
            x);
    // The last row only, walking backwards: end = batch - 2, known only at run time (-1 at 1).
    Value lastRow =
        g.node(
            new GraphOp.Slice(List.of(last, DimExpr.constant(0)), List.of(-1, 1), shape(1, 6)),
            DType.FLOAT32,
            shape(1, 6),
            x);
    List<Value> parts =
        g.nodeN(
            new GraphOp.Split(1, List.of(DimExpr.constant(2), DimExpr.constant(4))),
            List.of(shape(-1, 2), shape(-1, 4)),
            DType.FLOAT32,
            x);
    check(
        "slice_split",
        g,
        g.build(strided, reversed, lastRow, parts.get(0), parts.get(1)),
        b -> input(b, 6),
        t -> {
          int b = t.dim(0);
          int[] rev = new int[b];
          for (int i = 0; i < b; i++) {
            rev[i] = b - 1 - i;
          }
          Tensor revRows = ShapeOps.gather(t, Tensor.of(rev, b), 0);
          Tensor revBoth = ShapeOps.gather(revRows, Tensor.of(new int[] {5, 4, 3, 2, 1, 0}, 6), 1);
          List<Tensor> split = ShapeOps.split(t, new int[] {2, 4}, 1);
          return List.of(
              ShapeOps.slice(t, new int[] {0, 1}, new int[] {b, 6}, new int[] {1, 2}),
              revBoth,
              ShapeOps.slice(t, new int[] {b - 1, 0}, new int[] {b, 6}, null),
              split.get(0),
              split.get(1));
        },
        Tolerance.EXACT);
  }

  @Test
  void everyReduceKindIncludingOverTheUnknownAxis() throws Exception {
    TestGraph g = new TestGraph();
    Value x = g.input("x", TensorSpec.of(DType.FLOAT32, -1, 5));
    Value sum =
        g.node(new GraphOp.Reduce(ReduceKind.SUM, List.of(1), false), DType.FLOAT32, shape(-1), x);
    Value sum0 =
        g.node(new GraphOp.Reduce(ReduceKind.SUM, List.of(0), true), DType.FLOAT32, shape(1, 5), x);
    Value prod =
        g.node(
            new GraphOp.Reduce(ReduceKind.PROD, List.of(1), true), DType.FLOAT32, shape(-1, 1), x);
    Value max =
        g.node(new GraphOp.Reduce(ReduceKind.MAX, List.of(1), false), DType.FLOAT32, shape(-1), x);
    Value min =
        g.node(new GraphOp.Reduce(ReduceKind.MIN, List.of(0, 1), false), DType.FLOAT32, shape(), x);
    Value argmax =
        g.node(new GraphOp.Reduce(ReduceKind.ARGMAX, List.of(1), false), DType.INT64, shape(-1), x);
    Value argmin =
        g.node(new GraphOp.Reduce(ReduceKind.ARGMIN, List.of(1), false), DType.INT64, shape(-1), x);
    check(
        "reduce_sums",
        g,
        g.build(sum, sum0, prod),
        b -> input(b, 5),
        t ->
            List.of(
                Reductions.sum(t, false, 1),
                Reductions.sum(t, true, 0),
                Reductions.prod(t, true, 1)),
        // Five terms of magnitude <= 2 (sums) or a product of five factors <= 2 (32): the
        // product's five roundings are relative, 5u of 32.
        new Tolerance(0, 2 * 5 * U * 32));
    check(
        "reduce_select",
        g,
        g.build(max, min, argmax, argmin),
        b -> input(b, 5),
        t ->
            List.of(
                Reductions.max(t, false, 1),
                Reductions.min(t, false, 0, 1),
                Reductions.argmax(t, 1),
                Reductions.argmin(t, 1)),
        Tolerance.EXACT);
  }

  @Test
  void groupedStridedPaddedAndDilatedConvolution() throws Exception {
    // x [batch, 5, 6, 4], filters [3, 3, 2, 6]: two groups of 2 input channels.
    Tensor w = input(3, 3, 2, 6).mul(0.5);
    int[][] geometry = {{2, 1, 1, 1}, {1, 1, 2, 2}}; // stride h, stride w, dilation h, dilation w
    for (int[] geo : geometry) {
      int[] stride = {geo[0], geo[1]};
      int[] dilation = {geo[2], geo[3]};
      int[] before = {1, 2};
      int[] after = {1, 0};
      ConvParams p = new ConvParams(stride, dilation, before, after, 2);
      int[] out = new int[2];
      int[] in = {5, 6};
      for (int d = 0; d < 2; d++) {
        int kEff = 2 * dilation[d] + 1;
        out[d] = (in[d] + before[d] + after[d] - kEff) / stride[d] + 1;
      }
      TestGraph g = new TestGraph();
      Value x = g.input("x", TensorSpec.of(DType.FLOAT32, -1, 5, 6, 4));
      Value wv = g.variable("conv/w", w);
      Value y = g.node(new GraphOp.Conv(p), DType.FLOAT32, shape(-1, out[0], out[1], 6), x, wv);
      ConvOptions options =
          ConvOptions.DEFAULT
              .withStride(stride)
              .withDilation(dilation)
              .withPadding(Padding.explicit(before, after));
      check(
          "conv_" + geo[0] + geo[2],
          g,
          g.build(y),
          b -> input(b, 5, 6, 4),
          t -> List.of(Convolution.conv(t, w, options)),
          // 3 * 3 * 2 = 18 products of |x| <= 2 and |w| <= 1.
          Tolerance.sums(18, 2));
    }
  }

  @Test
  void aConvBiasAddIsFoldedIntoTheOnnxConv() throws Exception {
    Tensor w = input(3, 3, 4, 5).mul(0.5);
    Tensor bias = Tensor.of(new float[] {0.5f, -1f, 0.25f, 2f, -0.125f}, 5);
    ConvParams p =
        new ConvParams(new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1);
    TestGraph g = new TestGraph();
    Value x = g.input("x", TensorSpec.of(DType.FLOAT32, -1, 4, 4, 4));
    Value wv = g.variable("conv/w", w);
    Value bv = g.variable("conv/b", bias);
    Value y = g.node(new GraphOp.Conv(p), DType.FLOAT32, shape(-1, 4, 4, 5), x, wv);
    Value z = g.node(new GraphOp.Binary(BinaryKind.ADD), DType.FLOAT32, shape(-1, 4, 4, 5), y, bv);
    Graph graph = g.build(z);
    var onnx = Onnx.toOnnxGraph(graph, g.variableValues::get, "conv_bias");
    assertThat(onnx.nodes()).noneMatch(n -> n.opType().equals("Add"));
    assertThat(onnx.nodes())
        .filteredOn(n -> n.opType().equals("Conv"))
        .singleElement()
        .satisfies(n -> assertThat(n.inputs()).hasSize(3).endsWith("conv/b"));
    ConvOptions options =
        ConvOptions.DEFAULT.withPadding(Padding.explicit(new int[] {1, 1}, new int[] {1, 1}));
    check(
        "conv_bias",
        g,
        graph,
        b -> input(b, 4, 4, 4),
        t -> List.of(Convolution.conv(t, w, options).add(bias)),
        // 36 products of |x| <= 2, |w| <= 1, and the bias (<= 2) as a 37th term.
        Tolerance.sums(37, 2));

    // When the conv's own output is read elsewhere too, the add stays an Add.
    TestGraph g2 = new TestGraph();
    Value x2 = g2.input("x", TensorSpec.of(DType.FLOAT32, -1, 4, 4, 4));
    Value y2 =
        g2.node(new GraphOp.Conv(p), DType.FLOAT32, shape(-1, 4, 4, 5), x2, g2.variable("w", w));
    Value z2 =
        g2.node(
            new GraphOp.Binary(BinaryKind.ADD),
            DType.FLOAT32,
            shape(-1, 4, 4, 5),
            y2,
            g2.variable("b", bias));
    assertThat(Onnx.toOnnxGraph(g2.build(z2, y2), g2.variableValues::get, "g").nodes())
        .anyMatch(n -> n.opType().equals("Add"));
  }

  @Test
  void maxAndAveragePoolingWithPaddingThatNeverCounts() throws Exception {
    for (PoolKind kind : PoolKind.values()) {
      int[] before = {1, 1};
      int[] after = {1, 0};
      ConvParams p = new ConvParams(new int[] {2, 2}, new int[] {1, 1}, before, after, 1);
      TestGraph g = new TestGraph();
      Value x = g.input("x", TensorSpec.of(DType.FLOAT32, -1, 5, 4, 3));
      // out = floor((5 + 2 - 3) / 2) + 1 = 3, floor((4 + 1 - 3) / 2) + 1 = 2
      Value y =
          g.node(new GraphOp.Pool(kind, List.of(3, 3), p), DType.FLOAT32, shape(-1, 3, 2, 3), x);
      PoolOptions options =
          PoolOptions.DEFAULT.withStride(2, 2).withPadding(Padding.explicit(before, after));
      int[] window = {3, 3};
      check(
          "pool_" + kind,
          g,
          g.build(y),
          b -> input(b, 5, 4, 3),
          t ->
              List.of(
                  kind == PoolKind.MAX
                      ? Convolution.maxPool(t, window, options)
                      : Convolution.avgPool(t, window, options)),
          // A mean of at most 9 values <= 2: 9 additions and a division, each within u.
          Tolerance.sums(9, 2));
    }
  }

  @Test
  void anOpWithoutAnOnnxFormIsAClearErrorNamingNodeAndModule() {
    TestGraph g = new TestGraph();
    Value x = g.input("x", TensorSpec.of(DType.FLOAT32, -1, 5, 5, 1));
    ConvParams dilated =
        new ConvParams(new int[] {1, 1}, new int[] {2, 2}, new int[2], new int[2], 1);
    Value y =
        g.node(
            new GraphOp.Pool(PoolKind.AVG, List.of(2, 2), dilated),
            DType.FLOAT32,
            shape(-1, 3, 3, 1),
            x);
    Path file = dir.resolve("bad.onnx");
    assertThatThrownBy(() -> Onnx.export(g.build(y), g.variableValues, file))
        .isInstanceOf(OnnxExportException.class)
        .hasMessageContaining("ONNX export (opset 17) cannot express node")
        .hasMessageContaining("of module test/pool")
        .hasMessageContaining("pooling with dilation [2, 2]");
    assertThat(file).doesNotExist();
  }

  @Test
  void aSliceWhoseEndMixesTwoUnknownSizesIsAClearError() {
    // Begin at dim1 - 1 walking back over batch elements: the end, dim1 - 1 - batch, is a sum of
    // two symbols, which the size expressions (coefficient * product + constant) cannot hold.
    TestGraph g = new TestGraph();
    Value x = g.input("x", TensorSpec.of(DType.FLOAT32, -1, -1));
    DimExpr begin = new DimExpr(1, List.of("dim1"), -1);
    Value y =
        g.node(
            new GraphOp.Slice(List.of(DimExpr.constant(0), begin), List.of(1, -1), shape(-1, -1)),
            DType.FLOAT32,
            shape(-1, -1),
            x);
    assertThatThrownBy(() -> Onnx.export(g.build(y), g.variableValues, dir.resolve("s.onnx")))
        .isInstanceOf(OnnxExportException.class)
        .hasMessageContaining("cannot express node")
        .hasMessageContaining("of module test/slice")
        .hasMessageContaining("mixes sizes");
  }

  @Test
  void aVariableWhoseValueDoesNotMatchTheGraphIsAnError() {
    TestGraph g = new TestGraph();
    Value x = g.input("x", TensorSpec.of(DType.FLOAT32, -1, 3));
    Value w = g.variable("w", Tensor.zeros(DType.FLOAT32, 3, 2));
    Value y = g.node(new GraphOp.MatMul(false, false), DType.FLOAT32, shape(-1, 2), x, w);
    Graph graph = g.build(y);
    Path file = dir.resolve("bad.onnx");
    assertThatThrownBy(
            () -> Onnx.export(graph, Map.of("w", Tensor.zeros(DType.FLOAT32, 2, 3)), file))
        .isInstanceOf(OnnxExportException.class)
        .hasMessageContaining(
            "variable w is f32[2, 3] but the graph reads it as %1: float32[3, 2]");
    assertThatThrownBy(() -> Onnx.export(graph, Map.of(), file))
        .isInstanceOf(OnnxExportException.class)
        .hasMessageContaining("no value for variable w");
  }
}

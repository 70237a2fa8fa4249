package dev.sonnet.runtime.cpu.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.export.GraphFunction;
import dev.sonnet.export.SavedModel;
import dev.sonnet.export.TensorFunction;
import dev.sonnet.export.TensorSpec;
import dev.sonnet.export.Tracing;
import dev.sonnet.export.onnx.Onnx;
import dev.sonnet.export.onnx.OnnxGraph;
import dev.sonnet.export.onnx.OnnxModelFile;
import dev.sonnet.export.onnx.OnnxValueInfo;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Layers;
import dev.sonnet.module.Sequential;
import dev.sonnet.nets.Cifar10ConvNet;
import dev.sonnet.nets.MLP;
import dev.sonnet.nets.ResNet50;
import dev.sonnet.nn.BatchNorm;
import dev.sonnet.nn.BatchNormBuilder;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.nn.Flatten;
import dev.sonnet.nn.Linear;
import dev.sonnet.ops.Convolution;
import dev.sonnet.recurrent.GRU;
import dev.sonnet.recurrent.LSTM;
import dev.sonnet.recurrent.Unroll;
import dev.sonnet.recurrent.UnrolledLSTM;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole models of the module library, traced with an unknown batch ({@code -1}), exported with
 * {@link Onnx#export}, run in ONNX Runtime at several batch sizes, and compared with the library's
 * eager call on the same input: the MLP, the CIFAR-10 ConvNet and BatchNorm with moving statistics,
 * ResNet-50 on a small input, and LSTM cores unrolled over a fixed sequence length (each unroll one
 * ONNX {@code Scan}; {@link OnnxScanOrtTest} runs them over an unknown length too).
 *
 * <p>Tolerance. Both runtimes compute in float32. A dot product of K terms computed in any order is
 * within {@code K * u * sum|terms|} of exact ({@code u = 2^-24}); a chain of layers adds its
 * layers' bounds, each scaled by the activations' magnitude, which these tests bound by the
 * output's largest magnitude {@code M} (the layers are normalised or of Glorot scale, so
 * activations stay of the output's order). Each runtime is within {@code (sum over layers of K) * u
 * * M} of exact, so the two within twice that; {@code sumK} is written out per model.
 * Transcendentals (sigmoid, tanh in the LSTM) add ONNX Runtime's ~1e-6 relative approximation per
 * step, covered by the same formula's margin for the K of a recurrent step.
 */
class OnnxModelsOrtTest {
  private static final double U = Math.ulp(1f) / 2;

  @TempDir Path dir;

  private static Tensor input(Rng rng, int... dims) {
    return Tensor.randomUniform(rng, DType.FLOAT32, Shape.of(dims), -1, 1);
  }

  /**
   * Traces {@code f} for {@code spec}, exports it and, for each batch size, compares ONNX Runtime
   * with the eager function on the same input.
   */
  private void exportAndCompare(
      String name,
      Function<Tensor, Tensor> f,
      TensorSpec spec,
      Function<Integer, Tensor> makeInput,
      int sumK,
      int... batches)
      throws Exception {
    GraphFunction traced = Tracing.trace(TensorFunction.of(f), spec);
    Path file = dir.resolve(name + ".onnx");
    Onnx.export(traced, file);
    OnnxGraph onnx = Onnx.toOnnxGraph(traced);
    // The input's batch is the symbolic dim_param "batch"; weights are initializers by name.
    OnnxValueInfo in = onnx.inputs().get(0);
    int axis = spec.symbols().indexOf("batch");
    assertThat(in.dims()[axis]).isEqualTo(-1);
    assertThat(in.dimParams()[axis]).isEqualTo("batch");
    assertThat(onnx.initializers().stream().map(i -> i.name()).toList())
        .containsAll(traced.variables().stream().map(v -> v.name()).toList());
    try (OrtHarness ort = new OrtHarness(file)) {
      for (int batch : batches) {
        Tensor x = makeInput.apply(batch);
        Tensor expected = f.apply(x);
        Tensor got = ort.run(Map.of(ort.inputNames().get(0), x)).get(0);
        double scale = Math.max(1e-30, expected.abs().max(allAxes(expected)).item());
        double tol = 2 * sumK * U * scale;
        Closeness.assertClose(name + " batch " + batch, got, expected, new Tolerance(0, tol));
        // The library's own graph (the loaded-function path) agrees with ONNX Runtime too.
        Tensor graph = traced.call(x);
        Closeness.assertClose(name + " graph batch " + batch, got, graph, new Tolerance(0, tol));
      }
    }
  }

  private static int[] allAxes(Tensor t) {
    int[] axes = new int[t.rank()];
    for (int i = 0; i < axes.length; i++) {
      axes[i] = i;
    }
    return axes;
  }

  @Test
  void mlp() throws Exception {
    Rng rng = new Rng(1);
    MLP mlp = new MLP(new int[] {32, 16, 10});
    // Layers of K = 20, 32, 16 terms.
    exportAndCompare(
        "mlp",
        mlp::call,
        TensorSpec.of(DType.FLOAT32, -1, 20),
        b -> input(rng, b, 20),
        20 + 32 + 16,
        1,
        4,
        17);
  }

  @Test
  void mainJobConvNetWithPoolingAndFlatten() throws Exception {
    Rng rng = new Rng(7);
    // The shape of samples' Models.convNet at a smaller width: SAME convs, max-pool 2, Flatten
    // (a reshape to [batch, 7 * 7 * 8] that must stay symbolic in the batch), two Linear layers.
    Layer pool = Layers.named("max_pool_2x2", x -> Convolution.maxPool(x, new int[] {2, 2}));
    Sequential net =
        new Sequential(
            new Conv2D(4, 3),
            Layers.relu(),
            pool,
            new Conv2D(8, 3),
            Layers.relu(),
            pool,
            new Flatten(),
            new Linear(16),
            Layers.relu(),
            new Linear(10));
    // 3x3 convs over 1 and 4 channels, then 392 and 16 wide products.
    exportAndCompare(
        "main_job_convnet",
        net::call,
        TensorSpec.of(DType.FLOAT32, -1, 28, 28, 1),
        b -> input(rng, b, 28, 28, 1),
        9 * (1 + 4) + 7 * 7 * 8 + 16,
        1,
        5);
  }

  @Test
  void cifar10ConvNetWithMovingStatistics() throws Exception {
    Rng rng = new Rng(2);
    Cifar10ConvNet net = new Cifar10ConvNet();
    // Move the batch norms' statistics away from (0, 1) with a few training-mode calls.
    for (int i = 0; i < 3; i++) {
      net.call(input(rng, 4, 8, 8, 3).mul(2).add(0.5), true);
    }
    // 3x3 convs over 3, 64, 64, 128, 128, 128, 256, 256, 256, 512, 512 channels, then the mean
    // over 1x1 and the 512-wide logits layer.
    int sumK = 9 * (3 + 64 + 64 + 128 + 128 + 128 + 256 + 256 + 256 + 512 + 512) + 512;
    exportAndCompare(
        "cifar10_convnet",
        x -> net.call(x, false, false).logits(),
        TensorSpec.of(DType.FLOAT32, -1, 8, 8, 3),
        b -> input(rng, b, 8, 8, 3),
        sumK,
        1,
        3);
  }

  @Test
  void batchNormInferenceWithTrainedMovingStatistics() throws Exception {
    Rng rng = new Rng(3);
    BatchNorm bn = new BatchNormBuilder(true, true).decayRate(0.5).build();
    for (int i = 0; i < 4; i++) {
      bn.call(input(rng, 16, 5, 6).mul(3).add(1.5), true);
    }
    // (x - mean) * scale / sqrt(var + eps) + offset: a handful of roundings per element.
    exportAndCompare(
        "batch_norm",
        x -> bn.call(x, false, false),
        TensorSpec.of(DType.FLOAT32, -1, 5, 6),
        b -> input(rng, b, 5, 6).mul(3).add(1.5),
        8,
        1,
        2,
        9);
  }

  @Test
  void resNet50OnASmallInput() throws Exception {
    Rng rng = new Rng(4);
    ResNet50 net = new ResNet50(10);
    // A few training-mode calls so the 53 batch norms' statistics are not (0, 1).
    net.call(input(rng, 2, 32, 32, 3), true);
    // 7x7x3 stem, then per bottleneck block a 1x1, 3x3 and 1x1 conv (and a 1x1 projection on the
    // first block of a group): blocks 3, 4, 6, 3 with widths 64, 128, 256, 512 and 4x outputs.
    int sumK = 7 * 7 * 3;
    int[] blocks = {3, 4, 6, 3};
    int[] widths = {64, 128, 256, 512};
    int in = 64;
    for (int g = 0; g < 4; g++) {
      for (int b = 0; b < blocks[g]; b++) {
        sumK += in + 9 * widths[g] + widths[g] + (b == 0 ? in : 0);
        in = 4 * widths[g];
      }
    }
    sumK += in; // the logits layer
    exportAndCompare(
        "resnet50",
        x -> net.call(x, false),
        TensorSpec.of(DType.FLOAT32, -1, 32, 32, 3),
        b -> input(rng, b, 32, 32, 3),
        sumK,
        1,
        2);
    assertThat(Files.size(dir.resolve("resnet50.onnx")))
        .as("25.6M float32 weights as initializers")
        .isGreaterThan(4L * 23_000_000);
  }

  @Test
  void lstmGruAndUnrolledLstmOverAFixedSequenceLength() throws Exception {
    Rng rng = new Rng(5);
    LSTM lstm = new LSTM(12);
    // Time-major [T = 5, batch, 7]; the zero initial state's batch follows the input's.
    Function<Tensor, Tensor> f =
        x -> Unroll.dynamicUnroll(lstm, x, lstm.initialState(x.dim(1))).outputs();
    // Per step one product over [x, h] (7 + 12 terms); 5 steps chain through h.
    TensorSpec spec = TensorSpec.of(DType.FLOAT32, 5, -1, 7).withSymbol(1, "batch");
    exportAndCompare("lstm", f, spec, b -> input(rng, 5, b, 7), 5 * (7 + 12) * 4, 1, 3);

    GRU gru = new GRU(12);
    Function<Tensor, Tensor> h =
        x -> Unroll.dynamicUnroll(gru, x, gru.initialState(x.dim(1))).outputs();
    exportAndCompare("gru", h, spec, b -> input(rng, 5, b, 7), 5 * (7 + 12) * 3, 1, 3);

    UnrolledLSTM unrolled = new UnrolledLSTM(12);
    Function<Tensor, Tensor> g = x -> unrolled.call(x, unrolled.initialState(x.dim(1))).outputs();
    exportAndCompare("unrolled_lstm", g, spec, b -> input(rng, 5, b, 7), 5 * (7 + 12) * 4, 1, 3);
  }

  @Test
  void aFunctionLoadedFromASavedModelExportsWithoutItsModuleClasses() throws Exception {
    Rng rng = new Rng(6);
    MLP mlp = new MLP(new int[] {8, 4});
    Path saved = dir.resolve("mlp.savedmodel");
    SavedModel.builder()
        .function("inference", mlp::call, TensorSpec.of(DType.FLOAT32, -1, 5))
        .save(saved);
    SavedModel loaded = SavedModel.load(saved);
    // Assigning a loaded variable changes what is exported: the export reads current values.
    Variable w = loaded.allVariables().get(0);
    w.assign(w.peek().mul(2.0));
    GraphFunction inference = loaded.function("inference");
    Path file = dir.resolve("loaded.onnx");
    Onnx.export(inference, file);
    try (OrtHarness ort = new OrtHarness(file)) {
      for (int batch : new int[] {1, 6}) {
        Tensor x = input(rng, batch, 5);
        Tensor got = ort.run(Map.of("input0", x)).get(0);
        // Layers of K = 5 and 8 terms.
        double tol = 2 * (5 + 8) * U * Math.max(1e-30, inference.call(x).abs().max(0, 1).item());
        Closeness.assertClose(
            "loaded batch " + batch, got, inference.call(x), new Tolerance(0, tol));
      }
    }
  }

  /**
   * The inference optimizer's graph (packed dense weights, Winograd convolutions, convolutions with
   * their 2x2 max pooling) exports too, as the plain ONNX ops those nodes stand for, and ONNX
   * Runtime agrees with the library's optimized run. Tolerance as in the class comment, with a
   * Winograd convolution over C channels counted as {@code 64 C (C + 16) / 9} terms: its bound,
   * {@code (C + 16) u} times at most {@code 64 C · max|x| · max|w|} (WinogradConvOp), over the
   * direct sum's {@code 9 C · max|x| · max|w|}.
   */
  @Test
  void theOptimizedGraphExportsAsThePlainOps() throws Exception {
    Rng rng = new Rng(9);
    Layer pool = Layers.named("max_pool_2x2", x -> Convolution.maxPool(x, new int[] {2, 2}));
    Sequential net =
        new Sequential(
            new Conv2D(16, 3),
            Layers.relu(),
            pool,
            new Conv2D(16, 3),
            Layers.relu(),
            pool,
            new Flatten(),
            new Linear(10));
    GraphFunction traced =
        Tracing.trace(TensorFunction.of(net::call), TensorSpec.of(DType.FLOAT32, -1, 12, 12, 8));
    var optimized = traced.optimizedGraph();
    assertThat(optimized.nodes().stream().map(n -> n.op().name()).toList())
        .contains("winograd_filter", "winograd_conv_relu_max_pool", "fused_matmul");
    Map<String, Tensor> weights = new java.util.HashMap<>();
    for (Variable v : traced.variables()) {
      weights.put(v.name(), v.peek());
    }
    Path file = dir.resolve("optimized.onnx");
    Onnx.export(optimized, weights, file);
    int sumK = 64 * 8 * (8 + 16) / 9 + 64 * 16 * (16 + 16) / 9 + 3 * 3 * 16;
    try (OrtHarness ort = new OrtHarness(file)) {
      for (int batch : new int[] {1, 3}) {
        Tensor x = input(rng, batch, 12, 12, 8);
        Tensor want = traced.call(x);
        Tensor got = ort.run(Map.of(ort.inputNames().get(0), x)).get(0);
        double tol = 2 * sumK * U * Math.max(1e-30, want.abs().max(0, 1).item());
        Closeness.assertClose("optimized batch " + batch, got, want, new Tolerance(0, tol));
      }
    }
  }

  @Test
  void theModelFileDeclaresItsOpsetAndProducer() throws Exception {
    MLP mlp = new MLP(new int[] {3});
    GraphFunction traced =
        Tracing.trace(TensorFunction.of(mlp::call), TensorSpec.of(DType.FLOAT32, -1, 2));
    byte[] bytes = OnnxModelFile.toByteArray(Onnx.toOnnxGraph(traced));
    // ModelProto starts with ir_version (field 1, varint 8) and producer_name (field 2).
    assertThat(bytes[0]).isEqualTo((byte) 0x08);
    assertThat(bytes[1]).isEqualTo((byte) OnnxModelFile.IR_VERSION);
    assertThat(new String(bytes, 4, OnnxModelFile.PRODUCER.length(), "UTF-8"))
        .isEqualTo(OnnxModelFile.PRODUCER);
    assertThat(OnnxModelFile.OPSET_VERSION).isEqualTo(17);
  }
}

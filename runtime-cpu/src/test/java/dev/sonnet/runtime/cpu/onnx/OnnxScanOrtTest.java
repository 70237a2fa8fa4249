package dev.sonnet.runtime.cpu.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.export.GraphFunction;
import dev.sonnet.export.GraphOp;
import dev.sonnet.export.SavedModel;
import dev.sonnet.export.TensorFunction;
import dev.sonnet.export.TensorSpec;
import dev.sonnet.export.Tracing;
import dev.sonnet.export.onnx.Onnx;
import dev.sonnet.export.onnx.OnnxAttribute;
import dev.sonnet.export.onnx.OnnxGraph;
import dev.sonnet.export.onnx.OnnxNode;
import dev.sonnet.export.onnx.OnnxValueInfo;
import dev.sonnet.ops.Scan;
import dev.sonnet.recurrent.DeepRNN;
import dev.sonnet.recurrent.GRU;
import dev.sonnet.recurrent.LSTM;
import dev.sonnet.recurrent.SequenceLayout;
import dev.sonnet.recurrent.Unroll;
import dev.sonnet.recurrent.UnrolledLSTM;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loops ({@link Scan}, traced as one graph node) exported as ONNX {@code Scan} and run in ONNX
 * Runtime over an unknown batch AND an unknown sequence length: each file is written once and run
 * at T = 1 and 7 steps and batch 1 and 5, against the library's eager call and its own graph on the
 * same inputs. The recurrent models are the ones {@code ExportCoverageTest} traces: LSTM and GRU
 * through {@link Unroll#dynamicUnroll}, {@link UnrolledLSTM}, a batch-major {@link DeepRNN} (the
 * loop on axis 1), and a dynamic unroll stopping each example at its own length, given as an int32
 * input and compared with a step counter inside the loop.
 *
 * <p>Tolerance of the recurrent models. Both runtimes compute in float32. Per step, each gate's
 * pre-activation is a dot product over {@code [x, h]} of {@code K = F + H} terms and a bias, with
 * {@code |x| < 1}, {@code |h| < 1} and weights of Glorot scale, so its terms sum to order 1 in
 * magnitude and each runtime is within {@code (K + 1) u} of exact there ({@code u = 2^-24}); ONNX
 * Runtime's sigmoid and tanh approximations (about 1e-6, 17 u, relative) and the few roundings of
 * the cell update add a small multiple of {@code u}, all together within {@code 4 K u} for the
 * {@code K >= 5} here. An error in the carried state reaches the next step scaled by the gates
 * (below 1) and weights of Glorot scale, so the steps' errors add: each runtime is within {@code T
 * * 4 K u * max(1, M)} of exact, with {@code M} the output's largest magnitude (a cell state may
 * exceed 1), and the two runtimes within twice that. The sequence-length mask, the step counter and
 * the data movement of the stacking are exact.
 */
class OnnxScanOrtTest {
  private static final int[] STEPS = {1, 7};
  private static final int[] BATCHES = {1, 5};
  private static final double U = Closeness.U;

  @TempDir Path dir;

  /** {@code [time, batch, features]} with the two unknown sizes named. */
  private static TensorSpec timeMajor(int features) {
    return TensorSpec.of(DType.FLOAT32, -1, -1, features)
        .withSymbol(0, "time")
        .withSymbol(1, "batch");
  }

  private static Tensor uniform(long seed, int... dims) {
    return Tensor.randomUniform(new Rng(seed), DType.FLOAT32, Shape.of(dims), -1, 1);
  }

  /**
   * Traces {@code f} for {@code specs}, exports it once and, for every T in {@link #STEPS} and
   * batch in {@link #BATCHES}, runs ONNX Runtime on {@code inputs(T, batch)} and compares every
   * output with the eager function and the library's graph, within {@code 2 * T * 4K * u * max(1,
   * M)} (class comment); {@code k} is 0 for loops of exact arithmetic. Returns the ONNX graph.
   */
  private OnnxGraph exportAndCompare(
      String name,
      TensorFunction f,
      int k,
      BiFunction<Integer, Integer, Tensor[]> inputs,
      TensorSpec... specs)
      throws Exception {
    GraphFunction traced = Tracing.trace(f, specs);
    assertThat(traced.graph().nodes().stream().filter(n -> n.op() instanceof GraphOp.Scan))
        .as("%s traces into one loop", name)
        .hasSize(1);
    Path file = dir.resolve(name + ".onnx");
    Onnx.export(traced, file);
    OnnxGraph onnx = Onnx.toOnnxGraph(traced);
    try (OrtHarness ort = new OrtHarness(file)) {
      List<String> names = ort.inputNames();
      for (int t : STEPS) {
        for (int b : BATCHES) {
          Tensor[] in = inputs.apply(t, b);
          Map<String, Tensor> feeds = new LinkedHashMap<>();
          for (int i = 0; i < in.length; i++) {
            feeds.put(names.get(i), in[i]);
          }
          List<Tensor> got = ort.run(feeds);
          Tensor[] expected = f.call(in);
          Tensor[] graph = traced.callAll(in);
          assertThat(got).as("%s outputs", name).hasSize(expected.length);
          for (int o = 0; o < expected.length; o++) {
            String what = name + " T " + t + " batch " + b + " output " + o;
            double m = expected[o].dtype().isFloating() ? maxAbs(expected[o]) : 0;
            Tolerance tol = new Tolerance(0, 2 * t * 4 * k * U * Math.max(1, m));
            Closeness.assertClose(what, got.get(o), expected[o], tol);
            Closeness.assertClose(what + " (graph)", got.get(o), graph[o], tol);
          }
        }
      }
    }
    return onnx;
  }

  private static double maxAbs(Tensor t) {
    double m = 0;
    for (double v : t.cast(DType.FLOAT64).toDoubleArray()) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  /** The main graph's one {@code Scan} node. */
  private static OnnxNode scanNode(OnnxGraph g) {
    List<OnnxNode> scans = g.nodes().stream().filter(n -> n.opType().equals("Scan")).toList();
    assertThat(scans).hasSize(1);
    return scans.get(0);
  }

  private static OnnxGraph body(OnnxNode scan) {
    return scan.attributes().stream()
        .filter(a -> a.name().equals("body"))
        .map(OnnxAttribute::graph)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void lstmDynamicUnrollOverAnUnknownLengthAndBatch() throws Exception {
    LSTM lstm = LSTM.builder(6).build();
    TensorFunction f =
        in -> {
          var out = Unroll.dynamicUnroll(lstm, in[0], lstm.initialState(in[0].dim(1)));
          return new Tensor[] {out.outputs(), out.finalState().hidden(), out.finalState().cell()};
        };
    OnnxGraph onnx =
        exportAndCompare(
            "lstm_any_length",
            f,
            3 + 6,
            (t, b) -> new Tensor[] {uniform(10 * t + b, t, b, 3)},
            timeMajor(3));
    // One file for every length: the time axis stays the symbol it was traced with.
    OnnxValueInfo x = onnx.inputs().get(0);
    assertThat(x.dimParams()).containsExactly("time", "batch", null);
    OnnxNode scan = scanNode(onnx);
    OnnxGraph body = body(scan);
    // The loop's inputs are the carried state and the sequence; the weights are read by the body
    // from the main graph's initializers (outer scope), as are its constants.
    assertThat(scan.inputs()).hasSize(3);
    assertThat(body.initializers()).isEmpty();
    assertThat(body.outerReads()).isNotEmpty();
    List<String> mainNames = new ArrayList<>();
    onnx.initializers().forEach(i -> mainNames.add(i.name()));
    onnx.inputs().forEach(i -> mainNames.add(i.name()));
    assertThat(mainNames).containsAll(body.outerReads());
    assertThat(lstm.trainableVariables().stream().map(v -> v.name()).toList())
        .allMatch(body.outerReads()::contains);
  }

  @Test
  void gruDynamicUnrollOverAnUnknownLengthAndBatch() throws Exception {
    GRU gru = GRU.builder(5).build();
    TensorFunction f =
        in -> {
          var out = Unroll.dynamicUnroll(gru, in[0], gru.initialState(in[0].dim(1)));
          return new Tensor[] {out.outputs(), out.finalState().value()};
        };
    exportAndCompare(
        "gru_any_length",
        f,
        3 + 5,
        (t, b) -> new Tensor[] {uniform(20 * t + b, t, b, 3)},
        timeMajor(3));
  }

  @Test
  void unrolledLstmOverAnUnknownLengthAndBatch() throws Exception {
    UnrolledLSTM lstm = UnrolledLSTM.builder(7).build();
    TensorFunction f =
        in -> {
          var out = lstm.call(in[0], lstm.initialState(in[0].dim(1)));
          return new Tensor[] {out.outputs(), out.finalState().hidden(), out.finalState().cell()};
        };
    exportAndCompare(
        "unrolled_lstm_any_length",
        f,
        4 + 7,
        (t, b) -> new Tensor[] {uniform(30 * t + b, t, b, 4)},
        timeMajor(4));
  }

  @Test
  void batchMajorDeepRnnLoopsOverAxisOne() throws Exception {
    DeepRNN deep = DeepRNN.of(LSTM.builder(4).build(), GRU.builder(3).build());
    TensorFunction f =
        in -> {
          Tensor x = in[0]; // [B, T, F]
          var out =
              Unroll.dynamicUnroll(
                  deep, x, deep.initialState(x.dim(0)), null, SequenceLayout.BATCH_MAJOR);
          List<Tensor> all = new ArrayList<>();
          all.add(out.outputs());
          all.addAll(out.finalState().leaves());
          return all.toArray(new Tensor[0]);
        };
    TensorSpec spec = TensorSpec.of(DType.FLOAT32, -1, -1, 2).withSymbol(1, "time");
    // The GRU's products run over [LSTM output (4), h (3)]: K = 7 bounds both cores.
    OnnxGraph onnx =
        exportAndCompare(
            "deep_rnn_batch_major",
            f,
            2 + 4 + 3,
            (t, b) -> new Tensor[] {uniform(40 * t + b, b, t, 2)},
            spec);
    OnnxNode scan = scanNode(onnx);
    assertThat(scan.attributes().stream().map(OnnxAttribute::toString))
        .contains("num_scan_inputs=1", "scan_input_axes=[1]", "scan_output_axes=[1]");
  }

  @Test
  void sequenceLengthsAsAnInputStopEachExampleInsideTheLoop() throws Exception {
    LSTM lstm = LSTM.builder(4).build();
    TensorFunction f =
        in -> {
          var out =
              Unroll.dynamicUnroll(
                  lstm, in[0], lstm.initialState(in[0].dim(1)), in[1], SequenceLayout.TIME_MAJOR);
          return new Tensor[] {out.outputs(), out.finalState().hidden(), out.finalState().cell()};
        };
    OnnxGraph onnx =
        exportAndCompare(
            "lstm_with_lengths",
            f,
            3 + 4,
            (t, b) -> {
              // Lengths from 0 to T, both ends included where the batch allows.
              int[] lengths = new int[b];
              for (int i = 0; i < b; i++) {
                lengths[i] = (3 * i + t) % (t + 1);
              }
              return new Tensor[] {uniform(50 * t + b, t, b, 3), Tensor.of(lengths, b)};
            },
            timeMajor(3),
            TensorSpec.of(DType.INT32, -1));
    // The lengths are a capture: the body reads the main graph's input by its name.
    assertThat(onnx.inputs().get(1).dimParams()).containsExactly("batch");
    assertThat(body(scanNode(onnx)).outerReads()).contains(onnx.inputs().get(1).name());
  }

  @Test
  void examplesThatNeverRunKeepTheirInitialStateInOnnxRuntime() throws Exception {
    LSTM lstm = LSTM.builder(3).build();
    TensorFunction f =
        in -> {
          var out =
              Unroll.dynamicUnroll(
                  lstm, in[0], lstm.initialState(in[0].dim(1)), in[1], SequenceLayout.TIME_MAJOR);
          return new Tensor[] {out.outputs(), out.finalState().hidden()};
        };
    GraphFunction traced = Tracing.trace(f, timeMajor(2), TensorSpec.of(DType.INT32, -1));
    Path file = dir.resolve("never_runs.onnx");
    Onnx.export(traced, file);
    try (OrtHarness ort = new OrtHarness(file)) {
      Tensor x = uniform(60, 4, 3, 2);
      List<Tensor> got =
          ort.run(
              Map.of(
                  ort.inputNames().get(0),
                  x,
                  ort.inputNames().get(1),
                  Tensor.of(new int[] {4, 0, 2}, 3)));
      // Example 1 has length 0: zero outputs at every step and the (zero) initial state.
      float[] outputs = got.get(0).toFloatArray();
      for (int t = 0; t < 4; t++) {
        for (int j = 0; j < 3; j++) {
          assertThat(outputs[(t * 3 + 1) * 3 + j]).isZero();
        }
      }
      assertThat(got.get(1).toFloatArray()[3]).isZero();
      // Example 2 stops after step 1: its later outputs repeat step 1's.
      for (int j = 0; j < 3; j++) {
        assertThat(outputs[(3 * 3 + 2) * 3 + j]).isEqualTo(outputs[(1 * 3 + 2) * 3 + j]);
      }
    }
  }

  @Test
  void severalSequencesPassThroughOutputsAndALoopWithoutCarriedValues() throws Exception {
    // Batch-major x and y [B, T, 2] scanned together over axis 1. The body's outputs: the running
    // sum of 2 * x * y (carried), this step's x unchanged (a body input as a per-step output) and
    // the carried value before the step. The 2 is a tensor of the batch's size made inside the
    // body, so the body reads the batch from one of its own inputs. Elementwise products and sums
    // round the same way in both runtimes (the product by 2 is exact), so the comparison is too.
    TensorFunction f =
        in -> {
          Tensor x = in[0];
          Scan.Result r =
              Scan.scan(
                  (carried, s) -> {
                    Tensor twos = Tensor.zeros(DType.FLOAT32, s[0].dim(0), 2).add(2);
                    Tensor next = carried[0].add(s[0].mul(s[1]).mul(twos));
                    return new Tensor[] {next, s[0], carried[0]};
                  },
                  List.of(Tensor.zeros(DType.FLOAT32, x.dim(0), 2)),
                  List.of(x, in[1]),
                  1);
          // A loop carrying nothing: only per-step outputs.
          Scan.Result squares =
              Scan.scan((carried, s) -> new Tensor[] {s[0].mul(s[0])}, List.of(), List.of(x), 1);
          return new Tensor[] {
            r.finalCarried().get(0),
            r.outputs().get(0),
            r.outputs().get(1),
            squares.outputs().get(0)
          };
        };
    TensorSpec spec = TensorSpec.of(DType.FLOAT32, -1, -1, 2).withSymbol(1, "time");
    GraphFunction traced = Tracing.trace(f, spec, spec);
    Path file = dir.resolve("two_sequences.onnx");
    Onnx.export(traced, file);
    OnnxGraph onnx = Onnx.toOnnxGraph(traced);
    List<OnnxNode> scans = onnx.nodes().stream().filter(n -> n.opType().equals("Scan")).toList();
    assertThat(scans).hasSize(2);
    assertThat(scans.get(0).attributes().stream().map(OnnxAttribute::toString))
        .contains("num_scan_inputs=2", "scan_input_axes=[1, 1]", "scan_output_axes=[1, 1]");
    // Each body's names are its own: no value of one is defined in another or in the main graph.
    List<String> defined = new ArrayList<>();
    for (OnnxGraph g : List.of(onnx, body(scans.get(0)), body(scans.get(1)))) {
      g.inputs().forEach(v -> defined.add(v.name()));
      g.initializers().forEach(v -> defined.add(v.name()));
      g.nodes().forEach(n -> defined.addAll(n.outputs()));
    }
    assertThat(defined).doesNotHaveDuplicates();
    // The batch of the body's tensor of twos comes from a Shape of the body's own input.
    OnnxGraph first = body(scans.get(0));
    List<String> firstInputs = first.inputs().stream().map(OnnxValueInfo::name).toList();
    assertThat(first.nodes())
        .anyMatch(n -> n.opType().equals("Shape") && firstInputs.contains(n.inputs().get(0)));
    try (OrtHarness ort = new OrtHarness(file)) {
      for (int t : STEPS) {
        for (int b : BATCHES) {
          Tensor x = uniform(70 * t + b, b, t, 2);
          Tensor y = uniform(80 * t + b, b, t, 2);
          List<Tensor> got = ort.run(Map.of("input0", x, "input1", y));
          Tensor[] want = f.call(x, y);
          assertThat(got).hasSize(want.length);
          for (int o = 0; o < want.length; o++) {
            Closeness.assertClose(
                "two sequences T " + t + " batch " + b + " output " + o,
                got.get(o),
                want[o],
                Tolerance.EXACT);
          }
        }
      }
    }
  }

  @Test
  void aLoopInsideALoopReadsAMainGraphInputTwoScopesOut() throws Exception {
    // x [T, B, F], gain [B]. The outer loop steps over time; its body runs an inner loop over the
    // features of its step, r <- r * gain + x[t, :, f], where gain is captured twice (main graph,
    // outer body, inner body): the inner ONNX body reads the main graph's input by name.
    TensorFunction f =
        in -> {
          Tensor gain = in[1];
          Scan.Result outer =
              Scan.scan(
                  (carried, s) -> {
                    Scan.Result inner =
                        Scan.scan(
                            (c, xf) -> {
                              Tensor r = c[0].mul(gain).add(xf[0]);
                              return new Tensor[] {r, r};
                            },
                            List.of(carried[0]),
                            List.of(s[0]),
                            1);
                    return new Tensor[] {inner.finalCarried().get(0), inner.outputs().get(0)};
                  },
                  List.of(Tensor.zeros(DType.FLOAT32, in[0].dim(1))),
                  List.of(in[0]),
                  0);
          return new Tensor[] {outer.finalCarried().get(0), outer.outputs().get(0)};
        };
    GraphFunction traced =
        Tracing.trace(f, timeMajor(3), TensorSpec.of(DType.FLOAT32, -1).withSymbol(0, "batch"));
    Path file = dir.resolve("nested.onnx");
    Onnx.export(traced, file);
    OnnxGraph onnx = Onnx.toOnnxGraph(traced);
    OnnxGraph outerBody = body(scanNode(onnx));
    OnnxGraph innerBody = body(scanNode(outerBody));
    String gainName = onnx.inputs().get(1).name();
    assertThat(innerBody.outerReads()).contains(gainName);
    assertThat(outerBody.outerReads()).contains(gainName);
    try (OrtHarness ort = new OrtHarness(file)) {
      for (int t : STEPS) {
        for (int b : BATCHES) {
          Tensor x = uniform(90 * t + b, t, b, 3);
          Tensor gain = uniform(95 * t + b, b).mul(0.5);
          List<Tensor> got = ort.run(Map.of("input0", x, gainName, gain));
          Tensor[] want = f.call(x, gain);
          for (int o = 0; o < want.length; o++) {
            // r = r * gain + x, |gain| < 0.5 and |x| < 1, so |r| < 2: each of the 2 * T * 3
            // roundings is at most 2u, and |gain| < 1 damps earlier ones. ONNX Runtime may fuse
            // the multiply-add into one rounding, hence a bound rather than equality.
            Closeness.assertClose(
                "nested T " + t + " batch " + b + " output " + o,
                got.get(o),
                want[o],
                new Tolerance(0, 2 * (2 * t * 3) * 2 * U));
          }
        }
      }
    }
  }

  @Test
  void aLoopLoadedFromASavedModelExportsAndRunsInOnnxRuntime() throws Exception {
    // The loop's body as the saved format writes and reads it (its own value ids and input
    // names), exported from the loaded function without the module classes.
    GRU gru = GRU.builder(4).build();
    Path saved = dir.resolve("gru.savedmodel");
    SavedModel.builder()
        .function(
            "inference",
            x -> Unroll.dynamicUnroll(gru, x, gru.initialState(x.dim(1))).outputs(),
            timeMajor(2))
        .save(saved);
    GraphFunction loaded = SavedModel.load(saved).function("inference");
    Path file = dir.resolve("loaded_gru.onnx");
    Onnx.export(loaded, file);
    try (OrtHarness ort = new OrtHarness(file)) {
      for (int t : STEPS) {
        for (int b : BATCHES) {
          Tensor x = uniform(100 * t + b, t, b, 2);
          Tensor got = ort.run(Map.of(ort.inputNames().get(0), x)).get(0);
          Tensor want = loaded.call(x);
          // The GRU's K = 2 + 4 per step, as in the class comment.
          double tol = 2 * t * 4 * (2 + 4) * U * Math.max(1, maxAbs(want));
          Closeness.assertClose(
              "loaded GRU T " + t + " batch " + b, got, want, new Tolerance(0, tol));
        }
      }
    }
  }
}

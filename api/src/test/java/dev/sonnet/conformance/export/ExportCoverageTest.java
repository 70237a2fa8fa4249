package dev.sonnet.conformance.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.SonnetException;
import dev.sonnet.export.GraphFunction;
import dev.sonnet.export.GraphOp;
import dev.sonnet.export.SavedModel;
import dev.sonnet.export.TensorFunction;
import dev.sonnet.export.TensorSpec;
import dev.sonnet.export.TraceException;
import dev.sonnet.module.Layers;
import dev.sonnet.module.Sequential;
import dev.sonnet.nets.Cifar10ConvNet;
import dev.sonnet.nets.MLP;
import dev.sonnet.nets.ResNet50;
import dev.sonnet.nn.BatchNorm;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.nn.Flatten;
import dev.sonnet.nn.Linear;
import dev.sonnet.ops.Convolution;
import dev.sonnet.recurrent.DeepRNN;
import dev.sonnet.recurrent.GRU;
import dev.sonnet.recurrent.LSTM;
import dev.sonnet.recurrent.SequenceLayout;
import dev.sonnet.recurrent.Unroll;
import dev.sonnet.recurrent.UnrolledLSTM;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every model family of the library, saved and loaded, against its own eager output at batch sizes
 * the tracer never used (it traces at 2, 3 and 4): 1 and 5. The loaded function runs the traced
 * primitives in eager order, fused and on the CPU partly by Winograd convolutions; {@link
 * Expect#SAME_OPS} says what that changes and why its tolerance covers it.
 */
class ExportCoverageTest {
  @TempDir Path dir;

  private GraphFunction roundTrip(String name, TensorFunction f, TensorSpec... specs) {
    Path file = dir.resolve(name + ".savedmodel");
    SavedModel.builder().function("inference", f, specs).save(file);
    return SavedModel.load(file).function("inference");
  }

  private static final int[] BATCHES = {1, 5};

  @Test
  void mlp() {
    MLP mlp = MLP.builder(32, 16, 10).build();
    GraphFunction f =
        roundTrip("mlp", TensorFunction.of(mlp::call), TensorSpec.of(DType.FLOAT32, -1, 20));
    for (int b : BATCHES) {
      Tensor x = TracingTest.input(b, b, 20);
      Expect.close(f.call(x), mlp.call(x), Expect.SAME_OPS);
    }
  }

  @Test
  void mainJobConvNet_convReluPoolFlattenLinear() {
    // The main job's ConvNet (samples' Models.convNet) at a smaller width: SAME convolutions,
    // relu, 2x2 max-pooling, Flatten (a reshape from the batch), Linear.
    var pool = Layers.named("max_pool_2x2", x -> Convolution.maxPool(x, new int[] {2, 2}));
    Sequential net =
        new Sequential(
            List.of(
                Conv2D.builder(4, 3).build(),
                Layers.relu(),
                pool,
                Conv2D.builder(6, 3).build(),
                Layers.relu(),
                pool,
                new Flatten(),
                Linear.builder(8).build(),
                Layers.relu(),
                Linear.builder(10).build()));
    GraphFunction f =
        roundTrip(
            "convnet", TensorFunction.of(net::call), TensorSpec.of(DType.FLOAT32, -1, 12, 12, 1));
    for (int b : BATCHES) {
      Tensor x = TracingTest.input(10 + b, b, 12, 12, 1);
      Expect.close(f.call(x), net.call(x), Expect.SAME_OPS);
    }
  }

  @Test
  void cifar10ConvNet_withBatchNormMovingStatistics() {
    Cifar10ConvNet net =
        Cifar10ConvNet.builder()
            .numClasses(5)
            .outputChannels(new int[] {4, 6})
            .strides(new int[] {1, 2})
            .build();
    // A few training steps give the BatchNorms moving statistics that are not their initial ones.
    for (int s = 0; s < 3; s++) {
      net.call(TracingTest.input(100 + s, 4, 8, 8, 3), true);
    }
    TensorFunction inference = in -> new Tensor[] {net.call(in[0], false, false).logits()};
    GraphFunction f = roundTrip("cifar", inference, TensorSpec.of(DType.FLOAT32, -1, 8, 8, 3));
    for (int b : BATCHES) {
      Tensor x = TracingTest.input(20 + b, b, 8, 8, 3);
      Expect.close(f.call(x), inference.call(x)[0], Expect.SAME_OPS);
    }
  }

  @Test
  void batchNorm_inferenceUsesMovingStatistics() {
    BatchNorm bn = BatchNorm.builder(true, true).build();
    for (int s = 0; s < 4; s++) {
      bn.call(TracingTest.input(200 + s, 6, 5).mul(3.0).add(1.0), true);
    }
    GraphFunction f =
        roundTrip(
            "bn",
            in -> new Tensor[] {bn.call(in[0], false, false)},
            TensorSpec.of(DType.FLOAT32, -1, 5));
    for (int b : BATCHES) {
      Tensor x = TracingTest.input(30 + b, b, 5);
      Tensor expected = bn.call(x, false, false);
      Expect.close(f.call(x), expected, Expect.SAME_OPS);
      // Independent reference: (x - mean) / sqrt(var + eps) * scale + offset, from the moving
      // values.
      double[] mean = bn.movingMean().value().toDoubleArray();
      double[] var = bn.movingVariance().value().toDoubleArray();
      double[] scale = bn.scale().peek().toDoubleArray();
      double[] offset = bn.offset().peek().toDoubleArray();
      double[] xv = x.toDoubleArray();
      double[] got = f.call(x).toDoubleArray();
      for (int i = 0; i < xv.length; i++) {
        int c = i % 5;
        double ref = (xv[i] - mean[c]) / Math.sqrt(var[c] + 1e-5) * scale[c] + offset[c];
        // float32 arithmetic on O(1) values: a few ulps, well under 1e-5.
        assertThat(got[i])
            .isCloseTo(ref, org.assertj.core.data.Offset.offset(1e-5 * Math.max(1, Math.abs(ref))));
      }
    }
  }

  @Test
  void resNet50_onA16x16Image() {
    ResNet50 net = new ResNet50(7);
    TensorFunction inference = in -> new Tensor[] {net.call(in[0], false)};
    GraphFunction f = roundTrip("resnet50", inference, TensorSpec.of(DType.FLOAT32, -1, 16, 16, 3));
    Tensor x = TracingTest.input(40, 1, 16, 16, 3);
    Expect.close(f.call(x), inference.call(x)[0], Expect.SAME_OPS);
  }

  @Test
  void lstmAndGruCores_unrolledOverAFixedSequenceLength() {
    LSTM lstm = LSTM.builder(6).build();
    GRU gru = GRU.builder(5).build();
    TensorFunction f =
        in -> {
          Tensor x = in[0]; // [T, B, F], time-major
          var a = Unroll.dynamicUnroll(lstm, x, lstm.initialState(x.dim(1)));
          var b = Unroll.staticUnroll(gru, a.outputs(), gru.initialState(x.dim(1)));
          return new Tensor[] {b.outputs(), a.finalState().cell()};
        };
    TensorSpec spec = TensorSpec.of(DType.FLOAT32, 4, -1, 3).withSymbol(1, "batch");
    Path file = dir.resolve("rnn.savedmodel");
    SavedModel.builder().function("inference", f, spec).save(file);
    GraphFunction g = SavedModel.load(file).function("inference");
    for (int b : BATCHES) {
      Tensor x = TracingTest.input(50 + b, 4, b, 3);
      Expect.sameOutputs(g, f, x);
    }
  }

  @Test
  void unrolledLstm_overAFixedSequenceLength() {
    UnrolledLSTM lstm = UnrolledLSTM.builder(7).build();
    TensorFunction f =
        in -> {
          var out = lstm.call(in[0], lstm.initialState(in[0].dim(1)));
          return new Tensor[] {out.outputs(), out.finalState().hidden()};
        };
    TensorSpec spec = TensorSpec.of(DType.FLOAT32, 5, -1, 4).withSymbol(1, "batch");
    GraphFunction g = roundTrip("unrolled", f, spec);
    for (int b : BATCHES) {
      Tensor x = TracingTest.input(60 + b, 5, b, 4);
      Expect.sameOutputs(g, f, x);
    }
  }

  private static final int[] STEPS = {1, 7};

  /**
   * The loaded {@code g} against {@code f} on sequences of every length in {@link #STEPS} and batch
   * in {@link #BATCHES} ({@code [T, B, features]}, or {@code [B, T, features]} when batch-major).
   */
  private static void sameAtEveryLengthAndBatch(
      GraphFunction g, TensorFunction f, long seed, boolean batchMajor, int features) {
    for (int t : STEPS) {
      for (int b : BATCHES) {
        int[] shape = batchMajor ? new int[] {b, t, features} : new int[] {t, b, features};
        Expect.sameOutputs(g, f, TracingTest.input(seed + t * 10 + b, shape));
      }
    }
  }

  @Test
  void lstmAndGru_dynamicUnroll_overAnUnknownSequenceLength_isOneLoop() {
    LSTM lstm = LSTM.builder(6).build();
    GRU gru = GRU.builder(5).build();
    TensorFunction f =
        in -> {
          Tensor x = in[0]; // [T, B, F], time-major
          var a = Unroll.dynamicUnroll(lstm, x, lstm.initialState(x.dim(1)));
          var b = Unroll.dynamicUnroll(gru, a.outputs(), gru.initialState(x.dim(1)));
          return new Tensor[] {b.outputs(), a.finalState().cell(), b.finalState().value()};
        };
    TensorSpec spec = TensorSpec.of(DType.FLOAT32, -1, -1, 3).withSymbol(0, "time");
    GraphFunction g = roundTrip("rnn_any_length", f, spec);
    assertThat(g.graph().nodes().stream().filter(n -> n.op() instanceof GraphOp.Scan))
        .as("one loop per unroll, whatever the length")
        .hasSize(2);
    sameAtEveryLengthAndBatch(g, f, 70, false, 3);
  }

  @Test
  void deepRnn_batchMajor_dynamicUnroll_overAnUnknownSequenceLength() {
    DeepRNN deep = DeepRNN.of(LSTM.builder(4).build(), GRU.builder(3).build());
    TensorFunction f =
        in -> {
          Tensor x = in[0]; // [B, T, F], batch-major
          var out =
              Unroll.dynamicUnroll(
                  deep, x, deep.initialState(x.dim(0)), null, SequenceLayout.BATCH_MAJOR);
          return new Tensor[] {out.outputs(), out.finalState().leaves().get(0)};
        };
    TensorSpec spec = TensorSpec.of(DType.FLOAT32, -1, -1, 2).withSymbol(1, "time");
    GraphFunction g = roundTrip("deep", f, spec);
    sameAtEveryLengthAndBatch(g, f, 90, true, 2);
  }

  @Test
  void dynamicUnroll_withSequenceLengths_asAnInput_stopsEachExampleInTheGraph() {
    LSTM lstm = LSTM.builder(4).build();
    TensorFunction f =
        in -> {
          var out =
              Unroll.dynamicUnroll(
                  lstm, in[0], lstm.initialState(in[0].dim(1)), in[1], SequenceLayout.TIME_MAJOR);
          return new Tensor[] {out.outputs(), out.finalState().hidden(), out.finalState().cell()};
        };
    GraphFunction g =
        roundTrip(
            "ragged",
            f,
            TensorSpec.of(DType.FLOAT32, -1, -1, 3).withSymbol(0, "time").withSymbol(1, "batch"),
            TensorSpec.of(DType.INT32, -1));
    Tensor x = TracingTest.input(5, 6, 4, 3);
    Tensor lengths = Tensor.of(new int[] {6, 0, 3, 1}, 4);
    Expect.sameOutputs(g, f, x, lengths);
    // Example 1 never ran: its outputs are zeros and its state the initial (zero) one.
    Tensor[] got = g.callAll(x, lengths);
    float[] outputs = got[0].toFloatArray(); // [6, 4, 4]
    for (int t = 0; t < 6; t++) {
      for (int j = 0; j < 4; j++) {
        assertThat(outputs[(t * 4 + 1) * 4 + j]).isZero();
      }
    }
    assertThat(got[1].toFloatArray()[4]).isZero();
  }

  @Test
  void unrolledLstm_overAnUnknownSequenceLength() {
    UnrolledLSTM lstm = UnrolledLSTM.builder(7).build();
    TensorFunction f =
        in -> {
          var out = lstm.call(in[0], lstm.initialState(in[0].dim(1)));
          return new Tensor[] {out.outputs(), out.finalState().hidden()};
        };
    TensorSpec spec = TensorSpec.of(DType.FLOAT32, -1, -1, 4).withSymbol(0, "time");
    GraphFunction g = roundTrip("unrolled_any_length", f, spec);
    sameAtEveryLengthAndBatch(g, f, 110, false, 4);
    Tensor empty = Tensor.zeros(DType.FLOAT32, 0, 2, 4);
    assertThatThrownBy(() -> g.callAll(empty))
        .isInstanceOf(SonnetException.class)
        .hasMessageContaining("scan")
        .hasMessageContaining("no step");
  }

  @Test
  void unknownSequenceLength_ofAStaticUnroll_isAClearError() {
    LSTM lstm = LSTM.builder(3).build();
    TensorFunction f =
        in ->
            new Tensor[] {
              Unroll.staticUnroll(lstm, in[0], lstm.initialState(in[0].dim(1))).outputs()
            };
    TensorSpec spec = TensorSpec.of(DType.FLOAT32, -1, 2, 3).withSymbol(0, "time");
    assertThatThrownBy(() -> SavedModel.builder().function("inference", f, spec))
        .isInstanceOf(TraceException.class)
        .hasMessageContaining("structure depends on the unknown dimensions [time]");
  }
}

package dev.sonnet.conformance.recurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.conformance.nn.ModuleChecks;
import dev.sonnet.module.Module;
import dev.sonnet.nets.MLP;
import dev.sonnet.nn.LayerNorm;
import dev.sonnet.nn.Linear;
import dev.sonnet.recurrent.RelationalMemory;
import dev.sonnet.recurrent.RelationalMemory.GateStyle;
import dev.sonnet.recurrent.Step;
import dev.sonnet.recurrent.TensorState;
import dev.sonnet.recurrent.Unroll;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Sonnet 1's RelationalMemory against a plain-loop reference of its step (Santoro et al. 2018, as
 * in Sonnet's {@code relational_memory.py}), written from the formulas with arrays and loops.
 */
class RelationalMemoryTest {
  private static final int SLOTS = 3;
  private static final int HEAD = 2;
  private static final int HEADS = 2;
  private static final int M = HEAD * HEADS;
  private static final int KEY = 3;
  private static final int BLOCKS = 2;
  private static final int IN = 5;
  private static final int BATCH = 2;

  private static RelationalMemory core(GateStyle style) {
    return RelationalMemory.builder(SLOTS, HEAD)
        .numHeads(HEADS)
        .numBlocks(BLOCKS)
        .keySize(KEY)
        .gateStyle(style)
        .forgetBias(0.7)
        .inputBias(-0.2)
        .build();
  }

  private static <T extends Module> T child(Module m, String name, Class<T> type) {
    return m.submodules().stream()
        .filter(s -> s.name().equals(name))
        .map(type::cast)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no submodule " + name));
  }

  /** {@code x [rows, in] @ w [in, out] + b} for a Linear. */
  private static double[][] linear(double[][] x, Linear l) {
    double[] w = l.w().peek().toDoubleArray();
    double[] b = l.b().peek().toDoubleArray();
    int out = b.length;
    double[][] y = new double[x.length][out];
    for (int r = 0; r < x.length; r++) {
      for (int o = 0; o < out; o++) {
        double s = b[o];
        for (int i = 0; i < x[r].length; i++) {
          s += x[r][i] * w[i * out + o];
        }
        y[r][o] = s;
      }
    }
    return y;
  }

  private static double[][] layerNorm(double[][] x, LayerNorm n) {
    double[] scale = n.scale().peek().toDoubleArray();
    double[] offset = n.offset().peek().toDoubleArray();
    double[][] y = new double[x.length][];
    for (int r = 0; r < x.length; r++) {
      double mean = 0;
      for (double v : x[r]) {
        mean += v / x[r].length;
      }
      double var = 0;
      for (double v : x[r]) {
        var += (v - mean) * (v - mean) / x[r].length;
      }
      y[r] = new double[x[r].length];
      for (int i = 0; i < x[r].length; i++) {
        y[r][i] = (x[r][i] - mean) / Math.sqrt(var + 1e-5) * scale[i] + offset[i];
      }
    }
    return y;
  }

  private static double[][] add(double[][] a, double[][] b) {
    double[][] y = new double[a.length][a[0].length];
    for (int r = 0; r < a.length; r++) {
      for (int i = 0; i < a[r].length; i++) {
        y[r][i] = a[r][i] + b[r][i];
      }
    }
    return y;
  }

  /** Multi-head attention over the rows of {@code h} for one example. */
  private static double[][] attend(double[][] h, Linear qkvLinear, LayerNorm qkvNorm) {
    double[][] qkv = layerNorm(linear(h, qkvLinear), qkvNorm);
    int rows = h.length;
    int per = 2 * KEY + HEAD;
    double[][] out = new double[rows][M];
    for (int head = 0; head < HEADS; head++) {
      for (int i = 0; i < rows; i++) {
        double[] logits = new double[rows];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < rows; j++) {
          double s = 0;
          for (int t = 0; t < KEY; t++) {
            s += qkv[i][head * per + t] / Math.sqrt(KEY) * qkv[j][head * per + KEY + t];
          }
          logits[j] = s;
          max = Math.max(max, s);
        }
        double total = 0;
        for (int j = 0; j < rows; j++) {
          logits[j] = Math.exp(logits[j] - max);
          total += logits[j];
        }
        for (int j = 0; j < rows; j++) {
          for (int t = 0; t < HEAD; t++) {
            out[i][head * HEAD + t] += logits[j] / total * qkv[j][head * per + 2 * KEY + t];
          }
        }
      }
    }
    return out;
  }

  private static double[][] mlp(double[][] h, MLP mlp) {
    double[][] y = h;
    for (int l = 0; l < mlp.layers().size(); l++) {
      y = linear(y, mlp.layers().get(l));
      if (l < mlp.layers().size() - 1) {
        for (double[] row : y) {
          for (int i = 0; i < row.length; i++) {
            row[i] = Math.max(0, row[i]);
          }
        }
      }
    }
    return y;
  }

  private static double sigmoid(double v) {
    return 1 / (1 + Math.exp(-v));
  }

  /** One reference step for one example: returns the next memory [SLOTS][M]. */
  private static double[][] referenceStep(
      RelationalMemory core, GateStyle style, double[] x, double[][] memory) {
    double[][] u = linear(new double[][] {x}, child(core, "input_projection", Linear.class));
    double[][] h = new double[SLOTS + 1][];
    for (int s = 0; s < SLOTS; s++) {
      h[s] = memory[s].clone();
    }
    h[SLOTS] = u[0];
    MLP mlp = child(core, "attention_mlp", MLP.class);
    for (int b = 0; b < BLOCKS; b++) {
      double[][] att =
          attend(
              h,
              child(core, "attention_qkv_" + b, Linear.class),
              child(core, "attention_qkv_norm_" + b, LayerNorm.class));
      h = layerNorm(add(h, att), child(core, "attention_norm_" + b, LayerNorm.class));
      h = layerNorm(add(mlp(h, mlp), h), child(core, "mlp_norm_" + b, LayerNorm.class));
    }
    double[][] next = new double[SLOTS][];
    for (int s = 0; s < SLOTS; s++) {
      next[s] = h[s];
    }
    if (style == GateStyle.NONE) {
      return next;
    }
    int g = style == GateStyle.UNIT ? M : 1;
    double[][] gi = linear(u, child(core, "gate_inputs", Linear.class));
    double[][] tanhMemory = new double[SLOTS][M];
    for (int s = 0; s < SLOTS; s++) {
      for (int i = 0; i < M; i++) {
        tanhMemory[s][i] = Math.tanh(memory[s][i]);
      }
    }
    double[][] gm = linear(tanhMemory, child(core, "gate_memory", Linear.class));
    double[][] out = new double[SLOTS][M];
    for (int s = 0; s < SLOTS; s++) {
      for (int i = 0; i < M; i++) {
        int gate = g == 1 ? 0 : i;
        double in = sigmoid(gm[s][gate] + gi[0][gate] - 0.2);
        double forget = sigmoid(gm[s][g + gate] + gi[0][g + gate] + 0.7);
        out[s][i] = in * Math.tanh(next[s][i]) + forget * memory[s][i];
      }
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(GateStyle.class)
  void twoSteps_matchThePlainLoopReference(GateStyle style) {
    RelationalMemory core = core(style);
    Tensor x0 = ModuleChecks.uniform(21, BATCH, IN);
    Tensor x1 = ModuleChecks.uniform(22, BATCH, IN);
    TensorState s0 = core.initialState(BATCH, DType.FLOAT64);
    core.call(x0, s0);
    long seed = 200;
    for (Variable v : core.variables()) {
      ModuleChecks.randomize(v, seed++);
    }
    Step<TensorState> step0 = core.call(x0, s0);
    Step<TensorState> step1 = core.call(x1, step0.state());

    double[][][] memory = new double[BATCH][SLOTS][M];
    for (int e = 0; e < BATCH; e++) {
      for (int s = 0; s < SLOTS; s++) {
        memory[e][s][s] = 1; // the identity, padded from 3 to 4 columns
      }
    }
    double[] in0 = x0.toDoubleArray();
    double[] in1 = x1.toDoubleArray();
    double[] expected0 = new double[BATCH * SLOTS * M];
    double[] expected1 = new double[BATCH * SLOTS * M];
    for (int e = 0; e < BATCH; e++) {
      double[][] m1 =
          referenceStep(
              core, style, java.util.Arrays.copyOfRange(in0, e * IN, e * IN + IN), memory[e]);
      double[][] m2 =
          referenceStep(core, style, java.util.Arrays.copyOfRange(in1, e * IN, e * IN + IN), m1);
      for (int s = 0; s < SLOTS; s++) {
        System.arraycopy(m1[s], 0, expected0, (e * SLOTS + s) * M, M);
        System.arraycopy(m2[s], 0, expected1, (e * SLOTS + s) * M, M);
      }
    }
    assertThat(step0.output().shape().dims()).containsExactly(BATCH, SLOTS * M);
    // float64 throughout; each value passes through a few dozen O(1) operations: 1e-9 is far
    // above rounding and far below any formula error.
    ModuleChecks.assertClose(step0.output(), expected0, 1e-9);
    ModuleChecks.assertClose(step1.output(), expected1, 1e-9);
    ModuleChecks.assertClose(step1.state().value(), expected1, 1e-9);
  }

  @Test
  void initialState_isTheIdentityPaddedOrTruncated() {
    assertThat(new RelationalMemory(2, 3).initialState(1).value().toFloatArray())
        .containsExactly(1, 0, 0, 0, 1, 0);
    assertThat(new RelationalMemory(3, 2).initialState(1).value().toFloatArray())
        .containsExactly(1, 0, 0, 1, 0, 0);
  }

  @Test
  void gradients_matchFiniteDifferences() {
    RelationalMemory core = core(GateStyle.UNIT);
    Tensor x = ModuleChecks.uniform(23, 1, IN);
    TensorState s = core.initialState(1, DType.FLOAT64);
    core.call(x, s);
    ModuleChecks.checkGradients(core, t -> core.call(t, s).output(), x);
  }

  @Test
  void unrolls_andRefusesBadInputs() {
    RelationalMemory core = new RelationalMemory(2, 4);
    Tensor xs = ModuleChecks.uniform(24, 3, 2, IN).cast(DType.FLOAT32);
    var out = Unroll.dynamicUnroll(core, xs, core.initialState(2));
    assertThat(out.outputs().shape().dims()).containsExactly(3, 2, 8);
    assertThatThrownBy(() -> core.call(Tensor.zeros(DType.FLOAT32, 2, 3, IN), core.initialState(2)))
        .isInstanceOf(ShapeException.class)
        .hasMessageContaining("relational_memory")
        .hasMessageContaining("callMatrix");
    assertThatThrownBy(() -> core.call(Tensor.zeros(DType.FLOAT32, 2, IN), core.initialState(3)))
        .isInstanceOf(ShapeException.class);
    assertThatThrownBy(() -> RelationalMemory.builder(0, 4).build())
        .hasMessageContaining("memSlots");
  }

  @Test
  void callMatrix_attendsToSeveralInputRows() {
    RelationalMemory core = new RelationalMemory(2, 4);
    Tensor x = ModuleChecks.uniform(25, 2, 3, IN).cast(DType.FLOAT32);
    Step<TensorState> step = core.callMatrix(x, core.initialState(2));
    assertThat(step.output().shape().dims()).containsExactly(2, 8);
    // The gates see the 3 projected rows flattened: 3 * memSize inputs.
    assertThat(child(core, "gate_inputs", Linear.class).w().shape().dims()).containsExactly(12, 8);
  }
}

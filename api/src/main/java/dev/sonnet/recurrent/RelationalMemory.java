package dev.sonnet.recurrent;

import dev.sonnet.module.Settings;
import dev.sonnet.nets.MLP;
import dev.sonnet.nn.LayerNorm;
import dev.sonnet.nn.Linear;
import dev.sonnet.ops.LinearAlgebra;
import dev.sonnet.ops.ShapeOps;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Sonnet 1's relational memory core ({@code snt.RelationalMemory}, Santoro et al., "Relational
 * recurrent neural networks", 2018; Sonnet issue #175 asks for it in Sonnet 2): a memory of {@code
 * memSlots} rows of {@code memSize = headSize * numHeads} values, updated each step by multi-head
 * self-attention over the memory and the new input, an MLP, and LSTM-style gates.
 *
 * <p><b>One step</b>, for input {@code x [batch, inputSize]} and memory {@code m [batch, memSlots,
 * memSize]}:
 *
 * <pre>
 * u = input_projection(x)                          [batch, 1, memSize]
 * h = concat(m, u) along the slots                 [batch, memSlots + 1, memSize]
 * per block b:  h = norm_attention_b(h + attend_b(h));  h = norm_mlp_b(h + attention_mlp(h))
 * c = h without its last (input) row               [batch, memSlots, memSize]
 * gates (unit or memory style):
 *   g = gate_memory(tanh(m)) + gate_inputs(u)      (input half i, forget half f)
 *   next = sigmoid(i + inputBias) * tanh(c) + sigmoid(f + forgetBias) * m
 * output = next flattened                          [batch, memSlots * memSize]
 * </pre>
 *
 * where {@code attend_b} is multi-head dot-product attention: a linear layer to queries, keys (each
 * {@code keySize} per head) and values ({@code headSize} per head), layer-normalized, queries
 * scaled by {@code keySize^-1/2}, a softmax over the rows, and the heads' values concatenated. Each
 * block has its own attention projection and norms; the MLP ({@code attentionMlpLayers} relu layers
 * of {@code memSize}) is shared by the blocks, as in Sonnet. {@link GateStyle#UNIT} gates each
 * memory value, {@link GateStyle#MEMORY} each slot, {@link GateStyle#NONE} does not gate ({@code
 * next = c}).
 *
 * <p><b>Initial state:</b> the identity, {@code eye(memSlots)} per example, padded with zero
 * columns or truncated to {@code memSize} columns. <b>Output</b> {@code [batch, memSlots *
 * memSize]}. <b>Variables:</b> {@code input_projection/{w,b}}, {@code attention_qkv_b/{w,b}} and
 * {@code attention_qkv_norm_b}, {@code attention_norm_b}, {@code mlp_norm_b} (scale and offset),
 * {@code attention_mlp/linear_i/{w,b}}, and with gates {@code gate_inputs/{w,b}} and {@code
 * gate_memory/{w,b}}.
 *
 * <pre>{@code
 * var core = RelationalMemory.builder(4, 16).numHeads(2).build();     // 4 slots of 32
 * Unrolled<TensorState> out = Unroll.dynamicUnroll(core, x, core.initialState(x.dim(1)));
 * }</pre>
 */
public final class RelationalMemory extends RNNCore<TensorState> {
  /** How the new memory is gated. */
  public enum GateStyle {
    /** A gate per memory value (Sonnet's {@code 'unit'}, the default). */
    UNIT,
    /** A gate per memory slot (Sonnet's {@code 'memory'}). */
    MEMORY,
    /** No gates (Sonnet's {@code None}): the attended memory is the next memory. */
    NONE
  }

  /** {@code 1} head. */
  public static final int DEFAULT_NUM_HEADS = 1;

  /** {@code 1} attention block per step. */
  public static final int DEFAULT_NUM_BLOCKS = 1;

  /** {@code 1.0}: the forget gate starts mostly open, so memory persists early in training. */
  public static final double DEFAULT_FORGET_BIAS = 1.0;

  /** {@code 0.0}. */
  public static final double DEFAULT_INPUT_BIAS = 0.0;

  /** {@link GateStyle#UNIT}, Sonnet's default. */
  public static final GateStyle DEFAULT_GATE_STYLE = GateStyle.UNIT;

  /** {@code 2} layers in the attention MLP. */
  public static final int DEFAULT_ATTENTION_MLP_LAYERS = 2;

  /** {@code null}: the key size is the head size. */
  public static final Integer DEFAULT_KEY_SIZE = null;

  final int memSlots;
  final int headSize;
  final int numHeads;
  final int numBlocks;
  final double forgetBias;
  final double inputBias;
  final GateStyle gateStyle;
  final int attentionMlpLayers;
  final Integer keySize;
  final Linear inputProjection;
  final List<Linear> attentionQkv;
  final List<LayerNorm> attentionQkvNorms;
  final List<LayerNorm> attentionNorms;
  final List<LayerNorm> mlpNorms;
  final MLP attentionMlp;
  final Linear gateInputs;
  final Linear gateMemory;

  /** A core of {@code memSlots} slots of {@code headSize} values, one head, Sonnet's defaults. */
  public RelationalMemory(int memSlots, int headSize) {
    this(
        memSlots,
        headSize,
        DEFAULT_NUM_HEADS,
        DEFAULT_NUM_BLOCKS,
        DEFAULT_FORGET_BIAS,
        DEFAULT_INPUT_BIAS,
        DEFAULT_GATE_STYLE,
        DEFAULT_ATTENTION_MLP_LAYERS,
        DEFAULT_KEY_SIZE,
        null);
  }

  /**
   * Starts a core with every other setting at its default.
   *
   * @param memSlots the number of memory rows, at least 1
   * @param headSize the values per head; a row has {@code headSize * numHeads}
   */
  public static RelationalMemoryBuilder builder(int memSlots, int headSize) {
    return new RelationalMemoryBuilder(memSlots, headSize);
  }

  /** Every setting; called by {@link RelationalMemoryBuilder}, which documents each default. */
  @SuppressWarnings("this-escape")
  @Settings
  RelationalMemory(
      int memSlots,
      int headSize,
      int numHeads,
      int numBlocks,
      double forgetBias,
      double inputBias,
      GateStyle gateStyle,
      int attentionMlpLayers,
      Integer keySize,
      String name) {
    super(name == null ? "relational_memory" : name);
    Cores.checkSize("RelationalMemory", "memSlots", memSlots);
    Cores.checkSize("RelationalMemory", "headSize", headSize);
    Cores.checkSize("RelationalMemory", "numHeads", numHeads);
    Cores.checkSize("RelationalMemory", "numBlocks", numBlocks);
    Cores.checkSize("RelationalMemory", "attentionMlpLayers", attentionMlpLayers);
    if (keySize != null) {
      Cores.checkSize("RelationalMemory", "keySize", keySize);
    }
    this.gateStyle = Cores.required("RelationalMemory", "gateStyle", gateStyle);
    this.memSlots = memSlots;
    this.headSize = headSize;
    this.numHeads = numHeads;
    this.numBlocks = numBlocks;
    this.forgetBias = forgetBias;
    this.inputBias = inputBias;
    this.attentionMlpLayers = attentionMlpLayers;
    this.keySize = keySize;
    int memSize = memSize();
    int qkvSize = numHeads * (2 * keySize() + headSize);
    this.inputProjection = Linear.builder(memSize).name("input_projection").build();
    List<Linear> qkv = new ArrayList<>();
    List<LayerNorm> qkvNorms = new ArrayList<>();
    List<LayerNorm> attNorms = new ArrayList<>();
    List<LayerNorm> mlpNorms = new ArrayList<>();
    for (int b = 0; b < numBlocks; b++) {
      qkv.add(Linear.builder(qkvSize).name("attention_qkv_" + b).build());
      qkvNorms.add(lastAxisNorm("attention_qkv_norm_" + b));
      attNorms.add(lastAxisNorm("attention_norm_" + b));
      mlpNorms.add(lastAxisNorm("mlp_norm_" + b));
    }
    this.attentionQkv = List.copyOf(qkv);
    this.attentionQkvNorms = List.copyOf(qkvNorms);
    this.attentionNorms = List.copyOf(attNorms);
    this.mlpNorms = List.copyOf(mlpNorms);
    int[] sizes = new int[attentionMlpLayers];
    java.util.Arrays.fill(sizes, memSize);
    this.attentionMlp = MLP.builder(sizes).name("attention_mlp").build();
    int gates = 2 * gateSize();
    this.gateInputs =
        gateStyle == GateStyle.NONE ? null : Linear.builder(gates).name("gate_inputs").build();
    this.gateMemory =
        gateStyle == GateStyle.NONE ? null : Linear.builder(gates).name("gate_memory").build();
  }

  private static LayerNorm lastAxisNorm(String name) {
    return LayerNorm.builder(true, true, -1).name(name).build();
  }

  /** The values per memory row: {@code headSize * numHeads}. */
  public int memSize() {
    return headSize * numHeads;
  }

  /** The key (and query) size per head: {@code keySize}, or {@code headSize} when not set. */
  public int keySize() {
    return keySize == null ? headSize : keySize;
  }

  private int gateSize() {
    return switch (gateStyle) {
      case UNIT -> memSize();
      case MEMORY -> 1;
      case NONE -> 0;
    };
  }

  @Override
  public Step<TensorState> call(Tensor input, TensorState prevState) {
    if (input.rank() != 2) {
      throw new ShapeException(
          who()
              + ": input "
              + input.shape()
              + " must be [batch, inputSize]; for several input rows per step use"
              + " callMatrix(input [batch, rows, size], state)");
    }
    checkState(prevState, input.dim(0), input.dtype(), input.shape());
    Tensor u = inputProjection.call(input);
    return step(u.reshape(u.dim(0), 1, memSize()), prevState.value());
  }

  /**
   * One step on several input rows ({@code treat_input_as_matrix=True} in Sonnet): {@code input
   * [batch, rows, size]} is projected row by row to {@code [batch, rows, memSize]} and attended to
   * with the memory; the gates see all rows flattened. The core's variables are shaped by the first
   * call, so a core is used either this way or with {@link #call}, with a fixed number of rows.
   */
  public Step<TensorState> callMatrix(Tensor input, TensorState prevState) {
    if (input.rank() != 3) {
      throw new ShapeException(
          who() + ": callMatrix needs input [batch, rows, size], got " + input.shape());
    }
    checkState(prevState, input.dim(0), input.dtype(), input.shape());
    return step(inputProjection.call(input), prevState.value());
  }

  private Step<TensorState> step(Tensor inputs, Tensor memory) {
    int rows = inputs.dim(1);
    Tensor h = ShapeOps.concat(1, memory, inputs);
    for (int b = 0; b < numBlocks; b++) {
      h = attentionNorms.get(b).call(h.add(attend(h, b)));
      h = mlpNorms.get(b).call(attentionMlp.call(h).add(h));
    }
    int batch = memory.dim(0);
    Tensor next =
        h.slice(new int[] {0, 0, 0}, new int[] {batch, memSlots, memSize()}, new int[] {1, 1, 1});
    if (gateStyle != GateStyle.NONE) {
      int g = gateSize();
      Tensor gi = gateInputs.call(inputs.reshape(batch, rows * memSize()));
      Tensor gates = gateMemory.call(memory.tanh()).add(gi.reshape(batch, 1, 2 * g));
      List<Tensor> halves = ShapeOps.split(gates, new int[] {g, g}, 2);
      Tensor inputGate = halves.get(0).add(inputBias).sigmoid();
      Tensor forgetGate = halves.get(1).add(forgetBias).sigmoid();
      next = inputGate.mul(next.tanh()).add(forgetGate.mul(memory));
    }
    return new Step<>(next.reshape(batch, memSlots * memSize()), new TensorState(next));
  }

  /** Multi-head dot-product attention of block {@code b} over the rows of {@code m}. */
  private Tensor attend(Tensor m, int b) {
    int batch = m.dim(0);
    int rows = m.dim(1);
    int k = keySize();
    int qkvSize = 2 * k + headSize;
    Tensor qkv = attentionQkvNorms.get(b).call(attentionQkv.get(b).call(m));
    qkv = qkv.reshape(batch, rows, numHeads, qkvSize).permute(0, 2, 1, 3);
    List<Tensor> parts = ShapeOps.split(qkv, new int[] {k, k, headSize}, 3);
    Tensor q = parts.get(0).mul(1.0 / Math.sqrt(k));
    Tensor logits = LinearAlgebra.matmul(q, parts.get(1), false, true); // [B, H, R, R]
    Tensor out = LinearAlgebra.matmul(logits.softmax(-1), parts.get(2), false, false);
    return out.permute(0, 2, 1, 3).reshape(batch, rows, memSize());
  }

  /** The identity memory: {@code eye(memSlots)} per example, padded or truncated to memSize. */
  @Override
  public TensorState initialState(int batchSize, DType dtype) {
    int n = Cores.checkBatch(this, batchSize);
    int m = memSize();
    double[] v = new double[n * memSlots * m];
    for (int e = 0; e < n; e++) {
      for (int s = 0; s < Math.min(memSlots, m); s++) {
        v[(e * memSlots + s) * m + s] = 1;
      }
    }
    return new TensorState(Tensor.of(v, n, memSlots, m).cast(dtype));
  }

  @Override
  public Shape outputSize() {
    return Shape.of(memSlots * memSize());
  }

  /** The number of memory rows. */
  public int memSlots() {
    return memSlots;
  }
}

package dev.sonnet.export;

import dev.sonnet.backend.BinaryKind;
import dev.sonnet.backend.PoolKind;
import dev.sonnet.backend.ReduceKind;
import dev.sonnet.backend.UnaryKind;
import dev.sonnet.ops.ConvParams;
import dev.sonnet.tensor.DType;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a graph {@link Node} computes: one of a closed set of operations, each a record of its
 * attributes. The set mirrors the library's forward primitives ({@code dev.sonnet.ops}), so each
 * node runs as exactly one dispatched op and means exactly what that op means (its Javadoc is the
 * specification: broadcasting, layouts, rounding). Exporters switch over the sealed set; the Java
 * compiler then lists any kind they miss.
 *
 * <p>Attributes that are sizes are {@link DimExpr}s, so they stay right for every value of an
 * unknown input dimension; other attributes (axes, permutations, strides) never depend on one. Axes
 * are non-negative. Lists are immutable.
 *
 * <p>{@link Fill} comes from tracing (a constant tensor whose size depends on the batch, such as an
 * RNN's zero initial state). {@link FusedMatMul}, {@link FusedConv}, {@link WinogradFilter}, {@link
 * WinogradConv} and {@link ConvMaxPool} are made only by the inference optimizer of a loaded
 * function; traced graphs and saved files never hold them.
 */
public sealed interface GraphOp {
  /** A short stable name, as in the saved format: {@code unary}, {@code matmul}, ... */
  String name();

  /** Elementwise {@code kind} of input 0 (one output). */
  record Unary(UnaryKind kind) implements GraphOp {
    public Unary {
      Objects.requireNonNull(kind, "kind");
    }

    @Override
    public String name() {
      return "unary";
    }
  }

  /** Elementwise {@code kind} of inputs 0 and 1 with NumPy broadcasting (one output). */
  record Binary(BinaryKind kind) implements GraphOp {
    public Binary {
      Objects.requireNonNull(kind, "kind");
    }

    @Override
    public String name() {
      return "binary";
    }
  }

  /** Input 0 converted to {@code dtype} (floats to integers truncate toward zero). */
  record Cast(DType dtype) implements GraphOp {
    public Cast {
      Objects.requireNonNull(dtype, "dtype");
    }

    @Override
    public String name() {
      return "cast";
    }
  }

  /**
   * The matrix product of inputs 0 and 1 (rank >= 2, leading axes broadcast), each transposed in
   * its last two axes when asked.
   */
  record MatMul(boolean transposeA, boolean transposeB) implements GraphOp {
    @Override
    public String name() {
      return "matmul";
    }
  }

  /** Input 0's elements, row-major, viewed in {@code shape} (of the same size). */
  record Reshape(SymbolicShape shape) implements GraphOp {
    public Reshape {
      Objects.requireNonNull(shape, "shape");
    }

    @Override
    public String name() {
      return "reshape";
    }
  }

  /** Input 0 broadcast (NumPy rules) to {@code shape}. */
  record BroadcastTo(SymbolicShape shape) implements GraphOp {
    public BroadcastTo {
      Objects.requireNonNull(shape, "shape");
    }

    @Override
    public String name() {
      return "broadcast_to";
    }
  }

  /** Input 0's axes reordered: output axis {@code i} is input axis {@code perm.get(i)}. */
  record Permute(List<Integer> perm) implements GraphOp {
    public Permute {
      perm = List.copyOf(perm);
    }

    @Override
    public String name() {
      return "permute";
    }
  }

  /**
   * A strided window of input 0: along axis {@code i}, {@code size[i]} elements starting at {@code
   * begin[i]}, {@code step[i]} apart (a step is nonzero and may be negative). One entry per axis.
   */
  record Slice(List<DimExpr> begin, List<Integer> step, SymbolicShape size) implements GraphOp {
    public Slice {
      begin = List.copyOf(begin);
      step = List.copyOf(step);
      Objects.requireNonNull(size, "size");
    }

    @Override
    public String name() {
      return "slice";
    }
  }

  /** Input 0 cut along {@code axis} into consecutive parts of {@code sizes}, one output each. */
  record Split(int axis, List<DimExpr> sizes) implements GraphOp {
    public Split {
      sizes = List.copyOf(sizes);
    }

    @Override
    public String name() {
      return "split";
    }
  }

  /** All inputs (one or more) joined along {@code axis}. */
  record Concat(int axis) implements GraphOp {
    @Override
    public String name() {
      return "concat";
    }
  }

  /**
   * Input 0 with {@code before[i]} and {@code after[i]} elements of {@code value} added along axis
   * {@code i}.
   */
  record Pad(List<Integer> before, List<Integer> after, double value) implements GraphOp {
    public Pad {
      before = List.copyOf(before);
      after = List.copyOf(after);
    }

    @Override
    public String name() {
      return "pad";
    }
  }

  /** The slices of input 0 along {@code axis} at the integer indices of input 1. */
  record Gather(int axis) implements GraphOp {
    @Override
    public String name() {
      return "gather";
    }
  }

  /** Input 0 (bool) ? input 1 : input 2, elementwise with broadcasting. */
  record Where() implements GraphOp {
    @Override
    public String name() {
      return "where";
    }
  }

  /**
   * A reduction of input 0 over the sorted, distinct {@code axes}; kept as size 1 when {@code
   * keepDims}. {@code ARGMAX}/{@code ARGMIN} reduce one axis to int64 indices.
   */
  record Reduce(ReduceKind kind, List<Integer> axes, boolean keepDims) implements GraphOp {
    public Reduce {
      Objects.requireNonNull(kind, "kind");
      axes = List.copyOf(axes);
    }

    @Override
    public String name() {
      return "reduce";
    }
  }

  /**
   * A channels-last convolution: input 0 {@code [batch, spatial..., C]}, input 1 the filters {@code
   * [kernel..., C / groups, O]}; output {@code [batch, out..., O]}.
   */
  record Conv(ConvParams params) implements GraphOp {
    public Conv {
      Objects.requireNonNull(params, "params");
    }

    @Override
    public String name() {
      return "conv";
    }
  }

  /** Channels-last max or average pooling of input 0 over {@code window}; padding never counts. */
  record Pool(PoolKind kind, List<Integer> window, ConvParams params) implements GraphOp {
    public Pool {
      Objects.requireNonNull(kind, "kind");
      window = List.copyOf(window);
      Objects.requireNonNull(params, "params");
    }

    @Override
    public String name() {
      return "pool";
    }
  }

  /** A tensor of {@code shape} holding {@code value} everywhere; no inputs. */
  record Fill(DType dtype, double value, SymbolicShape shape) implements GraphOp {
    public Fill {
      Objects.requireNonNull(dtype, "dtype");
      Objects.requireNonNull(shape, "shape");
    }

    @Override
    public String name() {
      return "fill";
    }
  }

  /**
   * A loop over the steps of sequences ({@link dev.sonnet.ops.Scan}, ONNX {@code Scan}): the node's
   * inputs are {@code carried} initial values, then {@code sequences} sequences, then the outer
   * values the body captures (in the order of the body's remaining inputs). Step {@code t} runs
   * {@code body} on the carried values, each sequence's index {@code t} along {@code axis} (the
   * axis removed) and the captures; the body's first {@code carried} outputs are the next carried
   * values, the rest are per-step outputs. The node's outputs are the carried values after the last
   * step, then each per-step output stacked along {@code axis}. The sequences share their length
   * along {@code axis}, which must be at least 1 when the graph runs.
   *
   * <p>The body is a graph of its own, with no variables (a variable it reads is a capture), whose
   * symbols are those of the enclosing graph.
   */
  record Scan(Graph body, int carried, int sequences, int axis) implements GraphOp {
    public Scan {
      Objects.requireNonNull(body, "body");
      if (carried < 0 || sequences < 1 || axis < 0) {
        throw new IllegalArgumentException(
            "Scan: carried "
                + carried
                + ", sequences "
                + sequences
                + ", axis "
                + axis
                + ": needs carried >= 0, sequences >= 1, axis >= 0");
      }
      if (body.inputs().size() < carried + sequences || body.outputs().size() < carried) {
        throw new IllegalArgumentException(
            "Scan: the body takes "
                + body.inputs().size()
                + " inputs and makes "
                + body.outputs().size()
                + " outputs; it needs at least "
                + (carried + sequences)
                + " inputs and "
                + carried
                + " outputs");
      }
      if (!body.variables().isEmpty()) {
        throw new IllegalArgumentException(
            "Scan: the body reads variables directly; a loop body captures them as inputs");
      }
    }

    /** The number of captured outer values. */
    public int captures() {
      return body.inputs().size() - carried - sequences;
    }

    /** Like {@code Scan[carried=2, sequences=1, captures=3, axis=0, body of 14 nodes]}. */
    @Override
    public String toString() {
      return "Scan[carried="
          + carried
          + ", sequences="
          + sequences
          + ", captures="
          + captures()
          + ", axis="
          + axis
          + ", body of "
          + body.nodes().size()
          + " nodes]";
    }

    @Override
    public String name() {
      return "scan";
    }
  }

  /**
   * {@code activation(matmul(a, w) + bias)} in one step: inputs {@code a}, {@code w} and, when
   * {@code hasBias}, a bias broadcast over the product's rows. {@code activation} is null for none.
   * {@code constantWeight}: {@code w} is a variable or a constant of the graph, so the runner may
   * keep it packed for the product between calls. Made only by the inference optimizer.
   */
  record FusedMatMul(
      boolean transposeA,
      boolean transposeB,
      boolean hasBias,
      UnaryKind activation,
      boolean constantWeight)
      implements GraphOp {
    @Override
    public String name() {
      return "fused_matmul"
          + (activation == null ? "" : "_" + activation.name().toLowerCase(Locale.ROOT));
    }
  }

  /**
   * {@code activation(conv(x, w) + bias)} in one step: inputs {@code x}, {@code w} and, when {@code
   * hasBias}, a per-output-channel bias. {@code activation} is null for none. Made only by the
   * inference optimizer.
   */
  record FusedConv(ConvParams params, boolean hasBias, UnaryKind activation) implements GraphOp {
    public FusedConv {
      Objects.requireNonNull(params, "params");
    }

    @Override
    public String name() {
      return "fused_conv"
          + (activation == null ? "" : "_" + activation.name().toLowerCase(Locale.ROOT));
    }
  }

  /**
   * A 3x3 float32 filter {@code w [3, 3, C, O]} transformed for Winograd's F(2x2, 3x3) algorithm:
   * {@code u [16, C, O]} ({@code WinogradConvOp.transformFilter}). Made only by the inference
   * optimizer, on a variable's or constant's filter, so the runner computes it once per variable
   * value.
   */
  record WinogradFilter() implements GraphOp {
    @Override
    public String name() {
      return "winograd_filter";
    }
  }

  /**
   * {@link FusedConv} for a 3x3, stride-1 2-d convolution, computed by Winograd's F(2x2, 3x3)
   * algorithm where the runtime has the kernel ({@code WinogradConvOp}): inputs {@code x}, {@code
   * w}, {@code u} (the {@link WinogradFilter} of {@code w}) and, when {@code hasBias}, the bias.
   * Made only by the inference optimizer.
   */
  record WinogradConv(ConvParams params, boolean hasBias, UnaryKind activation) implements GraphOp {
    public WinogradConv {
      Objects.requireNonNull(params, "params");
    }

    @Override
    public String name() {
      return "winograd_conv"
          + (activation == null ? "" : "_" + activation.name().toLowerCase(Locale.ROOT));
    }
  }

  /**
   * A {@link FusedConv} ({@link WinogradConv} when {@code winograd}) followed by max pooling over
   * 2x2 windows with stride 2 and no padding: the inputs of the convolution, the pooled output
   * ({@code ConvMaxPoolOp}). {@code activation} is relu or null. Made only by the inference
   * optimizer, for a 2-d convolution with even output sizes.
   */
  record ConvMaxPool(ConvParams params, boolean hasBias, UnaryKind activation, boolean winograd)
      implements GraphOp {
    public ConvMaxPool {
      Objects.requireNonNull(params, "params");
    }

    @Override
    public String name() {
      return (winograd ? "winograd_conv" : "fused_conv")
          + (activation == null ? "" : "_" + activation.name().toLowerCase(Locale.ROOT))
          + "_max_pool";
    }
  }
}

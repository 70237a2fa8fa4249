package dev.sonnet.ops;

/**
 * Describes a dispatched {@link Op} to an {@link OpDescriber}: the one place outside each op that
 * knows every forward primitive's attributes. Used by graph tracing ({@code dev.sonnet.export});
 * replaying a description goes through the public entry points ({@link ShapeOps}, {@link
 * Elementwise}, ...), which validate their arguments, or through the public {@link ConvOp} and
 * {@link PoolOp} records.
 */
public final class OpDescriptions {
  private OpDescriptions() {}

  /** Calls the one method of {@code describer} that matches {@code op}. */
  public static <R> R describe(Op op, OpDescriber<R> describer) {
    return switch (op) {
      case UnaryOp u -> describer.unary(u.kind());
      case BinaryOp b -> describer.binary(b.kind());
      case CastOp c -> describer.cast(c.dtype());
      case MatMulOp m -> describer.matmul(m.transposeA(), m.transposeB());
      case ReshapeOp r -> describer.reshape(r.shape());
      case BroadcastToOp b -> describer.broadcastTo(b.shape());
      case PermuteOp p -> describer.permute(p.perm().clone());
      case SliceOp s -> describer.slice(s.begin().clone(), s.step().clone(), s.shape());
      case SplitOp s -> describer.split(s.axis(), s.sizes().clone());
      case ConcatOp c -> describer.concat(c.axis());
      case PadOp p -> describer.pad(p.before().clone(), p.after().clone(), p.value());
      case GatherOp g -> describer.gather(g.axis());
      case WhereOp w -> describer.where();
      case ReduceOp r -> describer.reduce(r.kind(), r.axes().clone(), r.keepDims());
      case ConvOp c -> describer.conv(c.params());
      case PoolOp p -> describer.pool(p.kind(), p.window(), p.params());
      default -> describer.other(op);
    };
  }
}

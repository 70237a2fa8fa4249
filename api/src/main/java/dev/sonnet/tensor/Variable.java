package dev.sonnet.tensor;

import dev.sonnet.SonnetException;
import dev.sonnet.ops.Dispatch;
import java.util.Objects;

/**
 * A named, mutable holder of a tensor: the parameters and state of a model.
 *
 * <p><b>Three ways to get the value</b>, for three jobs:
 *
 * <ul>
 *   <li>{@link #read()}: the value, and the read is recorded on the thread's gradient tapes, so
 *       {@code tape.gradient(loss, variable)} reaches it. Use it in model code.
 *   <li>{@link #asTensor()}: the same as {@code read()}; it is the {@link Operand} method that lets
 *       a variable go wherever a tensor does ({@code x.matmul(w)}), and what operations call.
 *   <li>{@link #peek()}: the value without recording, for code that must not put the variable on a
 *       gradient path: optimizers, checkpoints, metrics, printing.
 * </ul>
 *
 * <p>Its shape and dtype are fixed at creation; {@link #assign}, {@link #assignAdd} and {@link
 * #assignSub} replace the value (the update itself is not recorded by gradient tapes). Using a
 * variable in an operation reads its current value, and that read is recorded, so {@code
 * tape.gradient(loss, variable)} works. Trainable variables are watched automatically by tapes that
 * watch accessed variables (the default).
 *
 * <p>A variable's value is never freed by a {@link TensorScope}: creating or assigning a variable
 * detaches the value from the thread's open scopes, so an optimizer step inside a scope keeps its
 * updates. The other way round, {@link #assignAdd} or {@link #assignSub} inside a scope retires the
 * value it replaces to that scope (when this variable had made it by an earlier update), so it is
 * freed when the scope closes, as PyTorch's in-place update would overwrite it. A tensor read from
 * a variable is therefore valid until the end of the scope of the next update; copy it ({@code
 * t.add(0)}) to keep a snapshot across training steps.
 *
 * <p><b>Threads.</b> Assignments are atomic with respect to reads: a reader on another thread sees
 * either the old or the new value, never a mix, and the tensor it got stays valid for as long as it
 * holds it. An evaluation thread, a server answering from the model being trained or a checkpoint
 * saved in the background may therefore read while a training thread updates. The retiring above is
 * what could break that (the scope would free, and the runtime reuse, memory the other thread is
 * still reading), so a value read or peeked by any thread other than the one that made it is never
 * retired: it is left to the garbage collector instead, which frees it only when no thread holds
 * it. A training step read by no other thread allocates as little as before.
 */
public final class Variable implements Operand {
  private final String name;
  private final boolean trainable;
  private final Shape shape;
  private final DType dtype;

  /** The value; for a mirrored variable, replica 0's. */
  private final Slot primary;

  /**
   * One slot per replica ({@code [0] == primary}) for a variable created while a {@link
   * Replicas.Placement} was bound, else null.
   */
  private final Slot[] replicaSlots;

  private final Replicas.Placement placement;

  /** A value and its lock: the unit that reads and updates work on. */
  private static final class Slot {
    volatile Current current;

    Slot(Current current) {
      this.current = current;
    }
  }

  /**
   * The value and who may free it. {@code maker} is the thread whose {@link #assignAdd} or {@link
   * #assignSub} made {@code tensor}, or null for a tensor handed to the constructor or to {@link
   * #assign}, which may be the caller's or another variable's and is never retired. {@code
   * readElsewhere} is set by the first read on another thread, before that read returns, and
   * forbids retiring: see {@link #acquire()} for why the two volatile accesses suffice.
   */
  private static final class Current {
    final Tensor tensor;
    final Thread maker;
    volatile boolean readElsewhere;

    Current(Tensor tensor, Thread maker) {
      this.tensor = tensor;
      this.maker = maker;
    }
  }

  /**
   * A variable holding {@code initialValue}; {@code name} is its full path, e.g. {@code
   * mlp/linear/w}.
   */
  public Variable(String name, Tensor initialValue, boolean trainable) {
    this.name = Objects.requireNonNull(name, "name");
    Objects.requireNonNull(initialValue, "initialValue");
    Replicas.Binding binding = Replicas.current();
    if (binding == null) {
      this.placement = null;
      this.replicaSlots = null;
      this.primary = new Slot(new Current(ownIdentity(initialValue), null));
    } else {
      // Mirrored: every replica starts from the same value, placed on its own device.
      this.placement = binding.placement();
      this.replicaSlots = new Slot[placement.count()];
      for (int r = 0; r < replicaSlots.length; r++) {
        replicaSlots[r] =
            new Slot(new Current(ownIdentity(placement.place(r, initialValue)), null));
      }
      this.primary = replicaSlots[0];
    }
    this.trainable = trainable;
    this.shape = initialValue.shape();
    this.dtype = initialValue.dtype();
  }

  /** The full hierarchical name, like {@code mlp/linear_1/w}. */
  public String name() {
    return name;
  }

  /** Whether optimizers should update this variable (false for state such as moving averages). */
  public boolean trainable() {
    return trainable;
  }

  @Override
  public Shape shape() {
    return shape;
  }

  @Override
  public DType dtype() {
    return dtype;
  }

  /**
   * Reads the current value, recording the read on active gradient tapes. Inside a {@link
   * VariableReadGetter} scope that accepts this variable (custom getters, mixed precision's cast),
   * the value comes back through its getter.
   */
  public Tensor read() {
    Tensor v = acquire();
    Dispatch.variableRead(this, v);
    return VariableReadGetter.apply(this, v);
  }

  /** Same as {@link #read()}. */
  @Override
  public Tensor asTensor() {
    return read();
  }

  /** The current value without recording the read (for checkpoints, printing, optimizers). */
  public Tensor peek() {
    return acquire();
  }

  /**
   * The current value, marked as read elsewhere when this thread did not make it, so that no later
   * update retires it while this thread may still use it.
   *
   * <p>Why this is enough: the reader writes {@code readElsewhere} and then reads {@code current}
   * again; {@link #replace} writes {@code current} and then reads {@code readElsewhere}. All four
   * are volatile, so in their single total order either the update sees the mark (and leaves the
   * old value to the collector), or the reader sees the new value and takes that one instead.
   */
  private Tensor acquire() {
    return acquire(slot());
  }

  private static Tensor acquire(Slot slot) {
    Current c = slot.current;
    Thread self = Thread.currentThread();
    while (c.maker != null && c.maker != self) {
      c.readElsewhere = true;
      Current again = slot.current;
      if (again == c) {
        break;
      }
      c = again;
    }
    return c.tensor;
  }

  /** Replaces the value; {@code newValue} must have this variable's shape and dtype. */
  public void assign(Operand newValue) {
    Dispatch.variableWrite(this);
    Tensor t;
    try (var pause = Dispatch.pause()) {
      t = newValue.asTensor();
    }
    if (replicaSlots != null && Replicas.currentIndex() < 0) {
      // Cross-replica: every replica takes the value (a restore, a user's reset).
      checkCompatible("assign", primary, t);
      for (int r = 0; r < replicaSlots.length; r++) {
        replace(replicaSlots[r], ownIdentity(placement.place(r, t)), false);
      }
      return;
    }
    Slot slot = slot();
    checkCompatible("assign", slot, t);
    replace(slot, ownIdentity(t), false);
  }

  /**
   * Whether this variable holds one value per replica: it was created in a replicator's scope or
   * replicated step (see {@link Replicas}).
   */
  public boolean isMirrored() {
    return replicaSlots != null;
  }

  /**
   * Replica {@code replica}'s value of a mirrored variable, without recording (for tests and tools
   * that compare replicas); for a variable that is not mirrored, its one value.
   */
  public Tensor peekReplica(int replica) {
    if (replicaSlots == null) {
      return acquire(primary);
    }
    Objects.checkIndex(replica, replicaSlots.length);
    return acquire(replicaSlots[replica]);
  }

  /**
   * The slot the calling thread works on: its replica's for a mirrored variable read by a replica
   * of the placement that made it, else the primary one.
   */
  private Slot slot() {
    Slot[] slots = replicaSlots;
    if (slots == null) {
      return primary;
    }
    Replicas.Binding b = Replicas.current();
    if (b == null || b.index() < 0) {
      return primary;
    }
    if (b.placement() != placement) {
      throw new SonnetException(
          "Variable '"
              + name
              + "' is mirrored across the replicas of another replicator than the one running"
              + " this step; create the model in the scope of the replicator that runs it");
    }
    return slots[b.index()];
  }

  /** Adds {@code delta} to the value. */
  public void assignAdd(Operand delta) {
    update("assignAdd", delta, false);
  }

  private void update(String what, Operand delta, boolean subtract) {
    if (replicaSlots != null && Replicas.currentIndex() < 0) {
      for (int r = 0; r < replicaSlots.length; r++) {
        Tensor d;
        try (var pause = Dispatch.pause()) {
          Tensor given = delta.asTensor();
          d = placement.place(r, given);
        }
        update(replicaSlots[r], what, d, subtract);
      }
      return;
    }
    update(slot(), what, delta, subtract);
  }

  /** Subtracts {@code delta} from the value. */
  public void assignSub(Operand delta) {
    update("assignSub", delta, true);
  }

  /**
   * Replaces the value with {@code rule.apply(value)}, unrecorded, like {@link #assignSub}: for an
   * optimizer's fused step ({@code dev.sonnet.ops.OptimizerUpdates}), which computes the new value
   * from the current one in one operation. The new value counts as made by this variable, so inside
   * a {@link TensorScope} a later update retires it as it retires {@link #assignSub}'s; the rule
   * must therefore return a tensor it made from the value (an operation's fresh output), never one
   * held elsewhere. A mirrored variable is updated on the calling replica's value; outside a
   * replica's step, on each replica's value in turn.
   *
   * @param what the update's name, for errors
   * @throws IllegalArgumentException if the rule returns the value itself or shares its memory
   */
  public void assignUpdate(String what, java.util.function.UnaryOperator<Tensor> rule) {
    Dispatch.variableWrite(this);
    if (replicaSlots != null && Replicas.currentIndex() < 0) {
      for (Slot slot : replicaSlots) {
        assignUpdate(slot, what, rule);
      }
      return;
    }
    assignUpdate(slot(), what, rule);
  }

  private void assignUpdate(Slot slot, String what, java.util.function.UnaryOperator<Tensor> rule) {
    synchronized (slot) {
      Tensor value = slot.current.tensor;
      Tensor next;
      try (var pause = Dispatch.pause()) {
        next = rule.apply(value);
      }
      if (next == value || next.rawBuffer() == value.rawBuffer()) {
        throw new IllegalArgumentException(
            "Variable '"
                + name
                + "' "
                + what
                + ": the update returned the current value's memory; "
                + "it must return a new tensor");
      }
      checkCompatible(what, slot, next);
      TensorScope.detach(next);
      replace(slot, next, true);
    }
  }

  private void update(Slot slot, String what, Operand delta, boolean subtract) {
    Dispatch.variableWrite(this);
    synchronized (slot) {
      updateLocked(slot, what, delta, subtract);
    }
  }

  private void updateLocked(Slot slot, String what, Operand delta, boolean subtract) {
    Tensor next;
    try (var pause = Dispatch.pause()) {
      Tensor d = delta.asTensor();
      if (!d.shape().equals(shape) && d.size() != 1) {
        throw new ShapeException(
            "Variable '"
                + name
                + "' "
                + what
                + ": delta has shape "
                + d.shape()
                + ", expected "
                + shape);
      }
      Tensor value = slot.current.tensor;
      next = subtract ? value.sub(d) : value.add(d);
    }
    checkCompatible(what, slot, next);
    TensorScope.detach(next);
    replace(slot, next, true);
  }

  /**
   * Installs {@code next}. Inside a {@link TensorScope}, a previous value this variable made on
   * this thread, and that no other thread has read, is retired to the scope and freed when it
   * closes, as an in-place update would overwrite it: a training step then reuses the memory of the
   * weights it replaces instead of leaving them to the collector.
   */
  private static void replace(Slot slot, Tensor next, boolean made) {
    synchronized (slot) {
      Thread self = Thread.currentThread();
      Current previous = slot.current;
      slot.current = new Current(next, made ? self : null);
      if (previous.maker == self
          && !previous.readElsewhere
          && previous.tensor.rawBuffer() != next.rawBuffer()) {
        TensorScope.retire(previous.tensor);
      }
    }
  }

  /**
   * A tensor object of this variable's own, sharing {@code t}'s memory: tapes map tensors to
   * variables by identity, so two variables initialised from one tensor must not share it. The
   * value outlives any {@link TensorScope} it was made in.
   */
  private static Tensor ownIdentity(Tensor t) {
    TensorScope.detach(t);
    return Tensor.wrap(t.buffer(), t.shape());
  }

  private void checkCompatible(String what, Slot slot, Tensor t) {
    if (!t.shape().equals(shape) || t.dtype() != dtype) {
      throw DTypeException.shapeOrDtype(
          t.shape().equals(shape),
          "Variable '"
              + name
              + "' "
              + what
              + ": got "
              + t.dtype()
              + t.shape()
              + ", expected "
              + dtype
              + shape);
    }
    Tensor value = slot.current.tensor;
    if (t.backend() != value.backend()) {
      throw new SonnetException(
          "Variable '"
              + name
              + "' "
              + what
              + ": value lives on backend "
              + t.backend().name()
              + ", the variable on "
              + value.backend().name());
    }
  }

  /** Like {@code Variable(mlp/linear/w, f32[784, 1024], trainable)}. */
  @Override
  public String toString() {
    return "Variable(" + name + ", " + dtype + shape + (trainable ? ", trainable)" : ")");
  }
}

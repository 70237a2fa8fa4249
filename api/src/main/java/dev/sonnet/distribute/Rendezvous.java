package dev.sonnet.distribute;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A reusable barrier for the threads of one in-process group that can be broken: by a timeout (the
 * message names the ranks that never arrived), or by {@link #abort} when a replica fails, which
 * wakes every waiter with that replica's error instead of leaving them to wait for it.
 */
final class Rendezvous {
  private final int parties;
  private final long timeoutNanos;
  private final String groupName;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition tripped = lock.newCondition();
  private final boolean[] arrived;
  private int waiting;
  private long generation;
  private CollectiveException broken;

  Rendezvous(int parties, Duration timeout, String groupName) {
    this.parties = parties;
    this.timeoutNanos = timeout.toNanos();
    this.groupName = groupName;
    this.arrived = new boolean[parties];
  }

  /**
   * Waits until all parties have arrived in this round; {@code what} says what the caller is doing,
   * for the error.
   */
  void await(int rank, String what) {
    lock.lock();
    try {
      throwIfBroken();
      long myGeneration = generation;
      arrived[rank] = true;
      waiting++;
      if (waiting == parties) {
        waiting = 0;
        java.util.Arrays.fill(arrived, false);
        generation++;
        tripped.signalAll();
        return;
      }
      long remaining = timeoutNanos;
      while (generation == myGeneration && broken == null) {
        if (remaining <= 0) {
          List<Integer> missing = new ArrayList<>();
          for (int r = 0; r < parties; r++) {
            if (!arrived[r]) {
              missing.add(r);
            }
          }
          breakWith(
              new CollectiveException(
                  groupName
                      + ": replica"
                      + (missing.size() == 1 ? " " + missing.get(0) : "s " + missing)
                      + " did not reach "
                      + what
                      + " within "
                      + Duration.ofNanos(timeoutNanos)
                      + " (replica "
                      + rank
                      + " waited); a replica is stuck or slower than the timeout"));
          break;
        }
        try {
          remaining = tripped.awaitNanos(remaining);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          breakWith(
              new CollectiveException(
                  groupName + ": replica " + rank + " was interrupted in " + what, e));
        }
      }
      if (generation == myGeneration) {
        throwIfBroken();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Breaks the group: every waiter, now and later, throws {@code cause}'s message. */
  void abort(CollectiveException cause) {
    lock.lock();
    try {
      breakWith(cause);
    } finally {
      lock.unlock();
    }
  }

  boolean isBroken() {
    lock.lock();
    try {
      return broken != null;
    } finally {
      lock.unlock();
    }
  }

  private void breakWith(CollectiveException cause) {
    if (broken == null) {
      broken = cause;
    }
    tripped.signalAll();
  }

  private void throwIfBroken() {
    if (broken != null) {
      throw new CollectiveException(broken.getMessage(), broken);
    }
  }
}

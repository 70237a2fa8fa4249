package dev.sonnet.data;

import java.lang.ref.Cleaner;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link Dataset#prefetch}: each pass starts one daemon thread that reads the upstream pass into a
 * bounded queue. The reader takes from the queue; the end of the pass, a failure, or {@code close}
 * stop the thread and wait for it, so a finished or closed pass leaves no thread behind. A pass
 * that is dropped without being closed is stopped when the garbage collector finds it unreachable
 * (a {@link Cleaner}); the thread is a daemon, so even before that it never keeps the JVM alive.
 */
final class PrefetchDataset<T> extends Dataset<T> {
  /** Names the threads {@code sonnet-prefetch-0}, {@code -1}, ... for thread dumps and tests. */
  static final String THREAD_PREFIX = "sonnet-prefetch-";

  private static final Object END = new Object();

  private final Dataset<T> upstream;
  private final int depth;

  PrefetchDataset(Dataset<T> upstream, int depth) {
    this.upstream = upstream;
    this.depth = depth;
  }

  @Override
  public DataIterator<T> open() {
    Channel channel = new Channel(upstream, depth);
    Reader<T> reader = new Reader<>(channel);
    reader.cleanable = Cleaners.CLEANER.register(reader, channel::shutdown);
    channel.start();
    return reader;
  }

  /** The lazily started cleaner thread, shared by every prefetching pass. */
  private static final class Cleaners {
    static final Cleaner CLEANER = Cleaner.create();
  }

  /** A failure on the producer thread, carried through the queue to the reader. */
  private record Failure(Throwable cause) {}

  /** The producer side: the thread and the queue. Holds no reference to the reader. */
  private static final class Channel implements Runnable {
    private static final AtomicLong COUNT = new AtomicLong();

    final BlockingQueue<Object> queue;
    final Dataset<?> upstream;
    volatile boolean stopped;
    volatile Thread thread;

    Channel(Dataset<?> upstream, int depth) {
      this.upstream = upstream;
      this.queue = new ArrayBlockingQueue<>(depth);
    }

    void start() {
      thread =
          Thread.ofPlatform().daemon().name(THREAD_PREFIX + COUNT.getAndIncrement()).start(this);
    }

    @Override
    public void run() {
      DataIterator<?> in = null;
      try {
        in = upstream.open();
        while (!stopped && in.hasNext()) {
          queue.put(in.next());
        }
        if (!stopped) {
          queue.put(END);
        }
      } catch (InterruptedException e) {
        // shutdown() interrupts a thread waiting for room in the queue: the pass is over.
      } catch (Throwable t) {
        if (!stopped) {
          try {
            queue.put(new Failure(t));
          } catch (InterruptedException ignored) {
            // closed while reporting: nobody is left to tell
          }
        }
      } finally {
        if (in != null) {
          in.close();
        }
      }
    }

    /** Stops the thread and waits for it; safe to call more than once and from any thread. */
    void shutdown() {
      stopped = true;
      Thread t = thread;
      if (t == null || t == Thread.currentThread()) {
        return;
      }
      t.interrupt();
      queue.clear();
      boolean interrupted = false;
      while (t.isAlive()) {
        try {
          t.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The reader's side of a pass. */
  private static final class Reader<T> extends AbstractDataIterator<T> {
    private final Channel channel;
    private long delivered;
    Cleaner.Cleanable cleanable;

    Reader(Channel channel) {
      this.channel = channel;
    }

    @Override
    @SuppressWarnings("unchecked")
    protected T computeNext() {
      Object o;
      try {
        o = channel.queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new DatasetException(
            "prefetch: interrupted while waiting for element " + delivered + " of the pass", e);
      }
      if (o == END) {
        return null; // hasNext() closes, which joins the finished thread
      }
      if (o instanceof Failure f) {
        close();
        throw new DatasetException(
            "prefetch: the pipeline failed on its background thread at element "
                + delivered
                + " of the pass: "
                + Describe.throwable(f.cause()),
            f.cause());
      }
      delivered++;
      return (T) o;
    }

    @Override
    protected void onClose() {
      cleanable.clean(); // runs channel.shutdown() once, and unregisters
    }
  }
}

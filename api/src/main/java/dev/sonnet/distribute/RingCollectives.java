package dev.sonnet.distribute;

import dev.sonnet.tensor.Tensor;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntConsumer;

/**
 * Collectives among replicas in different processes or machines: a ring all-reduce over TCP. The
 * ranks form a ring (rank {@code r} sends to {@code r + 1} and receives from {@code r - 1}); the
 * packed tensors are cut into {@code n} chunks, and an all-reduce is a <em>reduce-scatter</em>
 * ({@code n - 1} steps in which each rank adds the chunk it receives to its own and passes the sum
 * on, after which rank {@code r} holds the full sum of chunk {@code r + 1}) followed by an
 * <em>all-gather</em> ({@code n - 1} steps passing the finished chunks around). Each rank sends and
 * receives {@code 2 (n - 1) / n} times the data, whatever {@code n}: the bandwidth-optimal
 * all-reduce.
 *
 * <p><b>Determinism.</b> Chunk {@code c} is summed along the ring in a fixed order (starting at
 * rank {@code c}), each sum computed once by one rank and then copied, so every rank gets the same
 * bits and every run the same result. ({@code MEAN} divides by {@code n} at the chunk's owner,
 * before the all-gather.)
 *
 * <p><b>Failures.</b> Every read waits at most the timeout ({@link #DEFAULT_TIMEOUT} unless given):
 * a peer that dies (its connection closes) is reported at once, one that stays silent after the
 * timeout, each as a {@link CollectiveException} naming the peer's rank and address. A rank that is
 * itself waiting for its predecessor sends its successor a small heartbeat every quarter of the
 * timeout, so only the rank right after a silent peer times out, and it blames the right one. The
 * rank that notices tells its successor (an abort message carrying the cause), so the error travels
 * around the ring and every surviving rank reports the peer that failed. Frames carry the call's
 * sequence number and a hash of the tensors' shapes, so ranks that call different collectives, or
 * pass different tensors, fail with an error instead of exchanging garbage.
 *
 * <p><b>Setup.</b> Each rank {@link #bind}s a listening socket first (port 0 picks a free port),
 * the ranks exchange their {@link Endpoint#address()}es by whatever means they have (Spark's {@code
 * BarrierTaskContext.allGather}, a file, a launcher), then each calls {@link Endpoint#join} with
 * the full list. Data travels as little-endian floats and doubles, so ranks on different machines
 * agree.
 */
public final class RingCollectives implements Collectives {
  /**
   * How long a rank waits for its predecessor's next bytes, or for its successor to take its own,
   * by default: longer than any sane step imbalance, short enough that a stuck job fails within a
   * minute.
   */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  private static final int MAGIC = 0x534e5452; // "SNTR"
  private static final int DATA = 1;
  private static final int ABORT = 2;
  private static final int HEARTBEAT = 3;
  private static final VarHandle FLOAT_LE =
      MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT_BE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle DOUBLE_LE =
      MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);

  private final int rank;
  private final int world;
  private final List<InetSocketAddress> peers;
  private final Duration timeout;
  private final Socket toNext;
  private final Socket fromPrev;
  private final DataOutputStream out;
  private final DataInputStream in;
  private final ExecutorService sender;
  private volatile Future<?> pendingSend;
  private int sequence;
  private volatile CollectiveException broken;
  private final Object failLock = new Object();
  private final byte[] header = new byte[4];
  private byte[] sendBuffer = new byte[0];
  private byte[] receiveBuffer = new byte[0];
  private IntConsumer stepHook = step -> {};

  private RingCollectives(
      int rank, List<InetSocketAddress> peers, Duration timeout, Socket toNext, Socket fromPrev)
      throws IOException {
    this.rank = rank;
    this.world = peers.size();
    this.peers = peers;
    this.timeout = timeout;
    this.toNext = toNext;
    this.fromPrev = fromPrev;
    if (world > 1) {
      this.out = new DataOutputStream(new BufferedOutputStream(toNext.getOutputStream(), 1 << 16));
      this.in = new DataInputStream(new BufferedInputStream(fromPrev.getInputStream(), 1 << 16));
      this.sender =
          Executors.newSingleThreadExecutor(
              task -> {
                Thread t = new Thread(task, "sonnet-ring-send-" + rank);
                t.setDaemon(true);
                return t;
              });
    } else {
      this.out = null;
      this.in = null;
      this.sender = null;
    }
  }

  /**
   * Opens this rank's listening socket on {@code address} (port 0: a free one, see {@link
   * Endpoint#address()}).
   *
   * @throws UncheckedIOException if the address cannot be bound
   */
  public static Endpoint bind(InetSocketAddress address) {
    Objects.requireNonNull(address, "address");
    try {
      ServerSocket server = new ServerSocket();
      server.setReuseAddress(true);
      server.bind(address, 8);
      return new Endpoint(server);
    } catch (IOException e) {
      throw new UncheckedIOException("ring: cannot listen on " + address + ": " + e, e);
    }
  }

  /** A bound listening socket, waiting for the ranks' addresses to {@link #join} the ring. */
  public static final class Endpoint implements AutoCloseable {
    private final ServerSocket server;

    private Endpoint(ServerSocket server) {
      this.server = server;
    }

    /** The address the other ranks connect to: give it to them. */
    public InetSocketAddress address() {
      return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    /**
     * Connects to the ring: to rank {@code rank + 1}'s address, and accepts rank {@code rank - 1}'s
     * connection, within {@code timeout}. {@code peers} lists every rank's address in rank order,
     * this one's at {@code rank}. Closes this endpoint's listening socket.
     *
     * @throws CollectiveException if a peer does not connect in time or is not the expected rank
     */
    public RingCollectives join(int rank, List<InetSocketAddress> peers, Duration timeout) {
      try {
        return connect(server, rank, List.copyOf(peers), timeout);
      } finally {
        close();
      }
    }

    @Override
    public void close() {
      try {
        server.close();
      } catch (IOException e) {
        // Closing a listening socket that is already unusable: nothing left to free.
      }
    }
  }

  private static RingCollectives connect(
      ServerSocket server, int rank, List<InetSocketAddress> peers, Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    int world = peers.size();
    if (world < 1 || rank < 0 || rank >= world) {
      throw new IllegalArgumentException(
          "ring: rank " + rank + " is not a rank of a ring of " + world + " addresses");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("ring: timeout must be positive, got " + timeout);
    }
    if (peers.get(rank).getPort() != server.getLocalPort()) {
      throw new IllegalArgumentException(
          "ring: rank "
              + rank
              + "'s address in the list is "
              + describe(peers.get(rank))
              + " but this endpoint listens on port "
              + server.getLocalPort());
    }
    try {
      if (world == 1) {
        return new RingCollectives(rank, peers, timeout, null, null);
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      int next = (rank + 1) % world;
      int prev = (rank + world - 1) % world;
      ExecutorService connector = Executors.newSingleThreadExecutor();
      try {
        Future<Socket> outgoing =
            connector.submit(() -> connectTo(peers.get(next), next, rank, world, deadline));
        Socket incoming = acceptFrom(server, prev, rank, world, peers, deadline);
        Socket toNext;
        try {
          toNext = outgoing.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          incoming.close();
          throw new CollectiveException(
              "ring: rank "
                  + rank
                  + " could not connect to rank "
                  + next
                  + " at "
                  + describe(peers.get(next))
                  + " within "
                  + timeout);
        } catch (ExecutionException e) {
          incoming.close();
          Throwable cause = e.getCause();
          throw cause instanceof CollectiveException ce
              ? ce
              : new CollectiveException(
                  "ring: rank "
                      + rank
                      + " could not connect to rank "
                      + next
                      + " at "
                      + describe(peers.get(next))
                      + ": "
                      + cause,
                  cause);
        }
        // Woken every quarter of the timeout to send a heartbeat (see readExactly).
        incoming.setSoTimeout(
            (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis() / 4)));
        return new RingCollectives(rank, peers, timeout, toNext, incoming);
      } finally {
        connector.shutdownNow();
      }
    } catch (IOException e) {
      throw new CollectiveException("ring: rank " + rank + " failed to connect: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CollectiveException("ring: rank " + rank + " was interrupted while connecting", e);
    }
  }

  /** Connects to {@code address}, retrying until {@code deadline} while it is not listening yet. */
  private static Socket connectTo(
      InetSocketAddress address, int peer, int rank, int world, long deadline)
      throws IOException, InterruptedException {
    IOException last = null;
    while (System.nanoTime() < deadline) {
      Socket s = new Socket();
      try {
        int wait = (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        s.connect(address, wait);
        s.setTcpNoDelay(true);
        DataOutputStream hello = new DataOutputStream(s.getOutputStream());
        hello.writeInt(MAGIC);
        hello.writeInt(rank);
        hello.writeInt(world);
        hello.flush();
        return s;
      } catch (IOException e) {
        s.close();
        last = e;
        Thread.sleep(20);
      }
    }
    throw new CollectiveException(
        "ring: rank "
            + rank
            + " could not connect to rank "
            + peer
            + " at "
            + describe(address)
            + " before the timeout"
            + (last != null ? ": " + last : ""),
        last);
  }

  /** Accepts the predecessor's connection and checks that it is the expected rank. */
  private static Socket acceptFrom(
      ServerSocket server,
      int prev,
      int rank,
      int world,
      List<InetSocketAddress> peers,
      long deadline)
      throws IOException {
    int remaining = (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
    server.setSoTimeout(remaining);
    Socket s;
    try {
      s = server.accept();
    } catch (SocketTimeoutException e) {
      throw new CollectiveException(
          "ring: rank "
              + rank
              + " waited in vain for rank "
              + prev
              + " at "
              + describe(peers.get(prev))
              + " to connect");
    }
    s.setSoTimeout(remaining);
    DataInputStream hello = new DataInputStream(s.getInputStream());
    int magic;
    int from;
    int size;
    try {
      magic = hello.readInt();
      from = hello.readInt();
      size = hello.readInt();
    } catch (IOException e) {
      s.close();
      throw new CollectiveException(
          "ring: rank " + rank + " got no greeting from the connection of " + s, e);
    }
    if (magic != MAGIC || from != prev || size != world) {
      s.close();
      throw new CollectiveException(
          "ring: rank "
              + rank
              + " expected rank "
              + prev
              + " of "
              + world
              + " to connect, got "
              + (magic != MAGIC
                  ? "a connection that is not a Sonnet ring from " + s.getRemoteSocketAddress()
                  : "rank " + from + " of " + size)
              + "; every rank must get the same address list");
    }
    return s;
  }

  /** {@code 127.0.0.1:40123}: the numeric address, which is what a reader can act on. */
  static String describe(InetSocketAddress a) {
    return (a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString())
        + ":"
        + a.getPort();
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int worldSize() {
    return world;
  }

  /** The timeout of every wait. */
  public Duration timeout() {
    return timeout;
  }

  @Override
  public List<Tensor> allReduce(ReduceOp op, List<Tensor> tensors) {
    Objects.requireNonNull(op, "op");
    if (world == 1) {
      PackedTensors.check("allReduce", tensors);
      return List.copyOf(tensors);
    }
    PackedTensors packed = PackedTensors.pack("allReduce", tensors);
    allReduceParts(op, packed.floats, packed.doubles, packed.signature);
    return packed.unpack();
  }

  @Override
  public List<Tensor> broadcast(int root, List<Tensor> tensors) {
    if (root < 0 || root >= world) {
      throw new IllegalArgumentException(
          "broadcast: root " + root + " is not a rank of a ring of " + world);
    }
    PackedTensors packed = PackedTensors.pack("broadcast", tensors);
    if (world == 1) {
      return List.copyOf(tensors);
    }
    broadcastParts(root, packed.floats, packed.doubles, packed.signature);
    return packed.unpack();
  }

  @Override
  public void barrier() {
    // 2 (n - 1) lock-step exchanges pass every rank's arrival around the ring.
    allReduceArrays(ReduceOp.SUM, new float[0], new double[0], "barrier");
  }

  /**
   * All-reduces the arrays in place; {@code signature} describes what they hold, and must be equal
   * on every rank.
   */
  void allReduceArrays(ReduceOp op, float[] floats, double[] doubles, String signature) {
    allReduceParts(op, new float[][] {floats}, new double[][] {doubles}, signature);
  }

  /**
   * All-reduces the parts in place, each kind seen end to end as one sequence (see {@link
   * PackedTensors}): what the tensor methods call after copying the tensors to the host.
   */
  synchronized void allReduceParts(
      ReduceOp op, float[][] floats, double[][] doubles, String signature) {
    checkUsable();
    if (world == 1) {
      return;
    }
    int call = ++sequence;
    String what = "allReduce(" + op + ") #" + call;
    int hash = signature.hashCode();
    FloatElements f = new FloatElements(floats);
    DoubleElements d = new DoubleElements(doubles);
    if (f.length() > 0 || d.length() == 0) {
      ring(f, op, what, call, hash);
    }
    if (d.length() > 0) {
      ring(d, op, what, call, hash);
    }
  }

  /** Replaces the arrays with rank {@code root}'s, passed along the ring. */
  void broadcastArrays(int root, float[] floats, double[] doubles, String signature) {
    broadcastParts(root, new float[][] {floats}, new double[][] {doubles}, signature);
  }

  private synchronized void broadcastParts(
      int root, float[][] floats, double[][] doubles, String signature) {
    checkUsable();
    if (world == 1) {
      return;
    }
    int call = ++sequence;
    String what = "broadcast from rank " + root + " #" + call;
    int hash = signature.hashCode();
    int next = (rank + 1) % world;
    for (Elements e : new Elements[] {new FloatElements(floats), new DoubleElements(doubles)}) {
      int bytes = e.length() * e.bytesPer();
      ensureBuffers(bytes);
      if (rank != root) {
        receive(call, hash, bytes, what);
        e.set(receiveBuffer, 0, e.length());
      }
      if (next != root) {
        e.write(sendBuffer, 0, e.length());
        send(call, hash, bytes, what);
        awaitSend(what);
      }
    }
  }

  /** The reduce-scatter and all-gather of one array. */
  private void ring(Elements e, ReduceOp op, String what, int call, int hash) {
    int n = world;
    int maxChunk = (e.length() + n - 1) / n + 1;
    ensureBuffers(maxChunk * e.bytesPer());
    for (int s = 0; s < n - 1; s++) {
      int sendChunk = Math.floorMod(rank - s, n);
      int receiveChunk = Math.floorMod(rank - s - 1, n);
      exchange(e, sendChunk, receiveChunk, call, hash, what + ", reduce-scatter step " + s);
      e.add(receiveBuffer, lo(e, receiveChunk), hi(e, receiveChunk));
      stepHook.accept(s);
    }
    int own = Math.floorMod(rank + 1, n);
    if (op == ReduceOp.MEAN) {
      e.divide(lo(e, own), hi(e, own), n);
    }
    for (int s = 0; s < n - 1; s++) {
      int sendChunk = Math.floorMod(rank + 1 - s, n);
      int receiveChunk = Math.floorMod(rank - s, n);
      exchange(e, sendChunk, receiveChunk, call, hash, what + ", all-gather step " + s);
      e.set(receiveBuffer, lo(e, receiveChunk), hi(e, receiveChunk));
      stepHook.accept(n - 1 + s);
    }
  }

  private int lo(Elements e, int chunk) {
    return (int) ((long) e.length() * chunk / world);
  }

  private int hi(Elements e, int chunk) {
    return (int) ((long) e.length() * (chunk + 1) / world);
  }

  /** Sends one chunk to the successor while receiving one from the predecessor. */
  private void exchange(
      Elements e, int sendChunk, int receiveChunk, int call, int hash, String what) {
    int sendFrom = lo(e, sendChunk);
    int sendTo = hi(e, sendChunk);
    e.write(sendBuffer, sendFrom, sendTo);
    send(call, hash, (sendTo - sendFrom) * e.bytesPer(), what);
    receive(call, hash, (hi(e, receiveChunk) - lo(e, receiveChunk)) * e.bytesPer(), what);
    awaitSend(what);
  }

  private void send(int call, int hash, int length, String what) {
    byte[] payload = sendBuffer;
    pendingSend =
        sender.submit(
            () -> {
              out.writeInt(DATA);
              out.writeInt(call);
              out.writeInt(hash);
              out.writeInt(length);
              out.write(payload, 0, length);
              out.flush();
              return null;
            });
  }

  private void awaitSend(String what) {
    int next = (rank + 1) % world;
    try {
      pendingSend.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      pendingSend = null;
    } catch (TimeoutException e) {
      throw fail(
          new CollectiveException(
              "ring: rank "
                  + next
                  + " at "
                  + describe(peers.get(next))
                  + " did not take rank "
                  + rank
                  + "'s data within "
                  + timeout
                  + " during "
                  + what
                  + ": it is stuck or slower than the timeout"));
    } catch (ExecutionException e) {
      throw fail(
          new CollectiveException(
              "ring: rank "
                  + rank
                  + " could not send to rank "
                  + next
                  + " at "
                  + describe(peers.get(next))
                  + " during "
                  + what
                  + " ("
                  + e.getCause()
                  + "): the process died or closed its connection",
              e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw fail(new CollectiveException("ring: rank " + rank + " interrupted in " + what, e));
    }
  }

  /** Reads one frame from the predecessor into {@link #receiveBuffer}, checking what it is. */
  private void receive(int call, int hash, int length, String what) {
    int prev = (rank + world - 1) % world;
    String peer = "rank " + prev + " at " + describe(peers.get(prev));
    try {
      int type = readFrameType();
      if (type == ABORT) {
        int n = readInt();
        byte[] text = new byte[Math.max(0, Math.min(n, 1 << 16))];
        readExactly(text, text.length);
        throw fail(
            new CollectiveException(
                new String(text, StandardCharsets.UTF_8)
                    + " (reported to rank "
                    + rank
                    + " by "
                    + peer
                    + ")"));
      }
      int theirCall = readInt();
      int theirHash = readInt();
      int theirLength = readInt();
      if (type != DATA || theirCall != call || theirHash != hash || theirLength != length) {
        throw fail(
            new CollectiveException(
                "ring: "
                    + peer
                    + " is out of step with rank "
                    + rank
                    + " in "
                    + what
                    + (theirCall != call
                        ? ": it is at collective #" + theirCall
                        : theirHash != hash
                            ? ": it passed tensors of other shapes or dtypes"
                            : ": it sent " + theirLength + " bytes, expected " + length)
                    + "; every rank must make the same collective calls with the same tensors"));
      }
      readExactly(receiveBuffer, length);
    } catch (SocketTimeoutException e) {
      throw fail(
          new CollectiveException(
              "ring: rank "
                  + rank
                  + " got nothing from "
                  + peer
                  + " within "
                  + timeout
                  + " during "
                  + what
                  + ": the peer is stuck, slower than the timeout, or unreachable",
              e));
    } catch (EOFException e) {
      throw fail(
          new CollectiveException(
              "ring: "
                  + peer
                  + " closed its connection to rank "
                  + rank
                  + " during "
                  + what
                  + ": the process died or closed its collectives",
              e));
    } catch (IOException e) {
      throw fail(
          new CollectiveException(
              "ring: the connection from "
                  + peer
                  + " to rank "
                  + rank
                  + " failed during "
                  + what
                  + " ("
                  + e
                  + "): the process died or the network failed",
              e));
    }
  }

  /**
   * Reads the next frame's type, skipping heartbeats (a waiting predecessor saying it is alive).
   */
  private int readFrameType() throws IOException {
    while (true) {
      readExactly(header, 4);
      int type = (int) INT_BE.get(header, 0);
      if (type != HEARTBEAT) {
        return type;
      }
    }
  }

  private int readInt() throws IOException {
    readExactly(header, 4);
    return (int) INT_BE.get(header, 0);
  }

  /**
   * Reads {@code length} bytes into {@code buffer}. The socket wakes the reader every quarter of
   * the timeout; each time, it sends its successor a heartbeat (it is alive, waiting), and it gives
   * up only when nothing at all has come from the predecessor for the whole timeout.
   */
  private void readExactly(byte[] buffer, int length) throws IOException {
    int off = 0;
    long lastProgress = System.nanoTime();
    while (off < length) {
      try {
        int n = in.read(buffer, off, length - off);
        if (n < 0) {
          throw new EOFException();
        }
        off += n;
        lastProgress = System.nanoTime();
      } catch (SocketTimeoutException e) {
        if (System.nanoTime() - lastProgress >= timeout.toNanos()) {
          throw e;
        }
        try {
          sender.submit(
              () -> {
                out.writeInt(HEARTBEAT);
                out.flush();
                return null;
              });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
          // Closed by another thread: the next read fails on the closed socket.
        }
      }
    }
  }

  private void ensureBuffers(int bytes) {
    if (sendBuffer.length < bytes) {
      sendBuffer = new byte[bytes];
      receiveBuffer = new byte[bytes];
    }
  }

  private void checkUsable() {
    CollectiveException b = broken;
    if (b != null) {
      throw new CollectiveException(
          "ring: rank "
              + rank
              + "'s collectives are broken by an earlier failure: "
              + b.getMessage(),
          b);
    }
  }

  /**
   * Marks the ring broken with {@code e}, tells the successor why (when no half-sent frame is in
   * the way), and closes both connections, so the failure travels around the ring instead of
   * leaving the others waiting for their timeouts. Returns {@code e} for the caller to throw.
   */
  private CollectiveException fail(CollectiveException e) {
    synchronized (failLock) {
      if (broken == null) {
        broken = e;
        notifySuccessor(e.getMessage());
        closeSockets();
      }
    }
    return e;
  }

  private void notifySuccessor(String message) {
    if (sender == null) {
      return;
    }
    Future<?> pending = pendingSend;
    try {
      if (pending != null) {
        pending.get(Math.min(1000, timeout.toMillis()), TimeUnit.MILLISECONDS);
      }
      byte[] text = message.getBytes(StandardCharsets.UTF_8);
      Future<?> abort =
          sender.submit(
              () -> {
                out.writeInt(ABORT);
                out.writeInt(text.length);
                out.write(text);
                out.flush();
                return null;
              });
      abort.get(Math.min(1000, timeout.toMillis()), TimeUnit.MILLISECONDS);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RuntimeException ignored) {
      // Best effort: if the successor cannot take the message, closing the connection still
      // tells it that this rank is gone.
    }
  }

  private void closeSockets() {
    for (Socket s : new Socket[] {toNext, fromPrev}) {
      if (s != null) {
        try {
          s.close();
        } catch (IOException ignored) {
          // Already closed or reset: nothing to free.
        }
      }
    }
    if (sender != null) {
      sender.shutdownNow();
    }
  }

  /** For tests: called with the step index after each ring step (to die in the middle). */
  void onStep(IntConsumer hook) {
    this.stepHook = Objects.requireNonNull(hook);
  }

  @Override
  public void close() {
    fail(new CollectiveException("ring: rank " + rank + " closed its collectives"));
  }

  /** The elements of one packed array, as the ring reads and writes them. */
  private interface Elements {
    int length();

    int bytesPer();

    /** Writes elements {@code [from, to)} little-endian to the start of {@code dst}. */
    void write(byte[] dst, int from, int to);

    /** Adds the elements at the start of {@code src} to elements {@code [from, to)}. */
    void add(byte[] src, int from, int to);

    /** Sets elements {@code [from, to)} from the start of {@code src}. */
    void set(byte[] src, int from, int to);

    void divide(int from, int to, int n);
  }

  /** Float parts seen end to end; every method works on a range of that sequence. */
  private static final class FloatElements implements Elements {
    private final float[][] parts;
    private final int[] lengths;
    private final int length;

    FloatElements(float[][] parts) {
      this.parts = parts;
      this.lengths = PackedTensors.lengths(parts);
      this.length = PackedTensors.total(lengths);
    }

    @Override
    public int length() {
      return length;
    }

    @Override
    public int bytesPer() {
      return Float.BYTES;
    }

    @Override
    public void write(byte[] dst, int from, int to) {
      var out = ByteBuffer.wrap(dst).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      PackedTensors.pieces(lengths, from, to, (p, start, n, at) -> out.put(parts[p], start, n));
    }

    @Override
    public void add(byte[] src, int from, int to) {
      PackedTensors.pieces(
          lengths,
          from,
          to,
          (p, start, n, at) -> {
            float[] a = parts[p];
            for (int i = start, j = (at - from) * Float.BYTES;
                i < start + n;
                i++, j += Float.BYTES) {
              a[i] = a[i] + (float) FLOAT_LE.get(src, j);
            }
          });
    }

    @Override
    public void set(byte[] src, int from, int to) {
      var in = ByteBuffer.wrap(src).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      PackedTensors.pieces(lengths, from, to, (p, start, n, at) -> in.get(parts[p], start, n));
    }

    @Override
    public void divide(int from, int to, int n) {
      float d = n;
      PackedTensors.pieces(
          lengths,
          from,
          to,
          (p, start, count, at) -> {
            float[] a = parts[p];
            for (int i = start; i < start + count; i++) {
              a[i] /= d;
            }
          });
    }
  }

  /** Double parts seen end to end, as {@link FloatElements}. */
  private static final class DoubleElements implements Elements {
    private final double[][] parts;
    private final int[] lengths;
    private final int length;

    DoubleElements(double[][] parts) {
      this.parts = parts;
      this.lengths = PackedTensors.lengths(parts);
      this.length = PackedTensors.total(lengths);
    }

    @Override
    public int length() {
      return length;
    }

    @Override
    public int bytesPer() {
      return Double.BYTES;
    }

    @Override
    public void write(byte[] dst, int from, int to) {
      var out = ByteBuffer.wrap(dst).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer();
      PackedTensors.pieces(lengths, from, to, (p, start, n, at) -> out.put(parts[p], start, n));
    }

    @Override
    public void add(byte[] src, int from, int to) {
      PackedTensors.pieces(
          lengths,
          from,
          to,
          (p, start, n, at) -> {
            double[] a = parts[p];
            for (int i = start, j = (at - from) * Double.BYTES;
                i < start + n;
                i++, j += Double.BYTES) {
              a[i] = a[i] + (double) DOUBLE_LE.get(src, j);
            }
          });
    }

    @Override
    public void set(byte[] src, int from, int to) {
      var in = ByteBuffer.wrap(src).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer();
      PackedTensors.pieces(lengths, from, to, (p, start, n, at) -> in.get(parts[p], start, n));
    }

    @Override
    public void divide(int from, int to, int n) {
      double d = n;
      PackedTensors.pieces(
          lengths,
          from,
          to,
          (p, start, count, at) -> {
            double[] a = parts[p];
            for (int i = start; i < start + count; i++) {
              a[i] /= d;
            }
          });
    }
  }
}

package dev.sonnet.samples.bench;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.distribute.Collectives;
import dev.sonnet.distribute.InProcessCollectives;
import dev.sonnet.distribute.PerReplica;
import dev.sonnet.distribute.ReduceOp;
import dev.sonnet.distribute.Replicator;
import dev.sonnet.distribute.RingCollectives;
import dev.sonnet.losses.Losses;
import dev.sonnet.nets.MLP;
import dev.sonnet.optimizers.SGD;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.TensorScope;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Data-parallel training's costs (the {@code distribute/} group of {@code run.sh}).
 *
 * <ul>
 *   <li>{@code allReduceInProcess}, {@code allReduceRing}: one {@code MEAN} all-reduce of the main
 *       job's gradient (the MLP 784-1024-1024-10: six tensors, {@value #PARAMS} floats, 7.46 MB)
 *       among 2 replicas, through the tensor API (so including the copies to and from the host
 *       arrays that a real step pays): in shared memory, and over the TCP ring on loopback (both
 *       ranks in this JVM, each on its own thread). Compare the bytes moved per second with the
 *       triad bandwidth ({@code ElementwiseBench.largeTriad}) that {@code run.sh} runs alongside.
 *   <li>{@code trainStep}: one training step of that MLP on a global batch of {@value #GLOBAL}
 *       (SGD, softmax cross-entropy, gradients all-reduced with {@code MEAN}), with 1 and 2
 *       in-process replicas splitting the machine's threads.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DistributeBench {
  static final int[] SIZES = {784, 1024, 1024, 10};
  static final int PARAMS = 784 * 1024 + 1024 + 1024 * 1024 + 1024 + 1024 * 10 + 10;
  static final int GLOBAL = 128;

  /** The MLP's gradient shapes, filled with reproducible values. */
  static List<Tensor> gradient(long seed) {
    Rng rng = new Rng(seed);
    List<Tensor> out = new ArrayList<>();
    for (int i = 0; i + 1 < SIZES.length; i++) {
      out.add(Tensor.randomNormal(rng, DType.FLOAT32, Shape.of(SIZES[i], SIZES[i + 1]), 0, 1));
      out.add(Tensor.randomNormal(rng, DType.FLOAT32, Shape.of(SIZES[i + 1]), 0, 1));
    }
    return out;
  }

  /** Two replicas' collectives: rank 0 runs on the benchmark thread, rank 1 on a helper. */
  @State(Scope.Benchmark)
  public static class Pair {
    @Param({"in-process", "ring"})
    public String transport;

    List<Collectives> ranks;
    List<List<Tensor>> grads;
    ExecutorService helper;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      grads = List.of(gradient(1), gradient(2));
      helper = Executors.newSingleThreadExecutor();
      if (transport.equals("in-process")) {
        ranks = InProcessCollectives.group(2);
      } else {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        RingCollectives.Endpoint a = RingCollectives.bind(any);
        RingCollectives.Endpoint b = RingCollectives.bind(any);
        List<InetSocketAddress> peers = List.of(a.address(), b.address());
        Future<RingCollectives> second =
            helper.submit(() -> b.join(1, peers, Duration.ofSeconds(30)));
        RingCollectives first = a.join(0, peers, Duration.ofSeconds(30));
        ranks = List.of(first, second.get());
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      ranks.forEach(Collectives::close);
      helper.shutdownNow();
    }
  }

  @Benchmark
  public List<Tensor> allReduce(Pair p) throws Exception {
    Future<List<Tensor>> other =
        p.helper.submit(() -> p.ranks.get(1).allReduce(ReduceOp.MEAN, p.grads.get(1)));
    List<Tensor> mine = p.ranks.get(0).allReduce(ReduceOp.MEAN, p.grads.get(0));
    other.get();
    return mine;
  }

  /** The main job's MLP trained by 1 or 2 in-process replicas. */
  @State(Scope.Benchmark)
  public static class Training {
    @Param({"1", "2"})
    public int replicas;

    Replicator replicator;
    MLP model;
    SGD optimizer;
    PerReplica<Tensor> images;
    PerReplica<Tensor> labels;

    @Setup(Level.Trial)
    public void setUp() {
      replicator = Replicator.cpu(replicas);
      model = new MLP(new int[] {SIZES[1], SIZES[2], SIZES[3]});
      optimizer = new SGD(0.01);
      Rng rng = new Rng(3);
      images =
          replicator.split(
              Tensor.randomUniform(rng, DType.FLOAT32, Shape.of(GLOBAL, SIZES[0]), -1, 1));
      int[] y = new int[GLOBAL];
      for (int i = 0; i < GLOBAL; i++) {
        y[i] = i % SIZES[3];
      }
      labels = replicator.split(Tensor.of(y, GLOBAL));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      replicator.close();
    }
  }

  @Benchmark
  public PerReplica<Float> trainStep(Training t) {
    Integer[] ids = new Integer[t.replicas];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = i;
    }
    return t.replicator.run(
        (ctx, r) -> {
          try (TensorScope scope = TensorScope.open();
              GradientTape tape = GradientTape.open()) {
            Tensor loss =
                Losses.softmaxCrossEntropy(t.model.call(t.images.get(r)), t.labels.get(r));
            var params = t.model.trainableVariables();
            List<Tensor> grads = ctx.allReduce(ReduceOp.MEAN, tape.gradient(loss, params));
            t.optimizer.apply(grads, params);
            return loss.floatValue();
          }
        },
        PerReplica.of(ids));
  }
}

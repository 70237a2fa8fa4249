package dev.sonnet.samples.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import scala.Function2;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Runs one task per replica in a Spark barrier stage and collects what each returns.
 *
 * <p>A barrier stage ({@code RDD.barrier()}) starts all its tasks together, gives them {@link
 * BarrierTaskContext#allGather} for the rendezvous, and when any task fails Spark kills the others
 * and runs the whole stage again. Spark retries only barrier <i>shuffle-map</i> stages, though: a
 * failed barrier result stage aborts the job. So the results go through a shuffle ({@code
 * repartition(1)}) before they are collected, which makes the barrier stage a shuffle-map stage
 * that Spark retries up to {@code spark.stage.maxConsecutiveAttempts} times.
 */
public final class BarrierStage {
  private BarrierStage() {}

  /** The work of one replica; serialized into the task, so it must be serializable. */
  @FunctionalInterface
  public interface ReplicaTask<R extends Serializable> extends Serializable {
    /** Runs replica {@code context.partitionId()}; a throw fails this stage attempt. */
    R run(BarrierTaskContext context) throws Exception;
  }

  /** A result and the replica that made it. */
  public record Ranked<R>(int rank, R result) implements Serializable {}

  /**
   * Runs {@code task} on {@code replicas} tasks of one barrier stage and returns their results in
   * rank order.
   */
  public static <R extends Serializable> List<R> run(
      JavaSparkContext sc, int replicas, ReplicaTask<R> task) {
    List<Integer> ranks = IntStream.range(0, replicas).boxed().toList();
    ClassTag<Ranked<R>> tag = classTag();
    RDD<Ranked<R>> stage =
        sc.parallelize(ranks, replicas)
            .rdd()
            .barrier()
            .mapPartitionsWithIndex(new TaskAdapter<>(task), false, tag);
    List<Ranked<R>> collected =
        new ArrayList<>(JavaRDD.fromRDD(stage, tag).repartition(1).collect());
    collected.sort(Comparator.comparingInt(Ranked::rank));
    List<R> out = new ArrayList<>(collected.size());
    for (int i = 0; i < collected.size(); i++) {
      if (collected.get(i).rank() != i) {
        throw new IllegalStateException(
            "Barrier stage returned ranks "
                + collected.stream().map(Ranked::rank).toList()
                + ", expected 0.."
                + (replicas - 1));
      }
      out.add(collected.get(i).result());
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static <T> ClassTag<T> classTag() {
    return (ClassTag<T>) ClassTag$.MODULE$.apply(Ranked.class);
  }

  /** Spark's per-partition function, as the Scala function type {@code RDDBarrier} takes. */
  private record TaskAdapter<R extends Serializable>(ReplicaTask<R> task)
      implements Function2<Object, Iterator<Integer>, Iterator<Ranked<R>>>, Serializable {
    @Override
    public Iterator<Ranked<R>> apply(Object partition, Iterator<Integer> ignored) {
      BarrierTaskContext context = BarrierTaskContext.get();
      R result;
      try {
        result = task.run(context);
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(
            "Replica " + context.partitionId() + " failed: " + e.getMessage(), e);
      }
      return CollectionConverters.asScala(
          List.of(new Ranked<>(context.partitionId(), result)).iterator());
    }
  }
}

package dev.sonnet.distribute;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * One value per replica, in replica order: the inputs a {@link Replicator} hands to its replicas
 * and the results it collects from them (Sonnet's and TF's {@code PerReplica}).
 *
 * @param values the values, element {@code i} for replica {@code i} (null where a step returns
 *     nothing)
 */
public record PerReplica<T>(List<T> values) {
  public PerReplica {
    Objects.requireNonNull(values, "values");
    if (values.isEmpty()) {
      throw new IllegalArgumentException("PerReplica needs at least one value");
    }
    values = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(values));
  }

  /** The values, element {@code i} for replica {@code i}. */
  @SafeVarargs
  public static <T> PerReplica<T> of(T... values) {
    return new PerReplica<>(List.of(values));
  }

  /** Replica {@code replica}'s value. */
  public T get(int replica) {
    return values.get(replica);
  }

  /** The number of replicas. */
  public int size() {
    return values.size();
  }

  /** {@code f} applied to each replica's value, in order. */
  public <R> PerReplica<R> map(Function<? super T, ? extends R> f) {
    return new PerReplica<>(values.stream().<R>map(f).toList());
  }
}

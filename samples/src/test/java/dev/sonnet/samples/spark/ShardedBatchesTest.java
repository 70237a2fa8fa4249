package dev.sonnet.samples.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.data.FashionMnist;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("spark")
class ShardedBatchesTest {
  private static final LabeledImages TRAIN =
      LabeledImages.of(FashionMnist.embeddedSubset().train());

  @Test
  void twoReplicasOfBatchBSeeTheGlobalBatchOfOneReplicaOfBatch2B() {
    ShardedBatches one = new ShardedBatches(TRAIN, 200, 1, 16, 3);
    ShardedBatches two = new ShardedBatches(TRAIN, 200, 2, 8, 3);
    assertThat(two.stepsPerEpoch()).isEqualTo(one.stepsPerEpoch()).isEqualTo(12);
    for (long step = 1; step <= 30; step++) { // crosses two epoch boundaries
      int[] global = one.indices(step, 0);
      int[] joined =
          IntStream.concat(Arrays.stream(two.indices(step, 0)), Arrays.stream(two.indices(step, 1)))
              .toArray();
      assertThat(joined).as("step %d", step).containsExactly(global);
    }
  }

  @Test
  void anEpochVisitsEachExampleAtMostOnceAndAStepIsAFunctionOfItsNumber() {
    ShardedBatches b = new ShardedBatches(TRAIN, 100, 2, 5, 9);
    Set<Integer> seen = new HashSet<>();
    for (long step = 1; step <= b.stepsPerEpoch(); step++) {
      for (int r = 0; r < 2; r++) {
        for (int i : b.indices(step, r)) {
          assertThat(i).isBetween(0, 99);
          assertThat(seen.add(i)).as("example %d twice in one epoch", i).isTrue();
        }
      }
    }
    assertThat(seen).hasSize(100); // 100 = 10 steps x 2 replicas x 5: nothing left out
    // Asking again, out of order and from a fresh instance, gives the same examples.
    ShardedBatches fresh = new ShardedBatches(TRAIN, 100, 2, 5, 9);
    assertThat(fresh.indices(7, 1)).containsExactly(b.indices(7, 1));
    assertThat(b.indices(3, 0)).containsExactly(fresh.indices(3, 0));
    assertThat(new ShardedBatches(TRAIN, 100, 2, 5, 10).indices(3, 0))
        .isNotEqualTo(b.indices(3, 0));
  }

  @Test
  void badArgumentsAreErrors() {
    assertThatThrownBy(() -> new ShardedBatches(TRAIN, 10, 2, 8, 0))
        .hasMessageContaining("A global batch of 2 x 8 examples is more than the 10");
    ShardedBatches b = new ShardedBatches(TRAIN, 100, 2, 5, 9);
    assertThatThrownBy(() -> b.indices(0, 0)).hasMessageContaining("Steps count from 1");
    assertThatThrownBy(() -> b.indices(1, 2)).hasMessageContaining("rank 2 of 2 replicas");
  }

  @Test
  void batchesScalePixelsToMinusOneOne() {
    ShardedBatches.Batch batch = ShardedBatches.gather(TRAIN, new int[] {3, 0});
    assertThat(batch.images().shape().dims()).containsExactly(2, 28, 28, 1);
    float[] px = batch.images().toFloatArray();
    assertThat(px[0]).isEqualTo((TRAIN.pixels()[3 * 784] & 0xff) * (2f / 255f) - 1f);
    assertThat(batch.labels().toIntArray()).containsExactly(TRAIN.labels()[3], TRAIN.labels()[0]);
  }
}

package dev.sonnet.samples.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.data.ArrayDataset;
import dev.sonnet.data.Batch;
import dev.sonnet.data.Column;
import dev.sonnet.data.DataIterator;
import dev.sonnet.data.Datasets;
import dev.sonnet.data.Example;
import dev.sonnet.data.Remainder;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** In-memory datasets: columns, batches (values against plain loops), shuffle, take, repeat. */
class ArrayDatasetTest {

  /** Ten examples: x = [i, 10 i, 100 i] (float), y = i (int), px = 2x2 bytes 25 i + k. */
  private static ArrayDataset ten() {
    float[] x = new float[30];
    int[] y = new int[10];
    byte[] px = new byte[40];
    for (int i = 0; i < 10; i++) {
      x[3 * i] = i;
      x[3 * i + 1] = 10 * i;
      x[3 * i + 2] = 100 * i;
      y[i] = i;
      for (int k = 0; k < 4; k++) {
        px[4 * i + k] = (byte) (25 * i + k);
      }
    }
    return Datasets.fromArrays(
        Column.floats("x", x, 3), Column.ints("y", y), Column.unsignedBytes("px", px, 2, 2));
  }

  private static List<Integer> labels(Iterable<Batch> batches) {
    List<Integer> out = new ArrayList<>();
    for (Batch b : batches) {
      for (int v : b.get("y").toIntArray()) {
        out.add(v);
      }
    }
    return out;
  }

  @Test
  void batches_holdTheRowsInOrder_withShapesAndValuesOfEachColumn() {
    List<Batch> batches = ten().batch(4).toList();
    assertThat(batches).extracting(Batch::size).containsExactly(4, 4, 2);
    Batch b = batches.get(1);
    assertThat(b.names()).containsExactly("x", "y", "px");
    assertThat(b.get("x").shape()).isEqualTo(Shape.of(4, 3));
    assertThat(b.get("y").dtype()).isEqualTo(DType.INT32);
    assertThat(b.get("y").shape()).isEqualTo(Shape.of(4));
    assertThat(b.get("px").shape()).isEqualTo(Shape.of(4, 2, 2));
    assertThat(b.get("px").dtype()).isEqualTo(DType.FLOAT32);
    float[] x = b.get("x").toFloatArray();
    float[] px = b.get("px").toFloatArray();
    for (int r = 0; r < 4; r++) {
      int i = 4 + r; // second batch: examples 4..7
      assertThat(x[3 * r + 2]).isEqualTo(100f * i);
      for (int k = 0; k < 4; k++) {
        // Bytes to [0, 1] by default: (b & 0xff) / 255 as float32, exactly.
        assertThat(px[4 * r + k]).isEqualTo((25 * i + k) * (1f / 255f) + 0f);
      }
    }
    assertThat(b.get("y").toIntArray()).containsExactly(4, 5, 6, 7);
    assertThat(b.indices()).containsExactly(4, 5, 6, 7);
  }

  @Test
  void dropRemainder_dropsTheShortLastBatch() {
    assertThat(ten().batch(4, Remainder.DROP).toList())
        .extracting(Batch::size)
        .containsExactly(4, 4);
    assertThat(ten().batch(5, Remainder.DROP).toList())
        .extracting(Batch::size)
        .containsExactly(5, 5);
    assertThat(ten().batch(11, Remainder.DROP).toList()).isEmpty();
    assertThat(ten().batch(11, Remainder.KEEP).toList())
        .extracting(Batch::size)
        .containsExactly(10);
  }

  @Test
  void scaledBytes_deliverTheChosenRange() {
    Batch b = ten().scaled("px", 2f / 255f, -1f).batch(10).toList().get(0);
    float[] px = b.get("px").toFloatArray();
    assertThat(px[0]).isEqualTo(-1f);
    assertThat(px[4 * 9 + 3]).isEqualTo((25 * 9 + 3) * (2f / 255f) - 1f);
    assertThatThrownBy(() -> ten().scaled("x", 1, 0))
        .hasMessageContaining(
            "'x' holds f32 values; scaled(scale, shift) applies to unsigned-byte");
  }

  @Test
  void shuffle_isTheSeededFisherYates_newEachPass_sameForTheSameSeed() {
    ArrayDataset shuffled = ten().shuffle(42);
    List<Integer> first = labels(shuffled.batch(3).toList());
    List<Integer> second = labels(shuffled.batch(3).toList());
    // Reference: Fisher-Yates on 0..9 with the same Rng stream, one permutation per pass.
    Rng rng = new Rng(42);
    assertThat(first).containsExactlyElementsOf(fisherYates(rng, 10));
    assertThat(second).containsExactlyElementsOf(fisherYates(rng, 10));
    assertThat(second).isNotEqualTo(first);
    assertThat(labels(ten().shuffle(42).batch(3).toList())).isEqualTo(first);
    assertThat(labels(ten().shuffle(43).batch(3).toList())).isNotEqualTo(first);
  }

  private static List<Integer> fisherYates(Rng rng, int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return Arrays.stream(p).boxed().toList();
  }

  @Test
  void takeThenShuffle_permutesOnlyTheFirstExamples_andRepeatReshufflesEachTime() {
    List<Integer> order = labels(ten().take(4).shuffle(1).repeat(3).batch(5).toList());
    assertThat(order).hasSize(12);
    for (int rep = 0; rep < 3; rep++) {
      assertThat(order.subList(4 * rep, 4 * rep + 4)).containsExactlyInAnyOrder(0, 1, 2, 3);
    }
    assertThat(ten().take(4).repeat(2).length()).isEqualTo(8);
    assertThat(ten().repeat().length()).isEqualTo(-1);
    assertThat(labels(ten().repeat().batch(7).take(3).toList()))
        .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0);
    assertThatThrownBy(() -> ten().repeat().shuffle(3)).hasMessageContaining("shuffle before");
  }

  @Test
  void examples_readOneRow() {
    List<Example> all = ten().toList();
    assertThat(all).hasSize(10);
    Example e = all.get(7);
    assertThat(e.index()).isEqualTo(7);
    assertThat(e.floats("x")).containsExactly(7, 70, 700);
    assertThat(e.ints("y")).containsExactly(7);
    assertThat(e.get("px").shape()).isEqualTo(Shape.of(2, 2));
    assertThat(Batch.of(List.of(all.get(2), all.get(5))).get("y").toIntArray())
        .containsExactly(2, 5);
  }

  @Test
  void batchTensors_belongToTheScopeOfTheThreadThatReadsThem() {
    Batch b = ten().batch(2).toList().get(0);
    Tensor x;
    try (TensorScope step = TensorScope.open()) {
      x = b.get("x");
      assertThat(x.toFloatArray()).hasSize(6);
    }
    assertThatThrownBy(x::toFloatArray).hasMessageContaining("released");
  }

  @Test
  void badColumns_areErrorsNamingThem() {
    assertThatThrownBy(
            () ->
                Datasets.fromArrays(
                    Column.floats("a", new float[6], 3), Column.ints("b", new int[3])))
        .hasMessageContaining("disagree")
        .hasMessageContaining("a: f32[3] x 2")
        .hasMessageContaining("b: i32[] x 3");
    assertThatThrownBy(
            () -> Datasets.fromArrays(Column.ints("a", new int[3]), Column.ints("a", new int[3])))
        .hasMessageContaining("two columns are named 'a'");
    assertThatThrownBy(() -> Column.floats("x", new float[7], 3))
        .hasMessageContaining("7 values do not split into examples of shape [3]");
    assertThatThrownBy(() -> ten().batch(2).toList().get(0).get("z"))
        .hasMessageContaining("no column 'z'; its columns are [x, y, px]");
    assertThatThrownBy(() -> ten().batch(0)).hasMessageContaining("size must be >= 1, got 0");
  }

  @Test
  void columnArrays_areCopied_soLaterWritesDoNotLeakIn() {
    int[] y = {1, 2};
    ArrayDataset d = Datasets.fromArrays(Column.ints("y", y));
    y[0] = 99;
    try (DataIterator<Batch> it = d.batch(2).open()) {
      assertThat(it.next().get("y").toIntArray()).containsExactly(1, 2);
    }
  }
}

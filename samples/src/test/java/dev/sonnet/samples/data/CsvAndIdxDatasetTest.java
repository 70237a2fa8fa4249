package dev.sonnet.samples.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.data.ArrayDataset;
import dev.sonnet.data.Batch;
import dev.sonnet.data.CsvFormat;
import dev.sonnet.data.DatasetException;
import dev.sonnet.data.Datasets;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Datasets from CSV and IDX files. */
class CsvAndIdxDatasetTest {

  @Test
  void csv_withHeaderAndIntegerLabel_givesFeaturesAndLabels(@TempDir Path dir) throws IOException {
    Path f =
        Files.writeString(
            dir.resolve("iris.csv"),
            "sepal,\"petal, width\",species,extra\n5.1, 0.2,0,1e3\n\n4.9,\"0.4\",2,-1\n");
    ArrayDataset d = Datasets.fromCsv(f, CsvFormat.DEFAULT.withIntLabel("species"));
    assertThat(d.exampleCount()).isEqualTo(2);
    Batch b = d.batch(2).toList().get(0);
    assertThat(b.names()).containsExactly("features", "label");
    assertThat(b.get("features").shape()).isEqualTo(Shape.of(2, 3));
    assertThat(b.get("features").toFloatArray())
        .containsExactly(5.1f, 0.2f, 1000f, 4.9f, 0.4f, -1f);
    assertThat(b.get("label").dtype()).isEqualTo(DType.INT32);
    assertThat(b.get("label").toIntArray()).containsExactly(0, 2);
  }

  @Test
  void csv_withoutHeader_labelByPosition_floatTargets(@TempDir Path dir) throws IOException {
    Path f = Files.writeString(dir.resolve("r.tsv"), "1\t2\t0.5\n3\t4\t1.5\n");
    ArrayDataset d =
        Datasets.fromCsv(
            f, CsvFormat.DEFAULT.withHeader(false).withDelimiter('\t').withFloatLabel("2"));
    Batch b = d.batch(2).toList().get(0);
    assertThat(b.get("features").toFloatArray()).containsExactly(1, 2, 3, 4);
    assertThat(b.get("label").toFloatArray()).containsExactly(0.5f, 1.5f);
    assertThat(
            Datasets.fromCsv(f, CsvFormat.DEFAULT.withHeader(false).withDelimiter('\t')).columns())
        .hasSize(1);
  }

  @Test
  void csv_errorsNameFileLineAndColumn(@TempDir Path dir) throws IOException {
    Path bad = Files.writeString(dir.resolve("bad.csv"), "a,b\n1,2\n3,x\n");
    assertThatThrownBy(() -> Datasets.fromCsv(bad, CsvFormat.DEFAULT))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(bad + ":3, column 'b': 'x' is not a number");
    Path ragged = Files.writeString(dir.resolve("ragged.csv"), "a,b\n1,2\n3\n");
    assertThatThrownBy(() -> Datasets.fromCsv(ragged, CsvFormat.DEFAULT))
        .hasMessageContaining(ragged + ":3: 1 fields, but the header has 2");
    Path names = Files.writeString(dir.resolve("names.csv"), "x,y\n1,cat\n");
    assertThatThrownBy(() -> Datasets.fromCsv(names, CsvFormat.DEFAULT.withIntLabel("y")))
        .hasMessageContaining("label 'cat' is not an integer class id");
    assertThatThrownBy(() -> Datasets.fromCsv(names, CsvFormat.DEFAULT.withIntLabel("z")))
        .hasMessageContaining("no column 'z' for the label; the columns are [x, y]");
    Path quote = Files.writeString(dir.resolve("q.csv"), "a\n\"1\n");
    assertThatThrownBy(() -> Datasets.fromCsv(quote, CsvFormat.DEFAULT))
        .hasMessageContaining(quote + ":2: a quoted field is not closed");
  }

  private static byte[] idx(int[] dims, int first) {
    int n = 1;
    for (int d : dims) {
      n *= d;
    }
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + n);
    b.putShort((short) 0).put((byte) 8).put((byte) dims.length);
    for (int d : dims) {
      b.putInt(d);
    }
    for (int i = 0; i < n; i++) {
      b.put((byte) (first + i));
    }
    return b.array();
  }

  @Test
  void idx_imagesAndLabels_becomeAByteImageColumnAndIntLabels(@TempDir Path dir)
      throws IOException {
    Path images = Files.write(dir.resolve("x"), idx(new int[] {3, 2, 2}, 250));
    Path labels = Files.write(dir.resolve("y"), idx(new int[] {3}, 7));
    ArrayDataset d = Datasets.fromIdx(images, labels);
    Batch b = d.batch(3).toList().get(0);
    assertThat(b.get("image").shape()).isEqualTo(Shape.of(3, 2, 2));
    float[] px = b.get("image").toFloatArray();
    for (int i = 0; i < 12; i++) {
      assertThat(px[i]).isEqualTo(((250 + i) & 0xff) * (1f / 255f) + 0f); // 250..255, then 0..5
    }
    assertThat(b.get("label").toIntArray()).containsExactly(7, 8, 9);
    Path four = Files.write(dir.resolve("y4"), idx(new int[] {4}, 0));
    assertThatThrownBy(() -> Datasets.fromIdx(images, four))
        .hasMessageContaining("3 examples")
        .hasMessageContaining("4 labels");
  }
}

package dev.sonnet.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TensorBundle reader on Sonnet's golden checkpoints (test resources {@code sonnet-goldens/}),
 * and its errors on damaged ones. The values are known: Sonnet saved {@code range_like} of every
 * variable (0, 1, 2, ...).
 */
class TensorBundleTest {
  @TempDir Path dir;

  /** Copies golden {@code name} out of the test resources; returns its prefix. */
  static Path golden(Path dir, String name) throws IOException {
    Path folder = Files.createDirectories(dir.resolve(name));
    int copied = 0;
    for (String f :
        List.of(
            "checkpoint-1.index",
            "checkpoint-1.data-00000-of-00001",
            "checkpoint-1.data-00000-of-00002",
            "checkpoint-1.data-00001-of-00002")) {
      try (InputStream in =
          TensorBundleTest.class.getResourceAsStream("/sonnet-goldens/" + name + "/" + f)) {
        if (in != null) {
          Files.copy(in, folder.resolve(f));
          copied++;
        }
      }
    }
    assertThat(copied).as("files of " + name).isGreaterThanOrEqualTo(2);
    return folder.resolve("checkpoint-1");
  }

  @Test
  void readsTheMlpGolden_keysShapesValuesAndObjectPaths() throws IOException {
    try (TensorBundle b = TensorBundle.open(golden(dir, "mlp_3x4x5_1x3"))) {
      assertThat(b.entries())
          .extracting(TensorBundle.Entry::key)
          .containsExactly(
              "_CHECKPOINTABLE_OBJECT_GRAPH",
              "module/_layers/0/b/.ATTRIBUTES/VARIABLE_VALUE",
              "module/_layers/0/w/.ATTRIBUTES/VARIABLE_VALUE",
              "module/_layers/1/b/.ATTRIBUTES/VARIABLE_VALUE",
              "module/_layers/1/w/.ATTRIBUTES/VARIABLE_VALUE",
              "module/_layers/2/b/.ATTRIBUTES/VARIABLE_VALUE",
              "module/_layers/2/w/.ATTRIBUTES/VARIABLE_VALUE",
              "save_counter/.ATTRIBUTES/VARIABLE_VALUE");
      HostArray w = b.read("module/_layers/2/w/.ATTRIBUTES/VARIABLE_VALUE");
      assertThat(w.dtype()).isEqualTo(DType.FLOAT32);
      assertThat(w.shape()).isEqualTo(Shape.of(4, 5));
      for (int i = 0; i < 20; i++) {
        assertThat(w.floats()[i]).isEqualTo((float) i);
      }
      assertThat(b.read("save_counter/.ATTRIBUTES/VARIABLE_VALUE").longs()).containsExactly(1L);

      Map<String, TrackableObjectGraph.Attribute> paths = b.objectGraph().attributePaths();
      TrackableObjectGraph.Attribute a = paths.get("module/_layers/1/w/.ATTRIBUTES/VARIABLE_VALUE");
      assertThat(a.objectPath()).isEqualTo("module/_layers/1/w");
      assertThat(a.name()).isEqualTo(TrackableObjectGraph.VARIABLE_VALUE);
      assertThat(a.fullName()).isEqualTo("mlp/linear_1/w");
      assertThat(paths).hasSize(7);
    }
  }

  @Test
  void readsATwoShardGolden() throws IOException {
    try (TensorBundle b = TensorBundle.open(golden(dir, "mean_2x2"))) {
      TensorBundle.Entry sum = b.entry("module/sum/.ATTRIBUTES/VARIABLE_VALUE");
      assertThat(sum.shard()).isEqualTo(1);
      assertThat(b.read(sum).floats()).containsExactly(0f, 1f, 2f, 3f);
      assertThat(b.read("module/count/.ATTRIBUTES/VARIABLE_VALUE").longs()).containsExactly(0L);
    }
  }

  @Test
  void aFlippedBitInATensor_failsItsCrc_namingTheShard() throws IOException {
    Path prefix = golden(dir, "linear_1x1");
    Path data = Path.of(prefix + ".data-00000-of-00001");
    byte[] bytes = Files.readAllBytes(data);
    bytes[9] ^= 0x10; // inside module/w, bytes [8, 12)
    Files.write(data, bytes);
    try (TensorBundle b = TensorBundle.open(prefix)) {
      assertThatThrownBy(() -> b.read("module/w/.ATTRIBUTES/VARIABLE_VALUE"))
          .isInstanceOf(CheckpointFormatException.class)
          .hasMessageContaining("checkpoint-1.data-00000-of-00001")
          .hasMessageContaining("\"module/w/.ATTRIBUTES/VARIABLE_VALUE\" fails its CRC32C check");
      assertThat(b.read("module/b/.ATTRIBUTES/VARIABLE_VALUE").floats()).containsExactly(0f);
    }
  }

  @Test
  void aFlippedBitInTheObjectGraph_failsItsCrc() throws IOException {
    Path prefix = golden(dir, "linear_1x1");
    Path data = Path.of(prefix + ".data-00000-of-00001");
    byte[] bytes = Files.readAllBytes(data);
    bytes[bytes.length - 3] ^= 0x01;
    Files.write(data, bytes);
    try (TensorBundle b = TensorBundle.open(prefix)) {
      assertThatThrownBy(b::objectGraph)
          .isInstanceOf(CheckpointFormatException.class)
          .hasMessageContaining("_CHECKPOINTABLE_OBJECT_GRAPH")
          .hasMessageContaining("CRC32C");
    }
  }

  @Test
  void aFlippedBitInTheIndex_failsTheBlockCrc_namingTheIndex() throws IOException {
    Path prefix = golden(dir, "linear_1x1");
    Path index = Path.of(prefix + ".index");
    byte[] bytes = Files.readAllBytes(index);
    bytes[20] ^= 0x04;
    Files.write(index, bytes);
    assertThatThrownBy(() -> TensorBundle.open(prefix))
        .isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining("checkpoint-1.index")
        .hasMessageContaining("fails its CRC32C check");
  }

  @Test
  void aTruncatedShard_isRefusedWhenOpened() throws IOException {
    Path prefix = golden(dir, "linear_1x1");
    Path data = Path.of(prefix + ".data-00000-of-00001");
    byte[] bytes = Files.readAllBytes(data);
    Files.write(data, java.util.Arrays.copyOf(bytes, 14));
    assertThatThrownBy(() -> TensorBundle.open(prefix))
        .isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining("past the end of the 14-byte shard");
  }

  @Test
  void aMissingShardOrIndex_isNamed() throws IOException {
    Path prefix = golden(dir, "mean_2x2");
    Files.delete(Path.of(prefix + ".data-00001-of-00002"));
    assertThatThrownBy(() -> TensorBundle.open(prefix))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("checkpoint-1.data-00001-of-00002: no such file")
        .hasMessageContaining("names 2 shards");
    assertThatThrownBy(() -> TensorBundle.open(dir.resolve("nothing")))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("nothing.index: no such file")
        .hasMessageContaining("named by its prefix");
  }

  @Test
  void aHugeIndex_isRefusedBeforeItIsRead() throws IOException {
    Path prefix = dir.resolve("huge");
    try (RandomAccessFile f = new RandomAccessFile(prefix + ".index", "rw")) {
      f.setLength(TensorBundle.MAX_INDEX_BYTES + 1L); // sparse: costs no disk
    }
    assertThatThrownBy(() -> TensorBundle.open(prefix))
        .isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining("huge.index")
        .hasMessageContaining("more than the 67108864 this reader accepts");
  }

  @Test
  void aFileThatIsNotATable_isRefused() throws IOException {
    Path prefix = dir.resolve("model");
    Files.write(Path.of(prefix + ".index"), new byte[100]);
    assertThatThrownBy(() -> TensorBundle.open(prefix))
        .isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining("not the table magic number");
    Files.write(Path.of(prefix + ".index"), new byte[10]);
    assertThatThrownBy(() -> TensorBundle.open(prefix))
        .hasMessageContaining("shorter than the 48-byte footer");
  }

  @Test
  void everyGolden_opensAndEveryTensorReadsWithItsCrc() throws IOException {
    for (String name : GOLDENS) {
      try (TensorBundle b = TensorBundle.open(golden(dir, name))) {
        assertThat(b.objectGraph()).as(name).isNotNull();
        for (TensorBundle.Entry e : b.entries()) {
          if (e.dtype() != null) {
            assertThat(b.read(e).size()).isEqualTo((int) e.elements());
          }
        }
      }
    }
  }

  static final List<String> GOLDENS =
      List.of(
          "base_batch_norm_1x2x2x3",
          "base_batch_norm_scale_offset_1x2x2x3",
          "batch_norm_1x2x2x3",
          "batch_norm_scale_offset_1x2x2x3",
          "bias_3x3x3",
          "conv1d_3x3_2x2",
          "conv1d_lstm_3x3_2x2",
          "conv1d_transpose_3x3_2x2",
          "conv2d_3x3_2x2",
          "conv2d_transpose_3x3_2x2",
          "conv3d_3x3_2x2",
          "conv3d_lstm_3x3_2x2",
          "conv3d_transpose_3x3_2x2",
          "cross_replica_batch_norm_1x2x2x3",
          "depthwise_conv2d_3x3_2x2",
          "dropout",
          "ema_2",
          "embed_100_100",
          "group_norm_2_1x3x4",
          "gru_1",
          "instance_norm_1_1x3_2",
          "layer_norm_1_1x3_2",
          "linear_1x1",
          "linear_nobias_1x1",
          "lstm_1",
          "mean_2x2",
          "mlp_3x4x5_1x3",
          "mlp_nobias_3x4x5_1x3",
          "sum_2x2",
          "trainable_state",
          "unrolled_lstm_1",
          "vanilla_rnn_8",
          "vqvae",
          "vqvae_ema_eval");
}

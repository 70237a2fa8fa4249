package dev.sonnet.samples.summary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.summary.SummaryWriter;
import dev.sonnet.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.HistogramProto;
import org.tensorflow.proto.Summary;

/**
 * TensorBoard event files, read back by independent code: the TFRecord framing and its masked
 * CRC-32C checked by a reader written here from TensorFlow's specification, each record parsed by
 * TensorFlow Java's generated {@code Event} class (protobuf-java), and PNGs decoded by ImageIO.
 */
class SummaryWriterTest {

  /** TensorFlow's masked CRC-32C (tsl/lib/hash/crc32c.h: rotate right by 15, add a constant). */
  private static int masked(byte[] data, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(data, offset, length);
    long c = crc.getValue();
    return (int) ((((c >>> 15) | (c << 17)) + 0xa282ead8L) & 0xffffffffL);
  }

  /** Reads every record of a TFRecord file, checking both CRCs of each. */
  private static List<Event> readEvents(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    ByteBuffer in = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    List<Event> events = new ArrayList<>();
    while (in.hasRemaining()) {
      int start = in.position();
      long length = in.getLong();
      assertThat(in.getInt()).as("length CRC at byte %d", start).isEqualTo(masked(all, start, 8));
      byte[] data = new byte[(int) length];
      in.get(data);
      assertThat(in.getInt())
          .as("data CRC at byte %d", start)
          .isEqualTo(masked(data, 0, data.length));
      events.add(Event.parseFrom(data));
    }
    return events;
  }

  @Test
  void crc32c_isTheCastagnoliPolynomial() {
    // The check value of CRC-32C (RFC 3720, B.4): "123456789" -> 0xE3069283.
    CRC32C crc = new CRC32C();
    crc.update("123456789".getBytes(StandardCharsets.US_ASCII));
    assertThat(crc.getValue()).isEqualTo(0xE3069283L);
  }

  @Test
  void scalarsHistogramsAndImages_readBackAsTensorBoardReadsThem(@TempDir Path dir)
      throws IOException {
    Path file;
    double[] values = {-1.0, -0.5, 0.0, 0.25, 0.5, 1.0, 1.0, 3.0};
    try (SummaryWriter tb = SummaryWriter.create(dir.resolve("run"))) {
      file = tb.file();
      tb.scalar("train/loss", 0.75, 1);
      tb.scalar("train/loss", 0.5, 2);
      tb.histogram("w", values, 2, 4);
      tb.histogram("t", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2), 3);
      // A 2x3 RGB image: red ramp across, green down, blue constant.
      float[] px = new float[2 * 3 * 3];
      for (int y = 0; y < 2; y++) {
        for (int x = 0; x < 3; x++) {
          px[(y * 3 + x) * 3] = x / 2f;
          px[(y * 3 + x) * 3 + 1] = y;
          px[(y * 3 + x) * 3 + 2] = 0.2f;
        }
      }
      tb.image("inputs/rgb", Tensor.of(px, 2, 3, 3), 4);
    }
    assertThat(file.getFileName().toString()).startsWith("events.out.tfevents.");
    List<Event> events = readEvents(file);
    assertThat(events).hasSize(6);
    assertThat(events.get(0).getFileVersion()).isEqualTo("brain.Event:2");
    assertThat(events.get(0).getWallTime()).isGreaterThan(1.7e9);

    Event loss2 = events.get(2);
    assertThat(loss2.getStep()).isEqualTo(2);
    Summary.Value v = loss2.getSummary().getValue(0);
    assertThat(v.getTag()).isEqualTo("train/loss");
    assertThat(v.getSimpleValue()).isEqualTo(0.5f);

    HistogramProto h = events.get(3).getSummary().getValue(0).getHisto();
    // Reference by hand: 4 buckets of width 1 over [-1, 3]: [-1,0) holds -1, -0.5; [0,1) holds
    // 0, 0.25, 0.5; [1,2) holds 1, 1; [2,3] holds 3.
    assertThat(h.getMin()).isEqualTo(-1.0);
    assertThat(h.getMax()).isEqualTo(3.0);
    assertThat(h.getNum()).isEqualTo(8);
    assertThat(h.getSum()).isEqualTo(4.25);
    assertThat(h.getSumSquares()).isEqualTo(1 + 0.25 + 0 + 0.0625 + 0.25 + 1 + 1 + 9);
    assertThat(h.getBucketLimitList()).containsExactly(0.0, 1.0, 2.0, 3.0);
    assertThat(h.getBucketList()).containsExactly(2.0, 3.0, 2.0, 1.0);
    HistogramProto t = events.get(4).getSummary().getValue(0).getHisto();
    assertThat(t.getNum()).isEqualTo(4);
    assertThat(t.getSum()).isEqualTo(10);
    assertThat(events.get(4).getStep()).isEqualTo(3);

    Summary.Image image = events.get(5).getSummary().getValue(0).getImage();
    assertThat(image.getHeight()).isEqualTo(2);
    assertThat(image.getWidth()).isEqualTo(3);
    assertThat(image.getColorspace()).isEqualTo(3);
    BufferedImage png =
        ImageIO.read(new ByteArrayInputStream(image.getEncodedImageString().toByteArray()));
    assertThat(png.getWidth()).isEqualTo(3);
    assertThat(png.getHeight()).isEqualTo(2);
    for (int y = 0; y < 2; y++) {
      for (int x = 0; x < 3; x++) {
        int rgb = png.getRGB(x, y);
        assertThat((rgb >> 16) & 0xff).isEqualTo(Math.round(x / 2f * 255f));
        assertThat((rgb >> 8) & 0xff).isEqualTo(y * 255);
        assertThat(rgb & 0xff).isEqualTo(Math.round(0.2f * 255f));
      }
    }
  }

  @Test
  void greyImagesFromBytes_andAConstantHistogram(@TempDir Path dir) throws IOException {
    Path file;
    byte[] grey = new byte[4 * 5];
    for (int i = 0; i < grey.length; i++) {
      grey[i] = (byte) (i * 13);
    }
    try (SummaryWriter tb = SummaryWriter.create(dir)) {
      file = tb.file();
      tb.image("grey", grey, 4, 5, 1, 0);
      tb.histogram("c", new double[] {2, 2, 2}, 0, 10);
    }
    List<Event> events = readEvents(file);
    Summary.Image image = events.get(1).getSummary().getValue(0).getImage();
    assertThat(image.getColorspace()).isEqualTo(1);
    BufferedImage png =
        ImageIO.read(new ByteArrayInputStream(image.getEncodedImageString().toByteArray()));
    for (int i = 0; i < grey.length; i++) {
      assertThat(png.getRaster().getSample(i % 5, i / 5, 0)).isEqualTo(grey[i] & 0xff);
    }
    HistogramProto h = events.get(2).getSummary().getValue(0).getHisto();
    assertThat(h.getBucketLimitList()).containsExactly(2.0);
    assertThat(h.getBucketList()).containsExactly(3.0);
  }

  @Test
  void badInput_isAnErrorNamingTheTag_andNothingIsWritten(@TempDir Path dir) throws IOException {
    try (SummaryWriter tb = SummaryWriter.create(dir)) {
      assertThatThrownBy(() -> tb.histogram("w", new double[] {1, Double.NaN, 2}, 0, 5))
          .hasMessageContaining("histogram 'w': 1 of 3 values are NaN or infinite");
      assertThatThrownBy(() -> tb.image("x", Tensor.of(new float[8], 2, 2, 2, 1), 0))
          .hasMessageContaining("image 'x': expected [height, width] or [height, width, channels]");
      assertThatThrownBy(() -> tb.image("y", new byte[5], 2, 2, 1, 0))
          .hasMessageContaining("2x2x1 needs 4 bytes, got 5");
      assertThatThrownBy(() -> tb.scalar(" ", 1, 0)).hasMessageContaining("non-blank tag");
      tb.close();
      assertThat(readEvents(tb.file())).hasSize(1); // the file version only
      assertThatThrownBy(() -> tb.scalar("late", 1, 0)).hasMessageContaining("is closed");
    }
  }
}

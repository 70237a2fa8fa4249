package dev.sonnet.summary;

import dev.sonnet.tensor.Operand;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes TensorBoard summaries (PyTorch's {@code SummaryWriter}, {@code tf.summary}): scalars,
 * histograms and images as an event file in {@code logDir}, in TensorFlow's own format (TFRecord
 * framing with masked CRC-32C around {@code Event} protocol buffers), so {@code tensorboard
 * --logdir DIR} shows them as they are written. No dependency: the protobuf messages are written
 * with {@link dev.sonnet.utils.ProtoWriter}, images encoded as PNG by this package.
 *
 * <pre>{@code
 * try (SummaryWriter tb = SummaryWriter.create(Path.of("runs/mlp"))) {
 *   tb.scalar("train/loss", loss.item(), step);
 *   tb.histogram("weights/linear_0/w", linear.w, step);      // a Variable or a Tensor
 *   tb.image("inputs/first", image, step);                   // [28, 28, 1], values in [0, 1]
 * }
 * }</pre>
 *
 * <p>Each call appends one event and flushes it, so a running TensorBoard sees it at once and a
 * crash loses nothing written before; a call costs one small write. One file per writer, named as
 * TensorFlow and PyTorch name theirs ({@code events.out.tfevents.<seconds>.<host>.<pid>.<n>}).
 * Thread-safe: calls from several threads are written one at a time.
 */
public final class SummaryWriter implements AutoCloseable {
  /** {@code 30}: as many buckets as TensorBoard's display resolves, few enough to stay small. */
  public static final int DEFAULT_BUCKETS = 30;

  private static final AtomicInteger COUNTER = new AtomicInteger();

  private final Path file;
  private final OutputStream stream;
  private final TfRecordWriter records;
  private boolean closed;

  private SummaryWriter(Path file, OutputStream stream) {
    this.file = file;
    this.stream = stream;
    this.records = new TfRecordWriter(stream);
  }

  /** A writer of a new event file in {@code logDir} (created if missing). */
  public static SummaryWriter create(Path logDir) {
    Path file =
        logDir.resolve(
            String.format(
                Locale.ROOT,
                "events.out.tfevents.%d.%s.%d.%d",
                System.currentTimeMillis() / 1000,
                host(),
                ProcessHandle.current().pid(),
                COUNTER.getAndIncrement()));
    try {
      Files.createDirectories(logDir);
      OutputStream out =
          new BufferedOutputStream(
              Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              1 << 16);
      SummaryWriter w = new SummaryWriter(file, out);
      w.append(EventEncoder.fileVersion(now()));
      return w;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the event file " + file + ": " + e, e);
    }
  }

  /** The event file being written. */
  public Path file() {
    return file;
  }

  /** Appends a scalar (stored as float32, as TensorBoard's scalars are). */
  public void scalar(String tag, double value, long step) {
    checkTag(tag);
    append(EventEncoder.scalar(now(), step, tag, (float) value));
  }

  /**
   * Appends a histogram of every element of {@code values} in {@value #DEFAULT_BUCKETS} buckets.
   */
  public void histogram(String tag, Operand values, long step) {
    histogram(tag, values.asTensor().toDoubleArray(), step, DEFAULT_BUCKETS);
  }

  /**
   * Appends a histogram of {@code values} in {@code buckets} equal-width buckets from their min to
   * their max. NaN or infinite values are an error (naming the tag and how many), not dropped.
   */
  public void histogram(String tag, double[] values, long step, int buckets) {
    checkTag(tag);
    if (buckets < 1) {
      throw new IllegalArgumentException(
          "histogram '" + tag + "': buckets must be >= 1, got " + buckets);
    }
    append(EventEncoder.histogram(now(), step, tag, Histogram.of(tag, values, buckets)));
  }

  /**
   * Appends an image from a float tensor {@code [height, width]} or {@code [height, width,
   * channels]} (1 grey, 3 RGB, 4 RGBA) with values in {@code [0, 1]}, stored as 8-bit PNG ({@code
   * round(v * 255)}, clamped to {@code [0, 255]}).
   */
  public void image(String tag, Tensor image, long step) {
    checkTag(tag);
    Shape s = image.shape();
    if (s.rank() != 2 && s.rank() != 3) {
      throw new IllegalArgumentException(
          "image '"
              + tag
              + "': expected [height, width] or [height, width, channels], got "
              + s
              + "; take one image of a batch with slice and reshape");
    }
    int channels = s.rank() == 3 ? s.dim(2) : 1;
    float[] v = image.toFloatArray();
    byte[] pixels = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      float x = v[i];
      if (Float.isNaN(x)) {
        throw new IllegalArgumentException("image '" + tag + "': value " + i + " is NaN");
      }
      pixels[i] = (byte) Math.round(Math.min(1f, Math.max(0f, x)) * 255f);
    }
    image(tag, pixels, s.dim(0), s.dim(1), channels, step);
  }

  /**
   * Appends an image from 8-bit {@code pixels}, {@code height * width * channels} bytes, row-major
   * with channels interleaved (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA).
   */
  public void image(String tag, byte[] pixels, int height, int width, int channels, long step) {
    checkTag(tag);
    byte[] png = PngEncoder.encode(pixels, height, width, channels);
    append(EventEncoder.image(now(), step, tag, height, width, channels, png));
  }

  /** Appends an image already encoded as PNG (a chart, say). */
  public void imagePng(String tag, byte[] png, int height, int width, int channels, long step) {
    checkTag(tag);
    append(EventEncoder.image(now(), step, tag, height, width, channels, png));
  }

  /** Writes what is buffered; every call above already does. */
  public synchronized void flush() {
    try {
      if (!closed) {
        stream.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the event file " + file + ": " + e, e);
    }
  }

  /** Flushes and closes the file; later calls are errors. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      stream.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot close the event file " + file + ": " + e, e);
    }
  }

  private synchronized void append(byte[] event) {
    if (closed) {
      throw new IllegalStateException("SummaryWriter for " + file + " is closed");
    }
    try {
      records.write(event);
      stream.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the event file " + file + ": " + e, e);
    }
  }

  private static void checkTag(String tag) {
    if (tag == null || tag.isBlank()) {
      throw new IllegalArgumentException("A summary needs a non-blank tag, got '" + tag + "'");
    }
  }

  private static double now() {
    return System.currentTimeMillis() / 1000.0;
  }

  private static String host() {
    String h = System.getenv("HOSTNAME");
    if (h == null || h.isBlank()) {
      h = "localhost";
    }
    return h.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}

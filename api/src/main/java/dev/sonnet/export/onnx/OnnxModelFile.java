package dev.sonnet.export.onnx;

import dev.sonnet.utils.ProtoWriter;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes an {@link OnnxGraph} as an ONNX model file ({@code ModelProto}, protobuf wire format).
 *
 * <p>The model imports the default operator set at {@link #OPSET_VERSION} 17 with IR version {@link
 * #IR_VERSION} 8, the pair ONNX's versioning table gives for opset 17. Opset 17 is the newest set
 * whose operators the exporter needs without the opset-18 change that moved {@code Reduce*} axes
 * from attributes to inputs, and every ONNX Runtime since 1.12 (2022) runs it, so the files load in
 * older deployments too.
 *
 * <p>The weights are streamed after the graph's structure: memory use while writing is the
 * structure plus one tensor's host copy, not the whole model twice.
 */
public final class OnnxModelFile {
  /** Version of the default ({@code ai.onnx}) operator set the models import. */
  public static final int OPSET_VERSION = 17;

  /** ONNX IR version matching {@link #OPSET_VERSION}. */
  public static final int IR_VERSION = 8;

  /** Written as {@code ModelProto.producer_name}. */
  public static final String PRODUCER = "sonnet-java";

  private OnnxModelFile() {}

  /**
   * Writes {@code graph} to {@code path}, replacing it: the bytes go to a temporary file {@code
   * .<name>.tmp-<random>} in the same folder (created with the process's default permissions, as
   * the checkpoint writer does), which is forced to disk and then moved over {@code path}, so a
   * failed or interrupted write never leaves a half file under the final name.
   */
  public static void write(OnnxGraph graph, Path path) {
    Path parent = path.toAbsolutePath().getParent();
    Path tmp =
        parent.resolve(
            "."
                + path.getFileName()
                + ".tmp-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE));
    boolean moved = false;
    try {
      try (FileChannel ch =
              FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
        writeTo(graph, out);
        out.flush();
        ch.force(true);
      }
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      moved = true;
    } catch (IOException e) {
      throw new OnnxExportException("cannot write ONNX model " + path + ": " + e, e);
    } finally {
      if (!moved) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // The original failure is the one to report.
        }
      }
    }
  }

  /** The model's bytes, for small models and tests; {@link #write} streams instead. */
  public static byte[] toByteArray(OnnxGraph graph) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writeTo(graph, out);
    } catch (IOException e) {
      throw new AssertionError("ByteArrayOutputStream does not throw", e);
    }
    return out.toByteArray();
  }

  /** Streams the {@code ModelProto} of {@code graph} to {@code out}. */
  public static void writeTo(OnnxGraph graph, OutputStream out) throws IOException {
    ProtoWriter opset = new ProtoWriter().string(1, "").varint(2, OPSET_VERSION);
    ProtoWriter structure = graph.encodeWithoutInitializers();
    long graphSize = structure.size();
    for (OnnxInitializer i : graph.initializers()) {
      long size = i.encodedSize();
      graphSize += ProtoWriter.varintSize(5 << 3) + ProtoWriter.varintSize(size) + size;
    }
    if (graphSize > Integer.MAX_VALUE) {
      // Protobuf parsers, ONNX Runtime's included, refuse a message of 2 GiB or more.
      throw new OnnxExportException(
          "ONNX graph "
              + graph.name()
              + " needs "
              + graphSize
              + " bytes, over protobuf's 2 GiB limit for one file; ONNX's external-data"
              + " layout for weights is not supported by this exporter");
    }
    new ProtoWriter()
        .varint(1, IR_VERSION)
        .string(2, PRODUCER)
        .message(8, opset)
        .lengthDelimitedHeader(7, graphSize)
        .writeTo(out);
    structure.writeTo(out);
    for (OnnxInitializer i : graph.initializers()) {
      ProtoWriter header = i.header();
      new ProtoWriter().lengthDelimitedHeader(5, header.size() + i.payloadBytes()).writeTo(out);
      header.writeTo(out);
      i.writePayload(out);
    }
  }
}

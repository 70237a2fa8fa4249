package dev.sonnet.conformance.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.sonnet.SonnetException;
import dev.sonnet.checkpoint.CheckpointException;
import dev.sonnet.checkpoint.CheckpointFormatException;
import dev.sonnet.checkpoint.HostArray;
import dev.sonnet.checkpoint.SafeTensors;
import dev.sonnet.checkpoint.SafeTensorsFile;
import dev.sonnet.export.GraphFunction;
import dev.sonnet.export.SavedModel;
import dev.sonnet.export.TensorFunction;
import dev.sonnet.export.TensorSpec;
import dev.sonnet.module.Layers;
import dev.sonnet.module.Sequential;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.nn.Flatten;
import dev.sonnet.nn.Linear;
import dev.sonnet.recurrent.LSTM;
import dev.sonnet.recurrent.Unroll;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The saved-model loader against damaged and hostile files, as {@code SafeTensorsFuzzTest} does for
 * the checkpoint reader: thousands of seeded mutations of a valid model, of the file's bytes and of
 * the graph document inside it, each of which must load (and then run, or fail a call with the
 * library's own error) or fail to load with a {@link CheckpointException} naming the file; never
 * another exception, an {@link OutOfMemoryError}, or a hang. Then hand-written malicious graphs.
 */
class SavedModelFuzzTest {
  private static final int CASES_PER_KIND = 100;
  private static final String KEY = "sonnet.saved_model";

  @TempDir Path dir;
  private Path valid;
  private Map<String, HostArray> tensors;
  private String graph;

  private enum Kind {
    FILE_BIT_FLIPS,
    FILE_TRUNCATION,
    GRAPH_CHARACTERS,
    GRAPH_NUMBERS,
    GRAPH_WORDS,
    GRAPH_SPLICE
  }

  @BeforeEach
  void saveAValidModel() {
    Sequential conv =
        new Sequential(
            List.of(
                Conv2D.builder(2, 3).build(),
                Layers.relu(),
                new Flatten(),
                Linear.builder(3).build()));
    LSTM lstm = LSTM.builder(2).build();
    TensorFunction rnn =
        in ->
            new Tensor[] {
              Unroll.dynamicUnroll(lstm, in[0], lstm.initialState(in[0].dim(1))).outputs().sum(0)
            };
    valid = dir.resolve("valid.savedmodel");
    SavedModel.builder()
        .function("conv", conv::call, TensorSpec.of(DType.FLOAT32, -1, 4, 4, 1))
        .function("rnn", rnn, TensorSpec.of(DType.FLOAT32, 2, -1, 3).withSymbol(1, "batch"))
        .save(valid);
    tensors = new LinkedHashMap<>();
    try (SafeTensorsFile f = SafeTensors.open(valid)) {
      for (SafeTensorsFile.Entry e : f.entries()) {
        tensors.put(e.name(), f.read(e));
      }
      graph = f.metadata().get(KEY);
    }
  }

  @Test
  void loader_survivesMutatedFilesAndGraphs_withOnlyItsOwnErrors() throws IOException {
    byte[] original = Files.readAllBytes(valid);
    Random random = new Random(20261207);
    Path target = dir.resolve("mutant.savedmodel");
    int rejected = 0;
    int total = 0;
    for (Kind kind : Kind.values()) {
      for (int i = 0; i < CASES_PER_KIND; i++) {
        String description = write(kind, original, target, random);
        total++;
        try {
          SavedModel m = SavedModel.load(target);
          callEveryFunction(m);
        } catch (CheckpointException expected) {
          rejected++;
          assertThat(expected.getMessage()).contains("mutant.savedmodel");
        } catch (SonnetException callFailed) {
          // Loaded, and a call failed with the library's own error (e.g. an input spec changed).
        } catch (Throwable t) {
          fail("case " + kind + " #" + i + " escaped as " + t + "; mutation: " + description, t);
        }
      }
    }
    assertThat(rejected).as("most mutants are rejected").isGreaterThan(total / 2);
  }

  private static void callEveryFunction(SavedModel m) {
    for (String name : m.functionNames()) {
      GraphFunction f = m.function(name);
      Tensor[] inputs = new Tensor[f.signature().size()];
      for (int i = 0; i < inputs.length; i++) {
        TensorSpec spec = f.signature().get(i);
        int[] dims = new int[spec.rank()];
        long size = 1;
        for (int a = 0; a < dims.length; a++) {
          dims[a] = spec.dims().get(a) == -1 ? 2 : spec.dims().get(a);
          size *= Math.max(1, dims[a]);
        }
        if (size > 1 << 16) {
          return; // a mutated spec asking for a huge input: the loader accepted it, nothing to run
        }
        inputs[i] = Tensor.zeros(spec.dtype(), Shape.of(dims));
      }
      f.callAll(inputs);
    }
  }

  private String write(Kind kind, byte[] original, Path target, Random r) throws IOException {
    switch (kind) {
      case FILE_BIT_FLIPS -> {
        byte[] b = original.clone();
        int flips = 1 + r.nextInt(4);
        for (int k = 0; k < flips; k++) {
          b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
        }
        Files.write(target, b);
        return "bit flips";
      }
      case FILE_TRUNCATION -> {
        int n = r.nextInt(original.length);
        Files.write(target, Arrays.copyOf(original, n));
        return "truncated to " + n;
      }
      default -> {
        String g = mutateGraph(kind, graph, r);
        SafeTensors.write(target, tensors, Map.of(KEY, g));
        return g;
      }
    }
  }

  private static final String[] NUMBERS = {
    "0",
    "1",
    "-1",
    "2",
    "3",
    "7",
    "-7",
    "2147483647",
    "-2147483648",
    "4294967296",
    "9223372036854775807",
    "1e300",
    "0.5",
    "null",
    "[]",
    "{}",
    "\"x\"",
    "true"
  };

  private static final String[] WORDS = {
    "reshape",
    "matmul",
    "conv",
    "pool",
    "fill",
    "slice",
    "split",
    "concat",
    "gather",
    "where",
    "reduce",
    "binary",
    "unary",
    "cast",
    "permute",
    "pad",
    "broadcast_to",
    "float32",
    "float64",
    "int32",
    "int64",
    "bool",
    "add",
    "relu",
    "sum",
    "argmax",
    "max",
    "batch",
    "dim1",
    "inputs",
    "outputs",
    "values",
    "nodes",
    "value",
    "shape",
    "id",
    "java.lang.Runtime",
    "",
    "coefficient",
    "constant",
    "symbols"
  };

  private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");
  private static final Pattern WORD = Pattern.compile("\"[a-z_0-9./]*\"");

  private static String mutateGraph(Kind kind, String g, Random r) {
    StringBuilder sb = new StringBuilder(g);
    switch (kind) {
      case GRAPH_CHARACTERS -> {
        String alphabet = "{}[]\":,0123456789-.e \\x";
        int changes = 1 + r.nextInt(3);
        for (int k = 0; k < changes; k++) {
          sb.setCharAt(r.nextInt(sb.length()), alphabet.charAt(r.nextInt(alphabet.length())));
        }
      }
      case GRAPH_NUMBERS -> replaceOne(sb, NUMBER, NUMBERS[r.nextInt(NUMBERS.length)], r);
      case GRAPH_WORDS -> replaceOne(sb, WORD, "\"" + WORDS[r.nextInt(WORDS.length)] + "\"", r);
      case GRAPH_SPLICE -> {
        int from = r.nextInt(sb.length());
        int len = r.nextInt(Math.min(40, sb.length() - from) + 1);
        String piece = sb.substring(from, from + len);
        if (r.nextBoolean()) {
          sb.insert(r.nextInt(sb.length()), piece);
        } else {
          sb.delete(from, from + len);
        }
      }
      default -> throw new IllegalStateException();
    }
    return sb.toString();
  }

  private static void replaceOne(StringBuilder sb, Pattern p, String replacement, Random r) {
    Matcher m = p.matcher(sb);
    int count = 0;
    while (m.find()) {
      count++;
    }
    int pick = r.nextInt(Math.max(1, count));
    m = p.matcher(sb);
    while (m.find()) {
      if (pick-- == 0) {
        sb.replace(m.start(), m.end(), replacement);
        return;
      }
    }
  }

  // ---- hand-written hostile graphs ---------------------------------------------------------

  private void assertRejected(String g, String problem) {
    Path target = dir.resolve("hostile.savedmodel");
    SafeTensors.write(target, tensors, Map.of(KEY, g));
    assertThatThrownBy(() -> SavedModel.load(target))
        .isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining("hostile.savedmodel")
        .hasMessageContaining(problem);
  }

  @Test
  void hostileGraphs_areRefusedNamingTheProblem() {
    assertRejected("[".repeat(100_000) + "]".repeat(100_000), "nesting deeper than 64");
    assertRejected(graph.replace("\"version\":1", "\"version\":2"), "written by a newer library");
    assertRejected(
        graph.replaceFirst("\"op\":\"conv\"", "\"op\":\"java.lang.Runtime\""),
        "unknown op \"java.lang.Runtime\"");
    // A node made to read its own output: a cycle, refused before anything runs.
    Matcher m =
        Pattern.compile("\"inputs\":\\[(\\d+),(\\d+)\\],\"outputs\":\\[(\\d+)\\]").matcher(graph);
    assertThat(m.find()).isTrue();
    assertRejected(
        graph.substring(0, m.start())
            + "\"inputs\":["
            + m.group(3)
            + ","
            + m.group(2)
            + "],\"outputs\":["
            + m.group(3)
            + "]"
            + graph.substring(m.end()),
        "not defined before it");
    // A reshape whose size no longer matches its input.
    assertRejected(
        graph.replaceFirst(
            "\"op\":\"reshape\",\"attrs\":\\{\"shape\":\\[\\{([^}]*)\\},32\\]",
            "\"op\":\"reshape\",\"attrs\":{\"shape\":[{$1},33]"),
        "changes the size");
    // A value of a billion elements from a constant-size fill.
    String hugeFill =
        graph.replaceFirst(
            "\"shape\":\\[\\{\"coefficient\":1,\"symbols\":\\[\"batch\"\\],\"constant\":0\\},2\\]\\}",
            "\"shape\":[1000000000,2]}");
    assertRejected(hugeFill, "");
    // The LSTM's loop: a scan axis its sequence does not have, and a sequence taken for state.
    assertThat(graph)
        .contains("\"op\":\"scan\",\"attrs\":{\"carried\":2,\"sequences\":1,\"axis\":0");
    assertRejected(
        graph.replace(
            "\"carried\":2,\"sequences\":1,\"axis\":0", "\"carried\":2,\"sequences\":1,\"axis\":3"),
        "has no axis 3");
    assertRejected(
        graph.replace(
            "\"carried\":2,\"sequences\":1,\"axis\":0", "\"carried\":3,\"sequences\":1,\"axis\":0"),
        "where the loop body takes");
  }
}

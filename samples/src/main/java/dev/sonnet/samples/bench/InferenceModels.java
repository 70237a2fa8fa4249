package dev.sonnet.samples.bench;

import dev.sonnet.export.SavedModel;
import dev.sonnet.export.TensorSpec;
import dev.sonnet.export.onnx.Onnx;
import dev.sonnet.module.Sequential;
import dev.sonnet.samples.mnist.Models;
import dev.sonnet.tensor.DType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes {@link InferenceBench}'s files in a JVM of its own, as a training service would: the main
 * job's model ({@code mlp} or {@code convnet}) saved as {@code <model>.savedmodel}, and the saved
 * model's {@code inference} function, loaded back, exported as {@code <model>.onnx}.
 *
 * <p>Why a separate JVM: tracing runs the model at batch sizes 2, 3 and 4, and a serving JVM never
 * does; measured in the JVM that traced, the JIT's profiles of those calls would be part of the
 * served model's time.
 */
public final class InferenceModels {
  private InferenceModels() {}

  /** {@code InferenceModels <model> <dir>}. */
  public static void main(String[] args) {
    String model = args[0];
    Path dir = Path.of(args[1]);
    Sequential net =
        switch (model) {
          case "mlp" -> Models.mlp(1);
          case "convnet" -> Models.convNet(1);
          default -> throw new IllegalArgumentException("unknown model " + model);
        };
    Path saved = savedModel(dir, model);
    SavedModel.builder()
        .function("inference", net::call, TensorSpec.of(DType.FLOAT32, -1, 28, 28, 1))
        .save(saved);
    Onnx.export(SavedModel.load(saved).function("inference"), onnx(dir, model));
  }

  static Path savedModel(Path dir, String model) {
    return dir.resolve(model + ".savedmodel");
  }

  static Path onnx(Path dir, String model) {
    return dir.resolve(model + ".onnx");
  }

  /** Runs {@link #main} in a child JVM with this JVM's class path and flags. */
  static void writeInChildJvm(String model, Path dir) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--add-modules=jdk.incubator.vector");
    command.add("-Dsonnet.backend=cpu");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(InferenceModels.class.getName());
    command.add(model);
    command.add(dir.toString());
    Process p = new ProcessBuilder(command).inheritIO().start();
    int rc = p.waitFor();
    if (rc != 0) {
      throw new IllegalStateException("InferenceModels " + model + " exited with " + rc);
    }
  }
}

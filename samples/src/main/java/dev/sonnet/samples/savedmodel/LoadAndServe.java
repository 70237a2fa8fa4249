package dev.sonnet.samples.savedmodel;

import dev.sonnet.export.GraphFunction;
import dev.sonnet.export.SavedModel;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.nio.file.Path;

/**
 * The Sonnet 2 README's saved-model example, second half: load the file {@link TrainAndSave} wrote
 * and call its {@code inference} function, with nothing but the library and a runtime on the class
 * path. This file uses only the library's API, so it runs as a single source file:
 *
 * <pre>
 * java --add-modules jdk.incubator.vector \
 *     -cp api/target/classes:runtime-cpu/target/classes \
 *     samples/src/main/java/dev/sonnet/samples/savedmodel/LoadAndServe.java /tmp/sine.savedmodel
 * </pre>
 *
 * <p>The model's class ({@code MyMLP}, in the samples) is nowhere on that class path: the loaded
 * object is not a module but a container of functions and variables, as in Sonnet.
 */
public final class LoadAndServe {
  private LoadAndServe() {}

  /** Argument: the saved model (default /tmp/sine.savedmodel). */
  public static void main(String[] args) {
    SavedModel loaded =
        SavedModel.load(Path.of(args.length > 0 ? args[0] : "/tmp/sine.savedmodel"));
    GraphFunction inference = loaded.function("inference");
    System.out.println("loaded " + inference);

    // Runs the saved graph, not the code that built the model; any batch size.
    float[] xs = {-0.5f, 0f, 0.25f, 0.5f};
    float[] ys = inference.call(Tensor.of(xs, xs.length, 1)).toFloatArray();
    for (int i = 0; i < xs.length; i++) {
      System.out.printf(
          "inference(%.2f) = %.4f   (sin(3x) = %.4f)%n", xs[i], ys[i], Math.sin(3 * xs[i]));
    }

    // all_variables: the restored variables, readable and assignable.
    if (loaded.allVariables().isEmpty()) {
      throw new AssertionError("a saved model with no variables");
    }
    for (Variable v : loaded.allVariables()) {
      System.out.println("variable " + v.name() + " " + v.dtype().shortName() + v.shape());
    }
    System.out.println("classes of the model on the class path: " + modelClassPresent());
  }

  /** Whether the class that built the model can be found here (false when run as documented). */
  static boolean modelClassPresent() {
    return LoadAndServe.class.getClassLoader().getResource("dev/sonnet/samples/modules/MyMLP.class")
        != null;
  }
}

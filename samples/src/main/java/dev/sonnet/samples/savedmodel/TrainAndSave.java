package dev.sonnet.samples.savedmodel;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.export.SavedModel;
import dev.sonnet.export.TensorSpec;
import dev.sonnet.optimizers.Adam;
import dev.sonnet.samples.modules.MyMLP;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The Sonnet 2 README's saved-model example, first half: train a model whose class only this
 * program has ({@link MyMLP}, a user module of the samples), then save its {@code inference}
 * function, traced for any batch size, with all its variables. {@link LoadAndServe} (whose class
 * path holds only the library and a runtime) loads and calls it.
 *
 * <pre>
 * java ... dev.sonnet.samples.savedmodel.TrainAndSave /tmp/sine.savedmodel 300
 * </pre>
 */
public final class TrainAndSave {
  private static final int BATCH = 64;

  private TrainAndSave() {}

  /** Trains {@code y = sin(3x)} for {@code steps} Adam steps, saves to {@code file}; the loss. */
  public static double run(Path file, int steps, PrintStream log) {
    MyMLP model = new MyMLP(32, 1);
    Adam optimizer = new Adam(0.01);
    Rng rng = new Rng(7);
    double loss = Double.NaN;
    for (int step = 1; step <= steps; step++) {
      float[] xs = new float[BATCH];
      float[] ys = new float[BATCH];
      for (int i = 0; i < BATCH; i++) {
        xs[i] = (float) (2 * rng.nextDouble() - 1);
        ys[i] = (float) Math.sin(3 * xs[i]);
      }
      Tensor x = Tensor.of(xs, BATCH, 1);
      Tensor y = Tensor.of(ys, BATCH, 1);
      try (GradientTape tape = GradientTape.open()) {
        Tensor l = model.call(x).sub(y).square().mean();
        List<Variable> params = model.trainableVariables();
        optimizer.apply(tape.gradient(l, params), params);
        loss = l.item();
      }
      if (step % 100 == 0) {
        log.printf("step %d loss %.5f%n", step, loss);
      }
    }
    // Sonnet 2: @tf.function(input_signature=[tf.TensorSpec([None, 1])]) def inference(x): ...
    //           to_save.all_variables = list(my_module.variables); tf.saved_model.save(...)
    SavedModel.builder()
        .function("inference", model::call, TensorSpec.of(DType.FLOAT32, -1, 1))
        .variables(model.variables())
        .save(file);
    log.printf("saved %s (final loss %.5f)%n", file, loss);
    return loss;
  }

  /** Arguments: the file (default /tmp/sine.savedmodel) and the number of steps (default 300). */
  public static void main(String[] args) {
    Path file = Path.of(args.length > 0 ? args[0] : "/tmp/sine.savedmodel");
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    run(file, steps, System.out);
  }
}

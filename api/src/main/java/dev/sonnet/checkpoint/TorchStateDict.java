package dev.sonnet.checkpoint;

import dev.sonnet.module.Module;
import dev.sonnet.module.Sequential;
import dev.sonnet.module.StateVisitor;
import dev.sonnet.nn.ConvND;
import dev.sonnet.nn.ConvNDTranspose;
import dev.sonnet.nn.Embed;
import dev.sonnet.nn.LayerNorm;
import dev.sonnet.nn.Linear;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model's weights in PyTorch's {@code state_dict} layout, written as safetensors: the mirror of
 * restoring PyTorch weights with {@link RestoreOptions#renaming} and {@link
 * RestoreOptions#transposing}. {@code safetensors.torch.load_file(path)} gives a dict that {@code
 * model.load_state_dict(...)} of the equivalent PyTorch model accepts.
 *
 * <pre>{@code
 * Sequential model = Sequential.of(new Linear(64), Layers.relu(), new Linear(10));
 * model.call(x);
 * TorchStateDict.save(model, Path.of("model_torch.safetensors"));
 * // PyTorch: nn.Sequential(nn.Linear(in, 64), nn.ReLU(), nn.Linear(64, 10))
 * //          keys 0.weight [64, in], 0.bias [64], 2.weight [10, 64], 2.bias [10]
 * }</pre>
 *
 * <p><b>Names.</b> A module's children are named as PyTorch names them: a {@link Sequential}'s
 * layers by their position (functions such as {@code relu} count, as {@code nn.ReLU()} does in an
 * {@code nn.Sequential}), any other module's children by field, list elements by index ({@code
 * MLP}'s {@code layers.0}), joined with dots.
 *
 * <p><b>Layers</b> and their tensors:
 *
 * <ul>
 *   <li>{@link Linear}: {@code weight} {@code [out, in]} (ours is {@code [in, out]}), {@code bias};
 *   <li>{@link ConvND} ({@code Conv1D/2D/3D}): {@code weight} {@code [out, in / groups, k...]}
 *       (ours is {@code [k..., in / groups, out]}), {@code bias};
 *   <li>{@link ConvNDTranspose}: {@code weight} {@code [in, out, k...]} as {@code ConvTranspose}
 *       (ours is {@code [k..., out, in]}), {@code bias};
 *   <li>{@link LayerNorm}: {@code weight} (our {@code scale}), {@code bias} (our {@code offset});
 *   <li>{@link Embed}: {@code weight} {@code [vocab, dim]}, as ours.
 * </ul>
 *
 * Modules without variables (activations, {@code Flatten}, {@code Reshape}) add nothing. Any other
 * module holding variables of its own is an error naming it, never a guess. Weights only: the input
 * layout is the user's business, and a {@code Flatten} after channels-last convolutions orders
 * features differently from PyTorch's channels-first one.
 */
public final class TorchStateDict {
  private TorchStateDict() {}

  /**
   * The tensors of {@code model} under their PyTorch names, in PyTorch's layout, in the order of
   * {@link Module#variables()}.
   *
   * @throws CheckpointException naming a module that holds variables but has no PyTorch counterpart
   *     here, or a model that is not built
   */
  public static Map<String, Tensor> of(Module model) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    collect(model, "", out);
    if (out.isEmpty()) {
      throw new CheckpointException(
          "TorchStateDict: "
              + model.getClass().getSimpleName()
              + " '"
              + model.path()
              + "' has no variables yet; call the model once so that it builds them.");
    }
    return out;
  }

  /** Writes {@link #of(Module)} to {@code file} as safetensors, atomically. */
  public static void save(Module model, Path file) {
    Map<String, HostArray> tensors = new LinkedHashMap<>();
    of(model).forEach((name, t) -> tensors.put(name, HostArray.of(t)));
    SafeTensors.write(file, tensors, Map.of("format", "pt"));
  }

  private static void collect(Module module, String prefix, Map<String, Tensor> out) {
    Map<String, Variable> own = new LinkedHashMap<>();
    Map<String, Module> children = new LinkedHashMap<>();
    module.visitState(
        new StateVisitor() {
          @Override
          public void variable(String key, Variable value) {
            own.put(key, value);
          }

          @Override
          public void module(String key, Module child) {
            children.put(key, child);
          }
        });
    if (!own.isEmpty()) {
      layer(module, prefix, own, out);
    }
    for (Map.Entry<String, Module> c : children.entrySet()) {
      String key = c.getKey();
      if (module instanceof Sequential && key.startsWith("layers/")) {
        key = key.substring("layers/".length());
      }
      collect(c.getValue(), prefix + key.replace('/', '.') + ".", out);
    }
  }

  private static void layer(
      Module m, String prefix, Map<String, Variable> own, Map<String, Tensor> out) {
    switch (m) {
      case Linear l -> {
        out.put(prefix + "weight", own.get("w").peek().transpose());
        putIfPresent(own, "b", prefix + "bias", out);
      }
      case ConvND c -> {
        out.put(prefix + "weight", channelsFirst(own.get("w").peek()));
        putIfPresent(own, "b", prefix + "bias", out);
      }
      case ConvNDTranspose c -> {
        out.put(prefix + "weight", channelsFirst(own.get("w").peek()));
        putIfPresent(own, "b", prefix + "bias", out);
      }
      case LayerNorm n -> {
        putIfPresent(own, "scale", prefix + "weight", out);
        putIfPresent(own, "offset", prefix + "bias", out);
      }
      case Embed e -> out.put(prefix + "weight", own.get("embeddings").peek());
      default ->
          throw new CheckpointException(
              "TorchStateDict: "
                  + m.getClass().getSimpleName()
                  + " '"
                  + m.path()
                  + "' holds variables "
                  + own.keySet()
                  + " but has no PyTorch layout here; supported: Linear, Conv1D/2D/3D,"
                  + " Conv1D/2D/3DTranspose, LayerNorm, Embed (and containers of them).");
    }
  }

  /** {@code [k..., a, b]} to {@code [b, a, k...]}: our filters to PyTorch's. */
  private static Tensor channelsFirst(Tensor w) {
    int n = w.rank() - 2;
    int[] axes = new int[w.rank()];
    axes[0] = n + 1;
    axes[1] = n;
    for (int i = 0; i < n; i++) {
      axes[i + 2] = i;
    }
    return w.permute(axes);
  }

  private static void putIfPresent(
      Map<String, Variable> own, String key, String name, Map<String, Tensor> out) {
    Variable v = own.get(key);
    if (v != null) {
      out.put(name, v.peek());
    }
  }
}

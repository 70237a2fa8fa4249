package dev.sonnet.checkpoint;

import dev.sonnet.metrics.Mean;
import dev.sonnet.module.Module;
import dev.sonnet.nets.MLP;
import dev.sonnet.recurrent.TrainableState;
import dev.sonnet.recurrent.VanillaRNN;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Restores modules trained with Sonnet 2 in Python from their TensorFlow checkpoints.
 *
 * <pre>{@code
 * // Python: tf.train.Checkpoint(module=mlp).save("ckpt/checkpoint")  ->  ckpt/checkpoint-1.*
 * MLP mlp = new MLP(new int[] {3, 4, 5});
 * SonnetCheckpoints.restore(mlp, Path.of("ckpt/checkpoint-1"));   // queued until the first call
 * mlp.call(x);                                                      // built with Sonnet's values
 * }</pre>
 *
 * <p><b>Names.</b> A TensorFlow 2 checkpoint names each variable by the path of Python attribute
 * names from the {@code tf.train.Checkpoint} to it: {@code module/_layers/0/w} for the first
 * layer's weights of {@code tf.train.Checkpoint(module=mlp)}. {@link #naming} turns such a path
 * into this library's variable name ({@code mlp/linear_0/w}): the first segment names the object
 * the module was saved as ({@code module}), and under it each module the two libraries share has
 * its mapping ({@link #variablePath}); values and shapes are the same in both (Sonnet's {@code w}
 * is {@code [in, out]}, convolution filters are {@code [spatial..., in, out]}, as here). A module
 * of your own maps by the rule for modules without a mapping of their own: each attribute name
 * loses its leading underscores ({@code _encoder} becomes {@code encoder}), which matches when its
 * submodules and variables are named as its Python attributes were; otherwise compose a renaming
 * with {@link Checkpoint#restoreTensorFlow}.
 *
 * <p>Everything else is {@link Checkpoint#restoreTensorFlow}'s: a strict restore checks every name,
 * dtype and shape before changing anything, and values for variables not created yet wait for the
 * first call. The checkpoint's files are checked as hostile input ({@link TensorBundle}).
 */
public final class SonnetCheckpoints {
  private SonnetCheckpoints() {}

  /**
   * Restores {@code model} strictly from the Sonnet checkpoint at {@code prefix}, which must hold
   * exactly one saved object besides {@code save_counter} (as {@code tf.train.Checkpoint(module=m)}
   * writes); see {@link #restore(Module, Path, String, RestoreOptions)} otherwise.
   */
  public static RestoreStatus restore(Module model, Path prefix) {
    return restore(model, prefix, soleObject(prefix), RestoreOptions.strict());
  }

  /**
   * Restores {@code model} from the object saved as {@code object} ({@code "module"} for {@code
   * tf.train.Checkpoint(module=m)}; {@code "model"} for {@code tf.train.Checkpoint(model=m,
   * optimizer=opt)}) in the checkpoint at {@code prefix}. Tensors of other objects are skipped. The
   * renaming of {@code options} is replaced by {@link #naming(Module, String)}.
   */
  public static RestoreStatus restore(
      Module model, Path prefix, String object, RestoreOptions options) {
    return Checkpoint.of(model).restoreTensorFlow(prefix, options.renaming(naming(model, object)));
  }

  /**
   * The renaming from a checkpoint's object paths ({@code module/_layers/0/w}) to {@code model}'s
   * variable names ({@code mlp/linear_0/w}); paths outside {@code object} map to null (skipped).
   */
  public static Function<String, String> naming(Module model, String object) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(object, "object");
    String root = model.path();
    Class<? extends Module> type = model.getClass();
    return path -> {
      if (!path.startsWith(object + "/")) {
        return null;
      }
      return root + "/" + variablePath(type, path.substring(object.length() + 1));
    };
  }

  /**
   * The variable path, relative to a module of class {@code type}, of the Sonnet attribute path
   * {@code sonnetPath}, relative to the same module in Sonnet. The mappings of the modules whose
   * attribute names differ from this library's variable paths:
   *
   * <ul>
   *   <li>{@link MLP}: {@code _layers/i/...} is layer {@code linear_i/...};
   *   <li>{@link VanillaRNN}: {@code _input_to_hidden/w}, {@code _hidden_to_hidden/w} and {@code
   *       _b} are {@code w_i}, {@code w_h} and {@code b};
   *   <li>{@link dev.sonnet.metrics.Mean}: {@code sum} is the {@code Sum} it holds, {@code
   *       sum/sum};
   *   <li>{@link TrainableState} of one tensor: {@code _template} is {@code state}.
   * </ul>
   *
   * Every other path loses the leading underscores of each segment ({@code _w_i} is {@code w_i},
   * {@code moving_mean/_counter} is {@code moving_mean/counter}): this covers {@code Linear}, the
   * convolutions, {@code Bias}, {@code Embed}, the norms, {@code BatchNorm} and its moving
   * averages, {@code ExponentialMovingAverage}, {@code Sum}, {@code LSTM}, {@code UnrolledLSTM},
   * {@code GRU}, the convolutional LSTMs and the vector quantizers.
   */
  public static String variablePath(Class<? extends Module> type, String sonnetPath) {
    if (type == MLP.class && sonnetPath.startsWith("_layers/")) {
      String rest = sonnetPath.substring("_layers/".length());
      int slash = rest.indexOf('/');
      if (slash > 0 && isIndex(rest.substring(0, slash))) {
        return "linear_"
            + rest.substring(0, slash)
            + "/"
            + stripUnderscores(rest.substring(slash + 1));
      }
    } else if (type == VanillaRNN.class) {
      switch (sonnetPath) {
        case "_input_to_hidden/w":
          return "w_i";
        case "_hidden_to_hidden/w":
          return "w_h";
        default:
          break;
      }
    } else if (type == Mean.class && sonnetPath.equals("sum")) {
      return "sum/sum";
    } else if (type == TrainableState.class && sonnetPath.equals("_template")) {
      return "state";
    }
    return stripUnderscores(sonnetPath);
  }

  private static boolean isIndex(String s) {
    if (s.isEmpty() || s.length() > 9) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /** {@code _a/__b/c} becomes {@code a/b/c}. */
  static String stripUnderscores(String path) {
    StringBuilder sb = new StringBuilder(path.length());
    boolean segmentStart = true;
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (segmentStart && c == '_' && i + 1 < path.length() && path.charAt(i + 1) != '/') {
        continue;
      }
      sb.append(c);
      segmentStart = c == '/';
    }
    return sb.toString();
  }

  /** The one object other than {@code save_counter} the checkpoint at {@code prefix} saved. */
  static String soleObject(Path prefix) {
    try (TensorBundle bundle = TensorBundle.open(prefix)) {
      TrackableObjectGraph graph = bundle.objectGraph();
      if (graph == null) {
        throw new CheckpointException(
            prefix
                + ": the checkpoint has no object graph (it is a TensorFlow 1 checkpoint, keyed by"
                + " variable names); restore it with Checkpoint.restoreTensorFlow and a renaming");
      }
      Set<String> objects = new TreeSet<>();
      for (TrackableObjectGraph.Attribute a : graph.attributePaths().values()) {
        String p = a.objectPath();
        int slash = p.indexOf('/');
        String first = slash < 0 ? p : p.substring(0, slash);
        if (!first.equals(Checkpoint.SAVE_COUNTER) && !first.isEmpty()) {
          objects.add(first);
        }
      }
      if (objects.size() != 1) {
        throw new CheckpointException(
            prefix
                + ": the checkpoint saved "
                + objects.size()
                + " objects "
                + objects
                + "; name the one to restore: SonnetCheckpoints.restore(model, prefix, \"name\","
                + " RestoreOptions.strict())");
      }
      return objects.iterator().next();
    }
  }
}

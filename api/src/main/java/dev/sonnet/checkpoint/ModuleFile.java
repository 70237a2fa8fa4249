package dev.sonnet.checkpoint;

import dev.sonnet.checkpoint.JsonReader.JsonException;
import dev.sonnet.module.Module;
import dev.sonnet.module.ModuleConfig;
import dev.sonnet.module.ModuleConfigException;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole module in one file: its configuration and its variables, so {@link #load} rebuilds the
 * same module (same class, same settings, same values) with no code that knows what it is.
 *
 * <pre>{@code
 * ModuleFile.save(mlp, Path.of("mlp.safetensors"));
 * Sequential again = ModuleFile.load(Path.of("mlp.safetensors"), Sequential.class);
 * again.call(x);          // built from x, its variables created with the saved values
 * }</pre>
 *
 * <p><b>Format.</b> A normal checkpoint ({@link Checkpoint}: safetensors, each variable under its
 * path, so PyTorch and NumPy read the weights and {@code Checkpoint.restore} restores them into a
 * module made in code), whose header metadata also holds, under {@link #METADATA_KEY}, a JSON
 * document: {@code {"format_version": 1, "path": "mlp", "module": {"module": "dev.sonnet.nets.MLP",
 * "settings": {...}}}} ({@link ModuleConfig}). A tensor setting is stored as a tensor named {@code
 * sonnet.settings/<n>} and referred to as {@code {"tensor": "sonnet.settings/<n>"}}; no variable
 * can have that name (module names have no dots).
 *
 * <p><b>Building.</b> Modules build from their first input, which the file does not hold, so the
 * loaded module is returned unbuilt with the file's values waiting for its variables
 * (restore-on-create, see {@link Checkpoint#restore}): its first call builds it from the real input
 * and each variable is created with its saved value. Everything that can be checked without an
 * input is checked by {@code load}; a variable whose saved shape does not fit the first input fails
 * that first call with a {@link CheckpointMismatchException} naming the file, and leaves no
 * variable with a value from it. The alternative, storing each module's build input spec, would
 * need every module to record its build inputs; restore-on-create uses what exists.
 *
 * <p><b>Hostile files.</b> Loading trusts nothing: the header is read with the checkpoint reader's
 * bounds, the configuration with {@link ConfigJson}'s (depth, count, size), every class must be a
 * registered module class (compared by name, never loaded by name), and every setting is checked by
 * the module's own constructor. Every error is a {@link CheckpointException} whose message starts
 * with the file; no module is returned half-configured.
 */
public final class ModuleFile {
  /** The metadata key of the configuration document. */
  public static final String METADATA_KEY = "sonnet.module";

  /** The version of the configuration document; files of another version are refused. */
  public static final long FORMAT_VERSION = 1;

  static final String SETTINGS_TENSORS = "sonnet.settings/";

  private ModuleFile() {}

  /**
   * Writes {@code module}'s configuration and variables to {@code file}, atomically.
   *
   * @throws ModuleConfigException if the module (or one nested in its settings) has no
   *     {@code @Settings} constructor, or a setting holds a value that cannot be written (a lambda,
   *     an initializer of the user's own); the message names the file and the setting
   */
  public static void save(Module module, Path file) {
    ModuleConfig config;
    try {
      config = ModuleConfig.of(module);
    } catch (ModuleConfigException e) {
      throw new ModuleConfigException(
          file + ": cannot save " + module.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
    List<Tensor> tensors = new ArrayList<>();
    Object tree = storeTensors(config.toTree(), tensors);
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("format_version", FORMAT_VERSION);
    document.put("path", module.path());
    document.put("module", tree);
    Checkpoint checkpoint = Checkpoint.of(module);
    for (int i = 0; i < tensors.size(); i++) {
      checkpoint.add(new Variable(SETTINGS_TENSORS + i, tensors.get(i), false));
    }
    checkpoint.save(file, Map.of(METADATA_KEY, Json.write(document)));
  }

  /**
   * Reads the module {@code file} holds: a new, unbuilt module of the saved class and settings
   * whose variables take the saved values when its first call creates them.
   *
   * @throws CheckpointException naming the file if it is not a module file, is malformed, names a
   *     class that is not a registered module class, or holds settings the class refuses
   */
  public static Module load(Path file) {
    Module module;
    String savedPath;
    try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
      String text = f.metadata().get(METADATA_KEY);
      if (text == null) {
        throw new CheckpointFormatException(
            file,
            "it holds no module configuration (no \""
                + METADATA_KEY
                + "\" metadata): it is a plain checkpoint. Create the module in code"
                + " and restore into it: Checkpoint.of(module).restore(file)");
      }
      Map<String, Object> document = document(file, text);
      savedPath = (String) document.get("path");
      try {
        @SuppressWarnings("unchecked")
        Map<String, Object> tree = (Map<String, Object>) loadTensors(document.get("module"), f);
        module = ModuleConfig.fromTree(tree, "module").create();
      } catch (ModuleConfigException e) {
        throw new CheckpointFormatException(
            file, "its module configuration cannot be used: " + e.getMessage(), e);
      }
    }
    String loadedPath = module.path();
    Checkpoint.of(module)
        .restore(
            file,
            RestoreOptions.strict()
                .renaming(
                    name ->
                        name.startsWith(SETTINGS_TENSORS)
                            ? null
                            : ModuleCopies.rebase(name, savedPath, loadedPath)));
    return module;
  }

  /**
   * Like {@link #load(Path)}, checking that the module is a {@code type}.
   *
   * @throws CheckpointFormatException naming the file if it holds another class
   */
  public static <M extends Module> M load(Path file, Class<M> type) {
    Module module = load(file);
    if (!type.isInstance(module)) {
      throw new CheckpointFormatException(
          file, "it holds a " + module.getClass().getName() + ", not a " + type.getName());
    }
    return type.cast(module);
  }

  private static Map<String, Object> document(Path file, String text) {
    Object parsed;
    try {
      parsed = ConfigJson.parse(text);
    } catch (JsonException e) {
      throw new CheckpointFormatException(
          file,
          "its \""
              + METADATA_KEY
              + "\" metadata is not a"
              + " valid configuration: "
              + e.getMessage(),
          e);
    }
    if (!(parsed instanceof Map<?, ?> map)
        || !(map.get("format_version") instanceof Long v)
        || !(map.get("path") instanceof String)
        || !(map.get("module") instanceof Map<?, ?>)
        || map.size() != 3) {
      throw new CheckpointFormatException(
          file,
          "its \""
              + METADATA_KEY
              + "\" metadata must be"
              + " an object with format_version, path and module, and nothing else");
    }
    if (v != FORMAT_VERSION) {
      throw new CheckpointFormatException(
          file,
          "its module configuration has format version "
              + v
              + "; this library reads version "
              + FORMAT_VERSION);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> document = (Map<String, Object>) map;
    return document;
  }

  /** {@code tree} with each {@code {"tensor": Tensor}} replaced by a name; the tensors in order. */
  private static Object storeTensors(Object tree, List<Tensor> tensors) {
    if (tree instanceof Map<?, ?> map) {
      if (map.size() == 1 && map.get("tensor") instanceof Tensor t) {
        tensors.add(t);
        return Map.of("tensor", SETTINGS_TENSORS + (tensors.size() - 1));
      }
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put((String) k, storeTensors(v, tensors)));
      return out;
    }
    if (tree instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      list.forEach(v -> out.add(storeTensors(v, tensors)));
      return out;
    }
    return tree;
  }

  /** The reverse of {@link #storeTensors}: each named tensor read from the file. */
  private static Object loadTensors(Object tree, SafeTensorsFile f) {
    if (tree instanceof Map<?, ?> map) {
      if (map.size() == 1 && map.get("tensor") instanceof String name) {
        SafeTensorsFile.Entry e = name.startsWith(SETTINGS_TENSORS) ? f.entry(name) : null;
        if (e == null || e.dtype() == null) {
          throw new ModuleConfigException(
              "a tensor setting refers to \""
                  + Json.abbreviate(name)
                  + "\", which is not a "
                  + SETTINGS_TENSORS
                  + "* tensor of the file");
        }
        return Map.of("tensor", f.read(e).toTensor());
      }
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put((String) k, loadTensors(v, f)));
      return out;
    }
    if (tree instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      list.forEach(v -> out.add(loadTensors(v, f)));
      return out;
    }
    return tree;
  }
}

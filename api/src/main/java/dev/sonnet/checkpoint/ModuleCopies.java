package dev.sonnet.checkpoint;

import dev.sonnet.module.Module;
import dev.sonnet.module.ModuleConfig;
import dev.sonnet.module.VariableInterceptor;
import dev.sonnet.module.VariableSpec;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Deep copies of modules: the same configuration ({@link ModuleConfig}, made by generated code),
 * and fresh variables holding copies of the original's values. No file is involved.
 *
 * <pre>{@code
 * Linear copy = ModuleCopies.deepCopy(linear);
 * copy.call(x);                       // builds; w and b start as copies of linear's
 * }</pre>
 *
 * <p>Like a loaded module ({@link ModuleFile}), the copy is unbuilt: its first call builds it, and
 * each variable it creates takes a copy of the original's value at the time of {@code deepCopy}
 * (later training of either does not reach the other). A first input of another shape than the
 * original's makes variables of other shapes, which is an error naming the variable.
 */
public final class ModuleCopies {
  private ModuleCopies() {}

  /**
   * A new module of {@code module}'s class and settings whose variables start as copies of its.
   *
   * @throws dev.sonnet.module.ModuleConfigException if the module cannot be described (no
   *     {@code @Settings} constructor, a lambda in a setting); the message names it
   */
  @SuppressWarnings("unchecked")
  public static <M extends Module> M deepCopy(M module) {
    Module copy = ModuleConfig.of(module).create();
    Map<String, Tensor> values = new LinkedHashMap<>();
    String from = module.path();
    String to = copy.path();
    for (Variable v : module.variables()) {
      values.put(rebase(v.name(), from, to), HostArray.of(v.peek()).toTensor());
    }
    if (!values.isEmpty()) {
      VariableInterceptor copies = (VariableSpec spec) -> values.remove(spec.path());
      copy.interceptVariables(copies);
      for (Module m : copy.submodules()) {
        m.interceptVariables(copies);
      }
    }
    return (M) copy;
  }

  /** {@code name} under {@code to} instead of {@code from} when it is under {@code from}. */
  static String rebase(String name, String from, String to) {
    return from.equals(to) || !name.startsWith(from + "/")
        ? name
        : to + name.substring(from.length());
  }
}

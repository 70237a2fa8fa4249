package dev.sonnet.backend;

import dev.sonnet.FatJars;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the library's runtimes whose classes are on the class path but whose provider was not
 * registered: the sign of a fat jar that kept the other runtime's {@code META-INF/services} file
 * only. Checks class files as resources, never loading a class by name.
 */
final class LostProviders {
  /** A runtime of this library: its backend name, provider class and Maven artifact. */
  private record Runtime(String backend, String providerClass, String artifact) {}

  private static final List<Runtime> BUNDLED =
      List.of(
          new Runtime("cpu", "dev.sonnet.runtime.cpu.CpuBackendProvider", "sonnet-runtime-cpu"),
          new Runtime(
              "opencl",
              "dev.sonnet.runtime.opencl.OpenClBackendProvider",
              "sonnet-runtime-opencl"));

  private LostProviders() {}

  /**
   * A sentence naming each runtime present but unregistered among {@code found}, and the fix; null
   * if none is.
   */
  static String describe(List<BackendProvider> found, ClassLoader loader) {
    if (loader == null) {
      return null;
    }
    List<String> lost = new ArrayList<>();
    for (Runtime r : BUNDLED) {
      boolean registered =
          found.stream().anyMatch(p -> p.getClass().getName().equals(r.providerClass()));
      String classFile = r.providerClass().replace('.', '/') + ".class";
      if (!registered && loader.getResource(classFile) != null) {
        lost.add("'" + r.backend() + "' (" + r.artifact() + ")");
      }
    }
    if (lost.isEmpty()) {
      return null;
    }
    return "The Sonnet backend "
        + String.join(" and ", lost)
        + " is on the class path but not registered: "
        + FatJars.fix(BackendProvider.class.getName());
  }
}

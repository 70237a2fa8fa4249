package dev.sonnet.samples.jpms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.backend.BackendProvider;
import dev.sonnet.module.ModuleMeta;
import dev.sonnet.runtime.cpu.CpuBackendProvider;
import dev.sonnet.runtime.opencl.OpenClBackendProvider;
import dev.sonnet.tensor.Tensor;
import java.io.InputStream;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.lang.module.ResolvedModule;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jocl.CL;
import org.junit.jupiter.api.Test;

/**
 * The artifacts are real modules: their descriptors resolve together on a module path (every {@code
 * requires} met), export the packages users program against, and provide their services, with the
 * API's list of generated metas equal to the index the processor writes next to LibraryMetas (a
 * module added to the library but not to {@code module-info.java} fails here). The tests themselves
 * run on the class path, as most programs do.
 */
class ModuleDescriptorsTest {

  @Test
  void apiAndRuntimes_resolveTogetherOnAModulePath() throws Exception {
    ModuleFinder finder =
        ModuleFinder.of(
            location(Tensor.class),
            location(CpuBackendProvider.class),
            location(OpenClBackendProvider.class),
            location(CL.class));
    Configuration resolved =
        Configuration.resolveAndBind(
            finder,
            List.of(ModuleLayer.boot().configuration()),
            ModuleFinder.of(),
            Set.of("dev.sonnet.runtime.cpu", "dev.sonnet.runtime.opencl"));
    assertThat(resolved.modules().stream().map(ResolvedModule::name))
        .contains("dev.sonnet.api", "dev.sonnet.runtime.cpu", "dev.sonnet.runtime.opencl");
  }

  @Test
  void api_exportsItsPackages_andProvidesEveryGeneratedMeta() throws Exception {
    ModuleDescriptor api = descriptor(Tensor.class);
    assertThat(api.name()).isEqualTo("dev.sonnet.api");
    assertThat(api.exports().stream().map(ModuleDescriptor.Exports::source))
        .contains(
            "dev.sonnet.tensor",
            "dev.sonnet.ops",
            "dev.sonnet.autodiff",
            "dev.sonnet.module",
            "dev.sonnet.nn",
            "dev.sonnet.nets",
            "dev.sonnet.checkpoint",
            "dev.sonnet.backend");
    assertThat(api.exports()).allMatch(e -> !e.isQualified());
    assertThat(api.uses()).contains(BackendProvider.class.getName(), ModuleMeta.class.getName());
    Set<String> provided =
        api.provides().stream()
            .filter(p -> p.service().equals(ModuleMeta.class.getName()))
            .flatMap(p -> p.providers().stream())
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(provided)
        .as("provides ModuleMeta in api's module-info.java: the generated LibraryMetas lists")
        .isEqualTo(listing(Tensor.class, "META-INF/sonnet/metas/dev.sonnet.module.LibraryMetas"));
  }

  /**
   * The API registers its metas in code, not in a service file, so that a fat jar that keeps one
   * service file of each name keeps the application's (see FatJarTest).
   */
  @Test
  void api_hasNoModuleMetaServiceFile() throws Exception {
    ModuleReference module = ModuleFinder.of(location(Tensor.class)).findAll().iterator().next();
    try (ModuleReader reader = module.open()) {
      assertThat(reader.find("META-INF/services/" + ModuleMeta.class.getName())).isEmpty();
    }
  }

  @Test
  void runtimes_provideTheirBackends() throws Exception {
    assertThat(providers(descriptor(CpuBackendProvider.class)))
        .containsExactly(CpuBackendProvider.class.getName());
    assertThat(providers(descriptor(OpenClBackendProvider.class)))
        .containsExactly(OpenClBackendProvider.class.getName());
  }

  private static List<String> providers(ModuleDescriptor d) {
    return d.provides().stream()
        .filter(p -> p.service().equals(BackendProvider.class.getName()))
        .flatMap(p -> p.providers().stream())
        .toList();
  }

  private static ModuleDescriptor descriptor(Class<?> inModule) throws Exception {
    return ModuleFinder.of(location(inModule)).findAll().iterator().next().descriptor();
  }

  /** The class names listed, one a line, in {@code resource} inside {@code inArtifact}'s jar. */
  private static Set<String> listing(Class<?> inArtifact, String resource) throws Exception {
    ModuleReference module = ModuleFinder.of(location(inArtifact)).findAll().iterator().next();
    try (ModuleReader reader = module.open();
        InputStream in =
            reader.open(resource).orElseThrow(() -> new AssertionError("no " + resource))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .map(String::strip)
          .filter(l -> !l.isEmpty() && !l.startsWith("#"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /** The jar or class folder {@code c} was loaded from. */
  private static Path location(Class<?> c) throws URISyntaxException {
    return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}

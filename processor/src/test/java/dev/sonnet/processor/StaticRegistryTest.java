package dev.sonnet.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static dev.sonnet.processor.ProcessorTesting.source;

import com.google.testing.compile.Compilation;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaFileObject;
import javax.tools.StandardLocation;
import org.junit.jupiter.api.Test;

/**
 * With {@code -Asonnet.staticRegistry=<class>} the metas are listed in code and in an index, and no
 * service file is written (what the api module does, so fat jars keep the application's file).
 */
class StaticRegistryTest {
  private static Compilation compileWithRegistry(JavaFileObject... sources) {
    List<JavaFileObject> all = new ArrayList<>(ApiStandIns.all());
    all.addAll(List.of(sources));
    return javac()
        .withProcessors(new ModuleProcessor())
        .withOptions("-A" + ModuleProcessor.STATIC_REGISTRY_OPTION + "=test.Registry")
        .compile(all);
  }

  @Test
  void theRegistryListsEveryMetaInCode_andNoServiceFileIsWritten() {
    Compilation c =
        compileWithRegistry(
            source("B", "class B extends Module {}"),
            source("A", "public class A extends Module {}"));

    assertThat(c).succeeded();
    assertThat(c)
        .generatedSourceFile("test.Registry")
        .contentsAsUtf8String()
        .containsMatch("return List\\.of\\(\\s*new A_Meta\\(\\),\\s*new B_Meta\\(\\)\\);");
    assertThat(c)
        .generatedFile(StandardLocation.CLASS_OUTPUT, "META-INF/sonnet/metas/test.Registry")
        .contentsAsUtf8String()
        .isEqualTo("test.A_Meta\ntest.B_Meta\n");
    org.assertj.core.api.Assertions.assertThat(
            c.generatedFiles().stream()
                .map(JavaFileObject::getName)
                .filter(n -> n.contains("META-INF/services"))
                .toList())
        .isEmpty();
  }

  @Test
  void withoutTheOption_theServiceFileIsWritten_andNoRegistry() {
    Compilation c = ProcessorTesting.compile(source("A", "public class A extends Module {}"));

    assertThat(c).succeeded();
    assertThat(c)
        .generatedFile(
            StandardLocation.CLASS_OUTPUT, "META-INF/services/dev.sonnet.module.ModuleMeta")
        .contentsAsUtf8String()
        .isEqualTo("test.A_Meta\n");
    org.assertj.core.api.Assertions.assertThat(
            c.generatedSourceFiles().stream()
                .map(JavaFileObject::getName)
                .filter(n -> n.contains("Registry"))
                .toList())
        .isEmpty();
  }
}

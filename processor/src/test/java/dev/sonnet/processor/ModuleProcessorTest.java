package dev.sonnet.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.sonnet.processor.ProcessorTesting.compile;
import static dev.sonnet.processor.ProcessorTesting.source;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.io.IOException;
import javax.tools.JavaFileObject;
import javax.tools.StandardLocation;
import org.junit.jupiter.api.Test;

/** What the processor generates, and for which classes. */
class ModuleProcessorTest {
  private static final String SERVICES = "META-INF/services/dev.sonnet.module.ModuleMeta";

  @Test
  void everyModuleClass_getsAMeta_evenWithoutAnnotations() {
    Compilation c =
        compile(
            source(
                "Plain",
                """
        public class Plain extends Module {
          final Module child = null;
        }
        """));

    assertThat(c).succeededWithoutWarnings();
    assertThat(c)
        .generatedSourceFile("test.Plain_Meta")
        .contentsAsUtf8String()
        .contains("visitor.child(\"child\", null, module.child);");
  }

  @Test
  void nestedModuleClass_getsAMetaNamedAfterItsOuterClasses() {
    Compilation c =
        compile(
            source(
                "Outer",
                """
        public class Outer {
          static class Inner extends Module {}
        }
        """));

    assertThat(c).succeededWithoutWarnings();
    assertThat(c)
        .generatedSourceFile("test.Outer_Inner_Meta")
        .contentsAsUtf8String()
        .contains("implements ModuleMeta<Outer.Inner>");
  }

  @Test
  void serviceFile_listsEveryMeta_sorted() throws IOException {
    Compilation c =
        compile(source("B", "class B extends Module {}"), source("A", "class A extends Module {}"));

    assertThat(c).succeeded();
    assertThat(c)
        .generatedFile(StandardLocation.CLASS_OUTPUT, SERVICES)
        .contentsAsUtf8String()
        .isEqualTo("test.A_Meta\ntest.B_Meta\n");
  }

  @Test
  void classesThatAreNotModules_getNothing() {
    Compilation c = compile(source("NotAModule", "class NotAModule {}"));

    assertThat(c).succeededWithoutWarnings();
    org.assertj.core.api.Assertions.assertThat(c.generatedSourceFiles()).isEmpty();
  }

  @Test
  void subclassOfAModule_describesOnlyItsOwnFields() {
    Compilation c =
        compile(
            source(
                "Base",
                """
        class Base extends Module {
          @Param Variable w;
        }
        """),
            source(
                "Derived",
                """
        class Derived extends Base {
          @Param Variable b;
        }
        """));

    assertThat(c).succeededWithoutWarnings();
    assertThat(c)
        .generatedSourceFile("test.Derived_Meta")
        .contentsAsUtf8String()
        .doesNotContain("\"w\"");
  }

  @Test
  void abstractModule_hasNoRepr() {
    Compilation c =
        compile(
            source(
                "Core",
                """
        abstract class Core extends Module {
          final int size;
          Core(int size) { this.size = size; }
        }
        """));

    assertThat(c).succeededWithoutWarnings();
    assertThat(c)
        .generatedSourceFile("test.Core_Meta")
        .contentsAsUtf8String()
        .contains("return null;");
  }

  @Test
  void genericModule_compilesWithoutWarnings() {
    Compilation c =
        compile(
            source(
                "Wrapper",
                """
        class Wrapper<T extends Module> extends Module {
          final T inner;
          Wrapper(T inner) { this.inner = inner; }
          @Build void init(Tensor x) {}
        }
        """));

    assertThat(c).succeededWithoutWarnings();
  }

  @Test
  void theModulePackagesOwnClasses_describeThemselves() {
    JavaFileObject handWritten =
        JavaFileObjects.forSourceString(
            "dev.sonnet.module.Seq",
            """
        package dev.sonnet.module;
        public final class Seq extends Module {
          private final java.util.List<Layer> layers = java.util.List.of();
        }
        """);

    Compilation c = compile(handWritten);

    assertThat(c).succeededWithoutWarnings();
    org.assertj.core.api.Assertions.assertThat(c.generatedSourceFiles()).isEmpty();
  }

  @Test
  void output_isIdenticalAcrossCompilations() throws IOException {
    String body =
        """
        public final class Same extends Module {
          final int size;
          @Param Variable w;
          Same(int size) { this.size = size; }
          @Build void init(Tensor x) {}
        }
        """;

    String first = generated(compile(source("Same", body)), "test/Same_Meta.java");
    String second = generated(compile(source("Same", body)), "test/Same_Meta.java");

    org.assertj.core.api.Assertions.assertThat(second).isEqualTo(first);
  }

  private static String generated(Compilation c, String path) throws IOException {
    return c.generatedFile(StandardLocation.SOURCE_OUTPUT, path)
        .orElseThrow()
        .getCharContent(true)
        .toString();
  }
}

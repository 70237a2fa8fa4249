package dev.sonnet.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.sonnet.processor.ProcessorTesting.compile;
import static dev.sonnet.processor.ProcessorTesting.source;

import com.google.testing.compile.Compilation;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** One test per diagnostic: the tag, the rule and the fix, on the offending line. */
class ModuleProcessorDiagnosticsTest {
  private static void assertError(String tag, String messagePart, String line, String body) {
    JavaFileObject src = source("M", body);
    Compilation c = compile(src);
    assertThat(c).failed();
    assertThat(c).hadErrorContaining("[" + tag + "] ").inFile(src).onLineContaining(line);
    assertThat(c).hadErrorContaining(messagePart).inFile(src).onLineContaining(line);
  }

  @Test
  void paramOnANonVariableField_isAnError() {
    assertError(
        "SntParamType",
        "declare it as 'Variable w'",
        "String w;",
        """
        class M extends Module {
          @Param
          String w;
        }
        """);
  }

  @Test
  void paramOnAStaticField_isAnError() {
    assertError(
        "SntParamStatic",
        "remove 'static'",
        "static Variable w;",
        """
        class M extends Module {
          @Param static Variable w;
        }
        """);
  }

  @Test
  void paramOnAFinalField_isAnError() {
    assertError(
        "SntParamFinal",
        "remove 'final'",
        "final Variable w",
        """
        class M extends Module {
          @Param final Variable w = null;
        }
        """);
  }

  @Test
  void paramOnAPrivateField_isAnError() {
    assertError(
        "SntParamPrivate",
        "cannot read it. Fix: remove 'private'",
        "private Variable w;",
        """
        class M extends Module {
          @Param private Variable w;
        }
        """);
  }

  @Test
  void paramOutsideAModule_isAnError() {
    assertError(
        "SntNotModule",
        "does not extend Module",
        "@Param Variable w;",
        """
        class M {
          @Param Variable w;
        }
        """);
  }

  @Test
  void buildOutsideAModule_isAnError() {
    assertError(
        "SntNotModule",
        "@Build is only meaningful in a module",
        "@Build void init",
        """
        class M {
          @Build void init(Tensor x) {}
        }
        """);
  }

  @Test
  void staticBuild_isAnError() {
    assertError(
        "SntBuildStatic",
        "remove 'static'",
        "static void init",
        """
        class M extends Module {
          @Build static void init(Tensor x) {}
        }
        """);
  }

  @Test
  void privateBuild_isAnError() {
    assertError(
        "SntBuildPrivate",
        "cannot call it",
        "private void init",
        """
        class M extends Module {
          @Build private void init(Tensor x) {}
        }
        """);
  }

  @Test
  void buildReturningAValue_isAnError() {
    assertError(
        "SntBuildReturn",
        "make it return void",
        "int init",
        """
        class M extends Module {
          @Build int init(Tensor x) { return 0; }
        }
        """);
  }

  @Test
  void buildWithoutInputs_isAnError() {
    assertError(
        "SntBuildNoInputs",
        "'@Build void init(Tensor x)'",
        "void init()",
        """
        class M extends Module {
          @Build void init() {}
        }
        """);
  }

  @Test
  void buildThrowingACheckedException_isAnError() {
    assertError(
        "SntBuildThrows",
        "java.io.IOException",
        "void init(Tensor x) throws",
        """
        class M extends Module {
          @Build void init(Tensor x) throws java.io.IOException {}
        }
        """);
  }

  @Test
  void genericBuild_isAnError() {
    assertError(
        "SntBuildGeneric",
        "use concrete parameter types",
        "<T> void init",
        """
        class M extends Module {
          @Build <T> void init(T x) {}
        }
        """);
  }

  @Test
  void twoBuildsAssigningOneParam_isAnError() {
    assertError(
        "SntBuildOverlap",
        "which @Build method encode also assigns",
        "void decode(Tensor z)",
        """
        class M extends Module {
          @Param Variable w;
          @Build void encode(Tensor x) { w = null; }
          @Build void decode(Tensor z) { this.w = null; }
        }
        """);
  }

  @Test
  void privateModuleClass_isAnError() {
    assertError(
        "SntModulePrivate",
        "make Hidden package-private or public",
        "private static class Hidden",
        """
        class M {
          private static class Hidden extends Module {}
        }
        """);
  }

  @Test
  void innerModuleClass_isAnError() {
    assertError(
        "SntModuleInner",
        "declare it 'static class Inner'",
        "class Inner extends",
        """
        class M {
          class Inner extends Module {}
        }
        """);
  }

  @Test
  void privateFieldHoldingAModule_isAnError() {
    assertError(
        "SntChildPrivate",
        "its variables would be missing",
        "private Layer act;",
        """
        class M extends Module {
          private Layer act;
        }
        """);
  }

  @Test
  void constructorArgumentWithNoFieldOrAccessor_isAnError() {
    assertError(
        "SntReprUnreadable",
        "add an accessor 'int size()'",
        "M(int size)",
        """
        class M extends Module {
          private final int hidden;
          M(int size) { hidden = size; }
        }
        """);
  }

  @Test
  void transposeWithAMissingMethod_isAnError() {
    assertError(
        "SntTransposeMethod",
        "names no non-private, no-argument method inputSize()",
        "@TransposeWith(\"inputSize\") int outputSize",
        """
        @Transposable
        class M extends Module {
          final int outputSize;
          M(@TransposeWith("inputSize") int outputSize) { this.outputSize = outputSize; }
        }
        """);
  }

  @Test
  void transposableArgumentStoredWithAnotherType_isAnError() {
    assertError(
        "SntTransposeArg",
        "store it with the parameter's type",
        "M(int[] sizes)",
        """
        @Transposable
        class M extends Module {
          final List<Integer> sizes = List.of();
          M(int[] sizes) {}
        }
        """);
  }

  @Test
  void transposableWithoutAConstructor_isAnError() {
    assertError(
        "SntTransposeConstructor",
        "add a package-private or public constructor",
        "class M extends",
        """
        @Transposable
        class M extends Module {
          private M() {}
        }
        """);
  }

  @Test
  void everyErrorOfAClass_isReportedAtOnce() {
    Compilation c =
        compile(
            source(
                "M",
                """
        class M extends Module {
          @Param String a;
          @Param static Variable b;
          @Build int init() { return 0; }
        }
        """));

    assertThat(c).hadErrorCount(4);
  }
}

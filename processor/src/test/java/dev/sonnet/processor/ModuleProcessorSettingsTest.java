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

/**
 * The builder generated from a {@code @Settings} constructor: a whole-file golden, the code it lets
 * users write, and one test per misuse error, on the offending line.
 */
class ModuleProcessorSettingsTest {
  private static final String MY_CONV =
      """
      public final class MyConv extends Module {
        /** {@code 1} in every dimension: every position is visited. */
        public static final List<Integer> DEFAULT_STRIDE = List.of(1);
        /** {@code true}: a convolution usually adds a bias. */
        public static final boolean DEFAULT_WITH_BIAS = true;
        /**
         * {@code null}: a truncated normal scaled by the fan-in, known on the first call.
         *
         * @see Initializer
         */
        public static final Initializer DEFAULT_W_INIT = null;
        /** {@link Mode#SAME}: keeps the size at stride 1. */
        public static final Mode DEFAULT_MODE = Mode.SAME;

        public enum Mode { SAME, VALID }

        final int outputChannels;
        final int[] kernelShape;
        final int[] stride;
        final boolean withBias;
        final Initializer wInit;
        final Mode mode;

        public static MyConvBuilder builder(int outputChannels, int... kernelShape) {
          return new MyConvBuilder(outputChannels, kernelShape);
        }

        @Settings
        MyConv(int outputChannels, int[] kernelShape, int[] stride, boolean withBias,
            Initializer wInit, Mode mode, String name) {
          super(name);
          if (outputChannels < 1) {
            throw new IllegalArgumentException("MyConv: outputChannels must be >= 1");
          }
          this.outputChannels = outputChannels;
          this.kernelShape = kernelShape;
          this.stride = stride;
          this.withBias = withBias;
          this.wInit = wInit;
          this.mode = mode;
        }
      }
      """;

  @Test
  void builder_golden() {
    Compilation c = compile(source("MyConv", MY_CONV));

    assertThat(c).succeededWithoutWarnings();
    GoldenFiles.assertMatches(c, "test.MyConvBuilder");
  }

  /** The meta's configuration code: writeSettings, readSettings, one reader per setting type. */
  @Test
  void settingsSerializer_golden() {
    Compilation c = compile(source("MyConv", MY_CONV));

    assertThat(c).succeededWithoutWarnings();
    GoldenFiles.assertMatches(c, "test.MyConv_Meta");
  }

  @Test
  void builder_isByteIdenticalAcrossCompilations() throws IOException {
    String first = builderSource(compile(source("MyConv", MY_CONV)));
    String second = builderSource(compile(source("MyConv", MY_CONV)));

    org.junit.jupiter.api.Assertions.assertEquals(first, second);
  }

  @Test
  void builder_compilesAgainstUserCode() {
    JavaFileObject user =
        JavaFileObjects.forSourceString(
            "test.User",
            """
        package test;
        final class User {
          MyConv strided() {
            return MyConv.builder(16, 3).stride(2).mode(MyConv.Mode.VALID).name("c").build();
          }
          MyConv defaults() {
            return MyConv.builder(16, 3, 3).build();
          }
        }
        """);
    Compilation c = compile(source("MyConv", MY_CONV), user);

    assertThat(c).succeededWithoutWarnings();
  }

  @Test
  void reprUsesTheSettingsConstructor() {
    Compilation c =
        compile(
            source(
                "MyConv",
                MY_CONV
                    + """
        final class Other {}
        """));

    assertThat(c).succeeded();
    assertThat(c)
        .generatedSourceFile("test.MyConv_Meta")
        .contentsAsUtf8String()
        .contains("if (module.withBias != MyConv.DEFAULT_WITH_BIAS)");
    assertThat(c)
        .generatedSourceFile("test.MyConv_Meta")
        .contentsAsUtf8String()
        .contains("if (!Objects.equals(module.mode, MyConv.DEFAULT_MODE))");
  }

  /** A learning rate (an optimizer's) is a setting type: written as a value, read back by kind. */
  @Test
  void learningRateSetting_isReadBackAsALearningRate() {
    Compilation c =
        compile(
            source(
                "MyOptimizer",
                """
        public final class MyOptimizer extends Module {
          /** {@code 0.001}: a step size that suits most models. */
          public static final LearningRate DEFAULT_LEARNING_RATE = null;

          final LearningRate learningRate;

          @Settings
          public MyOptimizer(LearningRate learningRate, String name) {
            super(name);
            this.learningRate = learningRate;
          }
        }
        """));

    assertThat(c).succeededWithoutWarnings();
    assertThat(c)
        .generatedSourceFile("test.MyOptimizer_Meta")
        .contentsAsUtf8String()
        .contains("LearningRate learningRate = in.get(\"learningRate\").asLearningRate();");
  }

  @Test
  void defaultsInheritedFromASuperclass_areUsed() {
    Compilation c =
        compile(
            source(
                "Base",
                """
        public abstract class Base extends Module {
          /** {@code 0.5}: half. */
          public static final double DEFAULT_RATE = 0.5;
          final double rate;
          Base(double rate, String name) { super(name); this.rate = rate; }
        }
        """),
            source(
                "Child",
                """
        public final class Child extends Base {
          @Settings Child(double rate, String name) { super(rate, name); }
        }
        """));

    assertThat(c).succeededWithoutWarnings();
    assertThat(c)
        .generatedSourceFile("test.ChildBuilder")
        .contentsAsUtf8String()
        .contains("private double rate = Base.DEFAULT_RATE;");
  }

  private static String builderSource(Compilation c) throws IOException {
    return c.generatedFile(StandardLocation.SOURCE_OUTPUT, "test/MyConvBuilder.java")
        .orElseThrow()
        .getCharContent(true)
        .toString();
  }

  private static void assertError(String tag, String messagePart, String line, String body) {
    JavaFileObject src = source("M", body);
    Compilation c = compile(src);
    assertThat(c).failed();
    assertThat(c).hadErrorContaining("[" + tag + "] ").inFile(src).onLineContaining(line);
    assertThat(c).hadErrorContaining(messagePart).inFile(src).onLineContaining(line);
  }

  @Test
  void settingOfAnUnsupportedType_isAnError() {
    assertError(
        "SntSettingType",
        "has type java.lang.Runnable",
        "Runnable onCall)",
        """
        class M extends Module {
          final Runnable onCall;
          @Settings M(
              Runnable onCall) {
            this.onCall = onCall;
          }
        }
        """);
  }

  @Test
  void settingListOfAnUnsupportedType_isAnError() {
    assertError(
        "SntSettingType",
        "A setting is int, long",
        "List<Object> parts)",
        """
        class M extends Module {
          final List<Object> parts;
          @Settings M(
              List<Object> parts) {
            this.parts = parts;
          }
        }
        """);
  }

  @Test
  void defaultOfTheWrongType_isAnError() {
    assertError(
        "SntSettingDefaultType",
        "declare it as 'static final int DEFAULT_SIZE",
        "String DEFAULT_SIZE",
        """
        class M extends Module {
          static final String DEFAULT_SIZE = "3";
          final int size;
          @Settings M(int size) { this.size = size; }
        }
        """);
  }

  @Test
  void arrayDefaultThatIsNotAList_isAnError() {
    assertError(
        "SntSettingDefaultType",
        "'static final List<Integer> DEFAULT_AXES",
        "int DEFAULT_AXES",
        """
        class M extends Module {
          static final int DEFAULT_AXES = -1;
          final int[] axes;
          @Settings M(int[] axes) { this.axes = axes; }
        }
        """);
  }

  @Test
  void twoSettingsConstructors_isAnError() {
    assertError(
        "SntSettingsTwice",
        "let the others call it with this(...)",
        "M(String name)",
        """
        class M extends Module {
          final int size;
          @Settings M(int size) { this.size = size; }
          @Settings M(String name) { super(name); this.size = 1; }
        }
        """);
  }

  @Test
  void privateSettingsConstructor_isAnError() {
    assertError(
        "SntSettingsPrivate",
        "make it package-private",
        "private M(int size)",
        """
        class M extends Module {
          final int size;
          @Settings private M(int size) { this.size = size; }
        }
        """);
  }

  @Test
  void settingsOnAnAbstractClass_isAnError() {
    assertError(
        "SntSettingsAbstract",
        "each concrete subclass",
        "M(int size)",
        """
        abstract class M extends Module {
          final int size;
          @Settings M(int size) { this.size = size; }
        }
        """);
  }

  @Test
  void settingsOnAGenericClass_isAnError() {
    assertError(
        "SntSettingsGeneric",
        "generic class M",
        "M(int size)",
        """
        class M<T> extends Module {
          final int size;
          @Settings M(int size) { this.size = size; }
        }
        """);
  }

  @Test
  void settingsOutsideAModule_isAnError() {
    assertError(
        "SntNotModule",
        "@Settings is only meaningful in a module",
        "M(int size)",
        """
        class M {
          @Settings M(int size) {}
        }
        """);
  }
}

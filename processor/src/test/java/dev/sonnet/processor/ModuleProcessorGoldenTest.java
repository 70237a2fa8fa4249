package dev.sonnet.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.sonnet.processor.ProcessorTesting.compile;
import static dev.sonnet.processor.ProcessorTesting.source;

import com.google.testing.compile.Compilation;
import org.junit.jupiter.api.Test;

/** Whole generated files, reviewed once and kept: they show what the processor writes. */
class ModuleProcessorGoldenTest {
  @Test
  void myLinear_registryBuildAndRepr() {
    Compilation c =
        compile(
            source(
                "MyLinear",
                """
        public final class MyLinear extends Module implements Layer {
          final int outputSize;
          @Param Variable w;
          @Param Variable b;

          public MyLinear(int outputSize) { this(outputSize, null); }

          public MyLinear(int outputSize, String name) {
            super(name);
            this.outputSize = outputSize;
          }

          @Build void initialize(Tensor x) {}

          @Override public Tensor call(Tensor x) {
            build(x);
            return x;
          }
        }
        """));

    assertThat(c).succeededWithoutWarnings();
    GoldenFiles.assertMatches(c, "test.MyLinear_Meta");
  }

  @Test
  void composite_childrenDefaultsStateAndTranspose() {
    Compilation c =
        compile(
            source(
                "Composite",
                """
        @Transposable
        public final class Composite extends Module {
          /** The default activation. */
          public static final Layer DEFAULT_ACTIVATION = null;
          /** The default rate. */
          public static final double DEFAULT_RATE = 0.5;

          final int outputSize;
          final double rate;
          final Layer activation;
          final List<Layer> layers;
          final Module[] heads = new Module[0];
          final Map<String, Module> byName = Map.of();
          Composite encoder;
          @Param(trainable = false) Variable movingMean;

          Composite(@TransposeWith("inputSize") int outputSize, double rate, Layer activation,
              List<Layer> layers, String name) {
            super(name);
            this.outputSize = outputSize;
            this.rate = rate;
            this.activation = activation;
            this.layers = layers;
          }

          int inputSize() { return 0; }

          @Build void initialize(Tensor x, List<Tensor> extra, int steps) {}
        }
        """));

    assertThat(c).succeededWithoutWarnings();
    GoldenFiles.assertMatches(c, "test.Composite_Meta");
  }
}

package dev.sonnet.processor;

import static com.google.testing.compile.Compiler.javac;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaFileObject;

/** Compiles test sources with the processor, against the api stand-ins. */
final class ProcessorTesting {
  private ProcessorTesting() {}

  static Compilation compile(JavaFileObject... sources) {
    List<JavaFileObject> all = new ArrayList<>(ApiStandIns.all());
    all.addAll(List.of(sources));
    return javac().withProcessors(new ModuleProcessor()).compile(all);
  }

  /** A source in package {@code test} whose imports cover the api types. */
  static JavaFileObject source(String simpleName, String body) {
    return JavaFileObjects.forSourceString(
        "test." + simpleName,
        """
        package test;

        import dev.sonnet.initializers.Initializer;
        import dev.sonnet.module.Build;
        import dev.sonnet.module.Layer;
        import dev.sonnet.module.Module;
        import dev.sonnet.module.Param;
        import dev.sonnet.module.Settings;
        import dev.sonnet.module.Transposable;
        import dev.sonnet.module.TransposeWith;
        import dev.sonnet.optimizers.LearningRate;
        import dev.sonnet.tensor.Tensor;
        import dev.sonnet.tensor.Variable;
        import java.util.List;
        import java.util.Map;

        """
            + body);
  }
}

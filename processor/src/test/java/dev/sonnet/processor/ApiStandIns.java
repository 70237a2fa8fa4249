package dev.sonnet.processor;

import com.google.testing.compile.JavaFileObjects;
import java.util.List;
import javax.tools.JavaFileObject;

/**
 * Small copies of the api types the processor and its generated code use, so processor tests
 * compile without depending on api (which is built after the processor). They declare the same
 * names and signatures, with no behaviour.
 */
final class ApiStandIns {
  private ApiStandIns() {}

  static List<JavaFileObject> all() {
    return List.of(
        source(
            "dev.sonnet.tensor.Tensor",
            """
            package dev.sonnet.tensor;
            public final class Tensor {
              public int dim(int axis) { return 0; }
            }
            """),
        source(
            "dev.sonnet.tensor.Variable",
            """
            package dev.sonnet.tensor;
            public final class Variable {}
            """),
        source(
            "dev.sonnet.module.Module",
            """
            package dev.sonnet.module;
            public abstract class Module {
              protected Module() {}
              protected Module(String name) {}
              public final String explicitName() { return null; }
              public final String name() { return null; }
              protected final void build(Object input) {}
            }
            """),
        source(
            "dev.sonnet.module.Param",
            """
            package dev.sonnet.module;
            public @interface Param { boolean trainable() default true; }
            """),
        source(
            "dev.sonnet.module.Build",
            """
            package dev.sonnet.module;
            public @interface Build {}
            """),
        source(
            "dev.sonnet.module.Transposable",
            """
            package dev.sonnet.module;
            public @interface Transposable {}
            """),
        source(
            "dev.sonnet.module.Settings",
            """
            package dev.sonnet.module;
            public @interface Settings {}
            """),
        source(
            "dev.sonnet.initializers.Initializer",
            """
            package dev.sonnet.initializers;
            public interface Initializer {}
            """),
        source(
            "dev.sonnet.optimizers.LearningRate",
            """
            package dev.sonnet.optimizers;
            public interface LearningRate { double at(long step); }
            """),
        source(
            "dev.sonnet.module.TransposeWith",
            """
            package dev.sonnet.module;
            public @interface TransposeWith { String value(); }
            """),
        source(
            "dev.sonnet.module.Layer",
            """
            package dev.sonnet.module;
            public interface Layer { dev.sonnet.tensor.Tensor call(dev.sonnet.tensor.Tensor x); }
            """),
        source(
            "dev.sonnet.module.Repr",
            """
            package dev.sonnet.module;
            public final class Repr {
              public static Repr of(String name) { return new Repr(); }
              public Repr arg(String key, Object value) { return this; }
              public Repr arg(String key, int value) { return this; }
              public Repr arg(String key, long value) { return this; }
              public Repr arg(String key, double value) { return this; }
              public Repr arg(String key, float value) { return this; }
              public Repr arg(String key, boolean value) { return this; }
              public Repr arg(String key, char value) { return this; }
            }
            """),
        source(
            "dev.sonnet.module.Builds",
            """
            package dev.sonnet.module;
            import java.util.List;
            import java.util.Map;
            public final class Builds {
              public static void arity(Object[] inputs, int count, String module, String sig) {}
              public static <T> T input(Object[] inputs, int i, Class<T> type, String module,
                  String sig) { return type.cast(inputs[i]); }
              public static <K, V> List<Map.Entry<K, V>> sortedEntries(Map<K, V> map) {
                return List.copyOf(map.entrySet());
              }
            }
            """),
        source(
            "dev.sonnet.module.SettingsWriter",
            """
            package dev.sonnet.module;
            public final class SettingsWriter {
              public SettingsWriter(String where) {}
              public void put(String name, Object value) {}
            }
            """),
        source(
            "dev.sonnet.module.SettingsReader",
            """
            package dev.sonnet.module;
            public final class SettingsReader {
              public SettingValue get(String name) { return null; }
              public void requireAllRead() {}
            }
            """),
        source(
            "dev.sonnet.module.SettingValue",
            """
            package dev.sonnet.module;
            import java.util.List;
            import java.util.function.Function;
            public final class SettingValue {
              public int asInt() { return 0; }
              public long asLong() { return 0; }
              public double asDouble() { return 0; }
              public float asFloat() { return 0; }
              public boolean asBoolean() { return false; }
              public Integer asNullableInt() { return null; }
              public Long asNullableLong() { return null; }
              public Double asNullableDouble() { return null; }
              public Float asNullableFloat() { return null; }
              public Boolean asNullableBoolean() { return null; }
              public String asString() { return null; }
              public <E extends Enum<E>> E asEnum(E[] values) { return null; }
              public int[] asIntArray() { return null; }
              public <T> List<T> asList(Function<SettingValue, T> element) { return null; }
              public SettingsReader asRecord() { return null; }
              public dev.sonnet.initializers.Initializer asInitializer() { return null; }
              public dev.sonnet.optimizers.LearningRate asLearningRate() { return null; }
              public Layer asLayer() { return null; }
            }
            """),
        source(
            "dev.sonnet.module.ModuleMeta",
            """
            package dev.sonnet.module;
            import dev.sonnet.tensor.Variable;
            public interface ModuleMeta<M extends Module> {
              Class<M> moduleClass();
              void visitParams(M module, ParamVisitor visitor);
              void visitChildren(M module, ChildVisitor visitor);
              boolean setParam(M module, String field, Variable value);
              String[] buildMethods();
              void build(M module, int index, Object[] inputs);
              String buildSignature(int index);
              Repr repr(M module);
              default boolean transposable() { return false; }
              default Module transpose(M module) { throw new UnsupportedOperationException(); }
              default Module respecify(M module) { throw new UnsupportedOperationException(); }
              default boolean hasSettings() { return false; }
              default void writeSettings(M module, SettingsWriter out) {}
              default M readSettings(SettingsReader in) { return null; }
              interface ParamVisitor { void param(String field, Variable value, boolean t); }
              interface ChildVisitor { void child(String field, String key, Object value); }
            }
            """));
  }

  private static JavaFileObject source(String name, String code) {
    return JavaFileObjects.forSourceString(name, code);
  }
}

package dev.sonnet.processor.writing;

import com.squareup.javapoet.ClassName;
import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.MethodSpec;
import com.squareup.javapoet.TypeName;
import com.squareup.javapoet.TypeSpec;
import dev.sonnet.processor.ApiNames;
import dev.sonnet.processor.model.ModuleModel;
import dev.sonnet.processor.model.SettingType;
import dev.sonnet.processor.model.SettingType.Component;
import dev.sonnet.processor.model.SettingType.Kind;
import dev.sonnet.processor.model.SettingsModel;
import dev.sonnet.processor.model.SettingsModel.Setting;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * The configuration code of a module with a {@code @Settings} constructor: {@code writeSettings}
 * puts each setting's value, read back as the repr reads it, into a {@code SettingsWriter}; {@code
 * readSettings} reads each back with the {@code SettingValue} method its type calls for and calls
 * the constructor. A record setting gets one private helper pair per record type, {@code
 * write<Record>} and {@code read<Record>}, after the two methods, in order of first use.
 */
final class SettingsCodeWriter {
  private SettingsCodeWriter() {}

  static void write(ModuleModel model, TypeSpec.Builder spec) {
    SettingsModel settings = model.settings();
    if (settings == null) {
      return;
    }
    Map<TypeName, SettingType> records = new LinkedHashMap<>();
    spec.addMethod(
        MethodSpec.methodBuilder("hasSettings")
            .addAnnotation(Override.class)
            .addModifiers(Modifier.PUBLIC)
            .returns(TypeName.BOOLEAN)
            .addStatement("return true")
            .build());

    MethodSpec.Builder write =
        MethodSpec.methodBuilder("writeSettings")
            .addAnnotation(Override.class)
            .addModifiers(Modifier.PUBLIC)
            .addParameter(model.typeArgument(), "module")
            .addParameter(ApiNames.SETTINGS_WRITER, "out");
    for (Setting s : settings.settings()) {
      CodeBlock value = s.readFits() ? encode(s.valueType(), s.read(), records, 0) : s.read();
      write.addStatement("out.put($S, $L)", s.name(), value);
    }
    spec.addMethod(write.build());

    MethodSpec.Builder read =
        MethodSpec.methodBuilder("readSettings")
            .addAnnotation(Override.class)
            .addModifiers(Modifier.PUBLIC)
            .returns(model.typeArgument())
            .addParameter(ApiNames.SETTINGS_READER, "in");
    CodeBlock.Builder args = CodeBlock.builder();
    for (Setting s : settings.settings()) {
      read.addStatement(
          "$T $N = $L",
          s.type(),
          s.name(),
          decode(s.valueType(), CodeBlock.of("in.get($S)", s.name()), records, 0));
      args.add(args.isEmpty() ? "$N" : ", $N", s.name());
    }
    read.addStatement("in.requireAllRead()");
    read.addStatement("return new $T($L)", model.type(), args.build());
    spec.addMethod(read.build());

    for (int i = 0; i < records.size(); i++) { // helpers may add records as they are written
      SettingType record = records.values().stream().skip(i).findFirst().orElseThrow();
      spec.addMethod(recordWriter(record, records));
      spec.addMethod(recordReader(record, records));
    }
  }

  /** An expression turning {@code value} into what {@code SettingsWriter.put} takes. */
  private static CodeBlock encode(
      SettingType type, CodeBlock value, Map<TypeName, SettingType> records, int depth) {
    if (type.kind() == Kind.RECORD) {
      records.putIfAbsent(type.type(), type);
      return CodeBlock.of("$N($L)", helper("write", type), value);
    }
    if (type.kind() == Kind.LIST && type.element().needsWriter()) {
      String e = "e" + depth;
      return CodeBlock.of(
          "$L == null ? null : $L.stream().map($N -> $L).toList()",
          value,
          value,
          e,
          encode(type.element(), CodeBlock.of("$N", e), records, depth + 1));
    }
    return value;
  }

  /** An expression reading a value of {@code type} from the {@code SettingValue} {@code value}. */
  private static CodeBlock decode(
      SettingType type, CodeBlock value, Map<TypeName, SettingType> records, int depth) {
    return switch (type.kind()) {
      case INT -> CodeBlock.of("$L.asInt()", value);
      case LONG -> CodeBlock.of("$L.asLong()", value);
      case DOUBLE -> CodeBlock.of("$L.asDouble()", value);
      case FLOAT -> CodeBlock.of("$L.asFloat()", value);
      case BOOLEAN -> CodeBlock.of("$L.asBoolean()", value);
      case BOXED_INT -> CodeBlock.of("$L.asNullableInt()", value);
      case BOXED_LONG -> CodeBlock.of("$L.asNullableLong()", value);
      case BOXED_DOUBLE -> CodeBlock.of("$L.asNullableDouble()", value);
      case BOXED_FLOAT -> CodeBlock.of("$L.asNullableFloat()", value);
      case BOXED_BOOLEAN -> CodeBlock.of("$L.asNullableBoolean()", value);
      case STRING -> CodeBlock.of("$L.asString()", value);
      case ENUM -> CodeBlock.of("$L.asEnum($T.values())", value, type.type());
      case INT_ARRAY -> CodeBlock.of("$L.asIntArray()", value);
      case INITIALIZER -> CodeBlock.of("$L.asInitializer()", value);
      case LEARNING_RATE -> CodeBlock.of("$L.asLearningRate()", value);
      case PAD -> CodeBlock.of("$L.asPad()", value);
      case LAYER -> CodeBlock.of("$L.asLayer()", value);
      case TENSOR -> CodeBlock.of("$L.asTensor()", value);
      case MODULE ->
          CodeBlock.of("($T) $L.asModule($T.class)", type.type(), value, rawType(type.type()));
      case LIST -> {
        String e = "e" + depth;
        yield CodeBlock.of(
            "$L.asList($N -> $L)",
            value,
            e,
            decode(type.element(), CodeBlock.of("$N", e), records, depth + 1));
      }
      case RECORD -> {
        records.putIfAbsent(type.type(), type);
        yield CodeBlock.of("$N($L)", helper("read", type), value);
      }
    };
  }

  private static MethodSpec recordWriter(SettingType record, Map<TypeName, SettingType> records) {
    MethodSpec.Builder m =
        MethodSpec.methodBuilder(helper("write", record))
            .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
            .returns(ApiNames.SETTINGS_WRITER)
            .addParameter(record.type(), "value")
            .beginControlFlow("if (value == null)")
            .addStatement("return null")
            .endControlFlow()
            .addStatement(
                "$T out = new $T($S)",
                ApiNames.SETTINGS_WRITER,
                ApiNames.SETTINGS_WRITER,
                simpleName(record));
    for (Component c : record.components()) {
      m.addStatement(
          "out.put($S, $L)",
          c.name(),
          encode(c.type(), CodeBlock.of("value.$N()", c.name()), records, 0));
    }
    return m.addStatement("return out").build();
  }

  private static MethodSpec recordReader(SettingType record, Map<TypeName, SettingType> records) {
    MethodSpec.Builder m =
        MethodSpec.methodBuilder(helper("read", record))
            .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
            .returns(record.type())
            .addParameter(ApiNames.SETTING_VALUE, "value")
            .addStatement("$T in = value.asRecord()", ApiNames.SETTINGS_READER)
            .beginControlFlow("if (in == null)")
            .addStatement("return null")
            .endControlFlow();
    CodeBlock.Builder args = CodeBlock.builder();
    for (Component c : record.components()) {
      m.addStatement(
          "$T $N = $L",
          c.type().type(),
          c.name(),
          decode(c.type(), CodeBlock.of("in.get($S)", c.name()), records, 0));
      args.add(args.isEmpty() ? "$N" : ", $N", c.name());
    }
    return m.addStatement("in.requireAllRead()")
        .addStatement("return new $T($L)", record.type(), args.build())
        .build();
  }

  private static String helper(String verb, SettingType record) {
    return verb + simpleName(record).replace(".", "");
  }

  private static String simpleName(SettingType record) {
    return record.type() instanceof ClassName c
        ? String.join(".", c.simpleNames())
        : record.type().toString();
  }

  /** The class literal's type: {@code RNNCore} for {@code RNNCore<?>}. */
  private static TypeName rawType(TypeName t) {
    return t instanceof com.squareup.javapoet.ParameterizedTypeName p ? p.rawType : t;
  }
}

package dev.sonnet.processor;

import com.squareup.javapoet.TypeName;
import dev.sonnet.processor.model.SettingType;
import dev.sonnet.processor.model.SettingType.Kind;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.RecordComponentElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.Types;

/**
 * The closed set of types a module setting may have, so that a configuration can be written out and
 * read back by generated code: primitives and their boxes, {@code String}, enums, {@code int[]},
 * {@code List} of those, records whose components are settings (nested configurations), and the api
 * value types of {@link ApiNames#SETTING_VALUE_TYPES}.
 */
public final class SettingTypes {
  private static final List<String> SCALARS =
      List.of(
          "java.lang.String",
          "java.lang.Integer",
          "java.lang.Long",
          "java.lang.Double",
          "java.lang.Float",
          "java.lang.Boolean");

  /** What the error message lists, in the words a user writes. */
  public static final String SUPPORTED =
      "int, long, double, float, boolean (or their boxes),"
          + " String, an enum, int[], List<Integer> (or a List of another of these), a record of"
          + " these, Initializer, LearningRate, Pad, Layer, Tensor or a module class (RNNCore<?>)";

  private final Types types;

  public SettingTypes(Types types) {
    this.types = types;
  }

  /** Whether {@code type} is in the closed set. */
  public boolean supported(TypeMirror type) {
    return supported(type, 0);
  }

  private boolean supported(TypeMirror type, int depth) {
    if (depth > 8) {
      return false; // a record that contains itself cannot be written out
    }
    TypeKind kind = type.getKind();
    if (kind.isPrimitive()) {
      return kind != TypeKind.CHAR && kind != TypeKind.BYTE && kind != TypeKind.SHORT;
    }
    if (kind == TypeKind.ARRAY) {
      return ((ArrayType) type).getComponentType().getKind() == TypeKind.INT;
    }
    if (kind != TypeKind.DECLARED) {
      return false;
    }
    TypeElement e = (TypeElement) types.asElement(type);
    String name = e.getQualifiedName().toString();
    List<? extends TypeMirror> args = ((DeclaredType) type).getTypeArguments();
    if (name.equals("java.util.List")) {
      return args.size() == 1
          && args.get(0).getKind() == TypeKind.DECLARED
          && supported(args.get(0), depth + 1);
    }
    if (isModule(type)) {
      return true;
    }
    if (!args.isEmpty()) {
      return false;
    }
    if (SCALARS.contains(name)
        || ApiNames.SETTING_VALUE_TYPES.contains(name)
        || e.getKind() == ElementKind.ENUM) {
      return true;
    }
    if (e.getKind() == ElementKind.RECORD) {
      for (RecordComponentElement c : e.getRecordComponents()) {
        if (!supported(c.asType(), depth + 1)) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  /**
   * Whether {@code type} is a module class ({@code dev.sonnet.module.Module} or a subclass, such as
   * a recurrent core {@code RNNCore<?>}), its type arguments, if any, unbounded wildcards: written
   * as the module's configuration and read back as a new module of that class.
   */
  private boolean isModule(TypeMirror type) {
    if (type.getKind() != TypeKind.DECLARED) {
      return false;
    }
    for (TypeMirror a : ((DeclaredType) type).getTypeArguments()) {
      if (a.getKind() != TypeKind.WILDCARD
          || ((javax.lang.model.type.WildcardType) a).getExtendsBound() != null
          || ((javax.lang.model.type.WildcardType) a).getSuperBound() != null) {
        return false;
      }
    }
    TypeElement e = (TypeElement) types.asElement(type);
    for (TypeMirror t = e.asType(); t.getKind() == TypeKind.DECLARED; ) {
      TypeElement c = (TypeElement) types.asElement(t);
      if (c.getQualifiedName().contentEquals("dev.sonnet.module.Module")) {
        return true;
      }
      t = c.getSuperclass();
    }
    return false;
  }

  /**
   * How a supported type is written out and read back; call only for a type {@link #supported}
   * accepted.
   */
  public SettingType describe(TypeMirror type) {
    TypeName name = TypeName.get(type);
    switch (type.getKind()) {
      case INT:
        return leaf(Kind.INT, name);
      case LONG:
        return leaf(Kind.LONG, name);
      case DOUBLE:
        return leaf(Kind.DOUBLE, name);
      case FLOAT:
        return leaf(Kind.FLOAT, name);
      case BOOLEAN:
        return leaf(Kind.BOOLEAN, name);
      case ARRAY:
        return leaf(Kind.INT_ARRAY, name);
      default:
        break;
    }
    if (isModule(type)) {
      return leaf(Kind.MODULE, name);
    }
    TypeElement e = (TypeElement) types.asElement(type);
    String qualified = e.getQualifiedName().toString();
    Kind kind =
        switch (qualified) {
          case "java.lang.Integer" -> Kind.BOXED_INT;
          case "java.lang.Long" -> Kind.BOXED_LONG;
          case "java.lang.Double" -> Kind.BOXED_DOUBLE;
          case "java.lang.Float" -> Kind.BOXED_FLOAT;
          case "java.lang.Boolean" -> Kind.BOXED_BOOLEAN;
          case "java.lang.String" -> Kind.STRING;
          case "dev.sonnet.initializers.Initializer" -> Kind.INITIALIZER;
          case "dev.sonnet.optimizers.LearningRate" -> Kind.LEARNING_RATE;
          case "dev.sonnet.nn.Pad" -> Kind.PAD;
          case "dev.sonnet.module.Layer" -> Kind.LAYER;
          case "dev.sonnet.tensor.Tensor" -> Kind.TENSOR;
          case "java.util.List" -> Kind.LIST;
          default -> e.getKind() == ElementKind.ENUM ? Kind.ENUM : Kind.RECORD;
        };
    if (kind == Kind.LIST) {
      TypeMirror element = ((DeclaredType) type).getTypeArguments().get(0);
      return new SettingType(kind, name, describe(element), List.of());
    }
    if (kind == Kind.RECORD) {
      List<SettingType.Component> components = new ArrayList<>();
      for (RecordComponentElement c : e.getRecordComponents()) {
        components.add(
            new SettingType.Component(c.getSimpleName().toString(), describe(c.asType())));
      }
      return new SettingType(kind, name, null, List.copyOf(components));
    }
    return leaf(kind, name);
  }

  private static SettingType leaf(Kind kind, TypeName name) {
    return new SettingType(kind, name, null, List.of());
  }

  /**
   * Whether a default constant of type {@code constant} can serve a setting of type {@code
   * setting}.
   */
  public boolean defaultFits(TypeMirror constant, TypeMirror setting) {
    if (isIntArray(setting)) {
      return isIntegerList(constant) || types.isAssignable(constant, setting);
    }
    return types.isAssignable(constant, setting);
  }

  /**
   * {@code int[]}: its default is a {@code List<Integer>} constant (an array is never constant), or
   * an {@code int[]} one that is null ("chosen on the first call").
   */
  public static boolean isIntArray(TypeMirror t) {
    return t.getKind() == TypeKind.ARRAY
        && ((ArrayType) t).getComponentType().getKind() == TypeKind.INT;
  }

  private boolean isIntegerList(TypeMirror t) {
    if (t.getKind() != TypeKind.DECLARED) {
      return false;
    }
    List<? extends TypeMirror> args = ((DeclaredType) t).getTypeArguments();
    return ((TypeElement) types.asElement(t)).getQualifiedName().contentEquals("java.util.List")
        && args.size() == 1
        && args.get(0).toString().equals("java.lang.Integer");
  }
}

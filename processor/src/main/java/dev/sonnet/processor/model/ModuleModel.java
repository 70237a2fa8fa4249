package dev.sonnet.processor.model;

import com.squareup.javapoet.ClassName;
import com.squareup.javapoet.TypeName;
import dev.sonnet.processor.ElementFacts.HoldKind;
import dev.sonnet.processor.ElementFacts.SourceKind;
import java.util.List;

/**
 * Everything the writers need to know about one module class; built from elements once the class
 * has passed validation. Lists are in declaration order.
 *
 * @param type the module class
 * @param typeArgument how the class appears as {@code ModuleMeta}'s type argument (raw for a
 *     generic class)
 * @param generic whether the class has type parameters
 * @param meta the generated class's name
 * @param simpleName the name the repr prints
 * @param params the {@code @Param} fields
 * @param children the fields that may hold modules
 * @param builds the {@code @Build} methods
 * @param constructor the constructor the repr shows and transposes call; null for an abstract class
 *     or one without a usable constructor
 * @param transposable whether the class is {@code @Transposable}
 * @param settings the {@code @Settings} constructor's description, or null without one
 */
public record ModuleModel(
    ClassName type,
    TypeName typeArgument,
    boolean generic,
    ClassName meta,
    String simpleName,
    List<ParamModel> params,
    List<ChildModel> children,
    List<BuildModel> builds,
    List<ArgModel> constructor,
    boolean transposable,
    SettingsModel settings) {

  /** A {@code @Param} field. */
  public record ParamModel(String field, boolean trainable) {}

  /** A field that holds modules. */
  public record ChildModel(String field, HoldKind kind) {}

  /** A {@code @Build} method. */
  public record BuildModel(String method, List<BuildParam> params) {
    /** The parameter list as written, for messages: {@code (Tensor x, int steps)}. */
    public String signature() {
      StringBuilder sb = new StringBuilder(method).append('(');
      for (int i = 0; i < params.size(); i++) {
        sb.append(i == 0 ? "" : ", ").append(params.get(i).display());
      }
      return sb.append(')').toString();
    }
  }

  /**
   * A build method parameter.
   *
   * @param name its name
   * @param type its declared type
   * @param checkType the class checked at run time (boxed, erased)
   * @param display how it is written, for messages
   * @param unchecked whether passing it needs an unchecked cast (a parameterized type)
   */
  public record BuildParam(
      String name, TypeName type, TypeName checkType, String display, boolean unchecked) {}

  /**
   * A constructor parameter: where to read it back, its default, and its transpose source.
   *
   * @param name the parameter's name
   * @param type its type
   * @param source where generated code reads its value
   * @param member the field or method read
   * @param defaultOwner the class declaring the {@code DEFAULT_X} constant, or null
   * @param defaultConstant the {@code DEFAULT_X} constant, or null
   * @param transposeWith the method giving the transpose's value, or null
   */
  public record ArgModel(
      String name,
      TypeName type,
      SourceKind source,
      String member,
      ClassName defaultOwner,
      String defaultConstant,
      String transposeWith) {}
}

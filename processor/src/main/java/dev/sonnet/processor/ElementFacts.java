package dev.sonnet.processor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.PackageElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.type.WildcardType;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * Questions about elements that both validation and the model ask: is this a module, which fields
 * hold modules, which constructor is the repr's, where a constructor argument can be read from.
 */
public final class ElementFacts {
  /** How a field holds modules. */
  public enum HoldKind {
    SINGLE,
    ITERABLE,
    ARRAY,
    MAP
  }

  /** Where the value of a constructor parameter is read back from a module. */
  public enum SourceKind {
    NAME,
    METHOD,
    FIELD
  }

  /** A readable source for a constructor parameter. */
  public record Source(SourceKind kind, String member, boolean assignable) {}

  private final Types types;
  private final Elements elements;

  public ElementFacts(ProcessingEnvironment env) {
    this.types = env.getTypeUtils();
    this.elements = env.getElementUtils();
  }

  public Types types() {
    return types;
  }

  public Elements elements() {
    return elements;
  }

  /** True if {@code type} extends dev.sonnet.module.Module (and is not Module itself). */
  public boolean isModuleClass(TypeElement type) {
    return !type.getQualifiedName().contentEquals(ApiNames.MODULE.canonicalName())
        && extendsModule(type.asType());
  }

  /** True if some superclass of {@code type} could not be resolved (yet). */
  public boolean hasUnresolvedSuperclass(TypeElement type) {
    for (TypeMirror t = type.getSuperclass(); t.getKind() != TypeKind.NONE; ) {
      if (t.getKind() == TypeKind.ERROR) {
        return true;
      }
      t = ((TypeElement) types.asElement(t)).getSuperclass();
    }
    return false;
  }

  private boolean extendsModule(TypeMirror type) {
    TypeMirror t = type;
    while (t != null && t.getKind() == TypeKind.DECLARED) {
      TypeElement e = (TypeElement) types.asElement(t);
      if (e.getQualifiedName().contentEquals(ApiNames.MODULE.canonicalName())) {
        return true;
      }
      t = e.getSuperclass();
    }
    return false;
  }

  /** The annotation of type {@code name} on {@code element}, if present. */
  public Optional<AnnotationMirror> annotation(Element element, String name) {
    for (AnnotationMirror m : element.getAnnotationMirrors()) {
      TypeElement t = (TypeElement) m.getAnnotationType().asElement();
      if (t.getQualifiedName().contentEquals(name)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  /** An annotation element's value as written (or its default), or null. */
  public Object annotationValue(AnnotationMirror mirror, String key) {
    for (var e : elements.getElementValuesWithDefaults(mirror).entrySet()) {
      if (e.getKey().getSimpleName().contentEquals(key)) {
        return e.getValue().getValue();
      }
    }
    return null;
  }

  public boolean isVariable(TypeMirror type) {
    return type.getKind() == TypeKind.DECLARED
        && ((TypeElement) types.asElement(type))
            .getQualifiedName()
            .contentEquals(ApiNames.VARIABLE.canonicalName());
  }

  /** How {@code field} holds modules, or empty if it cannot hold any. */
  public Optional<HoldKind> holdKind(VariableElement field) {
    TypeMirror t = field.asType();
    if (t.getKind() == TypeKind.ARRAY) {
      return mayBeModule(((ArrayType) t).getComponentType())
          ? Optional.of(HoldKind.ARRAY)
          : Optional.empty();
    }
    if (t.getKind() != TypeKind.DECLARED) {
      return Optional.empty();
    }
    if (mayBeModule(t)) {
      return Optional.of(HoldKind.SINGLE);
    }
    List<? extends TypeMirror> args = ((DeclaredType) t).getTypeArguments();
    if (isSubtypeOfErased(t, "java.lang.Iterable")
        && args.size() == 1
        && mayBeModule(args.get(0))) {
      return Optional.of(HoldKind.ITERABLE);
    }
    if (isSubtypeOfErased(t, "java.util.Map") && args.size() == 2 && mayBeModule(args.get(1))) {
      return Optional.of(HoldKind.MAP);
    }
    return Optional.empty();
  }

  /**
   * Whether a value of static type {@code type} may be a module: a module class, or a type a module
   * can be passed as (Layer, the functional interfaces of java.util.function).
   */
  private boolean mayBeModule(TypeMirror type) {
    TypeMirror t = type;
    if (t.getKind() == TypeKind.WILDCARD) {
      t = ((WildcardType) t).getExtendsBound();
      if (t == null) {
        return false;
      }
    }
    if (t.getKind() == TypeKind.TYPEVAR) {
      t = types.erasure(t);
    }
    if (t.getKind() != TypeKind.DECLARED) {
      return false;
    }
    if (extendsModule(t)) {
      return true;
    }
    TypeElement e = (TypeElement) types.asElement(t);
    String name = e.getQualifiedName().toString();
    return name.equals(ApiNames.LAYER.canonicalName())
        || (e.getKind() == ElementKind.INTERFACE && name.startsWith("java.util.function."));
  }

  private boolean isSubtypeOfErased(TypeMirror t, String name) {
    TypeElement target = elements.getTypeElement(name);
    return target != null && types.isSubtype(types.erasure(t), types.erasure(target.asType()));
  }

  /** The constructor annotated {@code @Settings}, or null. */
  public ExecutableElement settingsConstructor(TypeElement type) {
    for (ExecutableElement c : ElementFilter.constructorsIn(type.getEnclosedElements())) {
      if (annotation(c, ApiNames.SETTINGS.canonicalName()).isPresent()) {
        return c;
      }
    }
    return null;
  }

  /**
   * The constructor the repr shows: the {@code @Settings} one, else the non-private one with the
   * most parameters, or null.
   */
  public ExecutableElement reprConstructor(TypeElement type) {
    ExecutableElement settings = settingsConstructor(type);
    if (settings != null && !settings.getModifiers().contains(Modifier.PRIVATE)) {
      return settings;
    }
    ExecutableElement best = null;
    for (ExecutableElement c : ElementFilter.constructorsIn(type.getEnclosedElements())) {
      if (c.getModifiers().contains(Modifier.PRIVATE)) {
        continue;
      }
      if (best == null || c.getParameters().size() > best.getParameters().size()) {
        best = c;
      }
    }
    return best;
  }

  /**
   * Where generated code in {@code type}'s package reads the value of constructor parameter {@code
   * param}: {@code explicitName()} for a String parameter called name, else a no-argument method of
   * that name, else a field of that name. Empty if none is readable.
   */
  public Optional<Source> source(TypeElement type, VariableElement param) {
    String name = param.getSimpleName().toString();
    TypeMirror paramType = param.asType();
    if (name.equals("name") && isString(paramType)) {
      return Optional.of(new Source(SourceKind.NAME, "explicitName", true));
    }
    PackageElement pkg = elements.getPackageOf(type);
    for (Element member : allMembers(type)) {
      if (member.getKind() == ElementKind.METHOD
          && member.getSimpleName().contentEquals(name)
          && !member.getModifiers().contains(Modifier.STATIC)
          && ((ExecutableElement) member).getParameters().isEmpty()
          && ((ExecutableElement) member).getReturnType().getKind() != TypeKind.VOID
          && accessibleFrom(member, pkg)) {
        TypeMirror r = ((ExecutableElement) member).getReturnType();
        return Optional.of(new Source(SourceKind.METHOD, name, types.isAssignable(r, paramType)));
      }
    }
    for (Element member : allMembers(type)) {
      if (member.getKind() == ElementKind.FIELD
          && member.getSimpleName().contentEquals(name)
          && !member.getModifiers().contains(Modifier.STATIC)
          && accessibleFrom(member, pkg)) {
        return Optional.of(
            new Source(SourceKind.FIELD, name, types.isAssignable(member.asType(), paramType)));
      }
    }
    return Optional.empty();
  }

  /**
   * A static final field {@code DEFAULT_<PARAM>} declared in {@code type} or a superclass (the
   * nearest wins), naming a default; never a private one.
   */
  public Optional<VariableElement> defaultConstant(TypeElement type, VariableElement param) {
    String wanted = "DEFAULT_" + upperSnake(param.getSimpleName().toString());
    PackageElement pkg = elements.getPackageOf(type);
    for (Element member : allMembers(type)) {
      if (member instanceof VariableElement f
          && member.getKind() == ElementKind.FIELD
          && f.getSimpleName().contentEquals(wanted)
          && f.getModifiers().containsAll(List.of(Modifier.STATIC, Modifier.FINAL))
          && accessibleFrom(f, pkg)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  /** {@code outputSize -> OUTPUT_SIZE}, {@code wInit -> W_INIT}. */
  public static String upperSnake(String camel) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < camel.length(); i++) {
      char c = camel.charAt(i);
      if (i > 0 && Character.isUpperCase(c) && !Character.isUpperCase(camel.charAt(i - 1))) {
        sb.append('_');
      }
      sb.append(c);
    }
    return sb.toString().toUpperCase(Locale.ROOT);
  }

  private boolean isString(TypeMirror t) {
    return t.getKind() == TypeKind.DECLARED
        && ((TypeElement) types.asElement(t)).getQualifiedName().contentEquals("java.lang.String");
  }

  /** Members declared by {@code type} and its superclasses up to (not including) Module. */
  private List<Element> allMembers(TypeElement type) {
    List<Element> out = new ArrayList<>();
    for (TypeElement t = type; t != null; ) {
      if (t.getQualifiedName().contentEquals(ApiNames.MODULE.canonicalName())
          || t.getQualifiedName().contentEquals("java.lang.Object")) {
        break;
      }
      out.addAll(t.getEnclosedElements());
      TypeMirror s = t.getSuperclass();
      t = s.getKind() == TypeKind.DECLARED ? (TypeElement) types.asElement(s) : null;
    }
    return out;
  }

  /** Whether code in package {@code pkg} (not a subclass) may use {@code member}. */
  public boolean accessibleFrom(Element member, PackageElement pkg) {
    var mods = member.getModifiers();
    if (mods.contains(Modifier.PRIVATE)) {
      return false;
    }
    if (mods.contains(Modifier.PUBLIC)) {
      return true;
    }
    return elements.getPackageOf(member).equals(pkg);
  }
}

package dev.sonnet.processor.validation;

import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.util.TreeScanner;
import com.sun.source.util.Trees;
import dev.sonnet.processor.ApiNames;
import dev.sonnet.processor.ElementFacts;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;

/**
 * Checks a module class against the rules the generated code relies on, reporting every broken rule
 * of the class at once. Each error has a stable tag, anchored on the offending element.
 */
public final class ModuleValidator {
  private final ElementFacts facts;
  private final Trees trees;
  private final SettingsValidator settings;

  /** {@code trees} may be null outside javac: the build-overlap check is then skipped. */
  public ModuleValidator(ElementFacts facts, Trees trees) {
    this.facts = facts;
    this.trees = trees;
    this.settings = new SettingsValidator(facts);
  }

  /** Reports {@code @Param}, {@code @Build} or {@code @Transposable} outside a module class. */
  public void validateStray(Element annotated, AnnotationMirror annotation, Report report) {
    Element owner = annotated;
    while (owner != null && !(owner instanceof TypeElement)) {
      owner = owner.getEnclosingElement();
    }
    if (owner instanceof TypeElement type && !facts.isModuleClass(type)) {
      String ann = "@" + annotation.getAnnotationType().asElement().getSimpleName();
      report.error(
          annotated,
          annotation,
          "SntNotModule",
          ann
              + " is only meaningful in a"
              + " module, but "
              + type.getSimpleName()
              + " does not extend Module. Fix: declare it"
              + " as 'class "
              + type.getSimpleName()
              + " extends Module', or remove "
              + ann
              + ".");
    }
  }

  public Report validate(TypeElement type) {
    Report report = new Report();
    checkReachable(type, report);
    Map<String, VariableElement> params = new LinkedHashMap<>();
    for (VariableElement f : ElementFilter.fieldsIn(type.getEnclosedElements())) {
      Optional<AnnotationMirror> param = facts.annotation(f, ApiNames.PARAM.canonicalName());
      if (param.isPresent()) {
        checkParam(type, f, report);
        params.put(f.getSimpleName().toString(), f);
      } else if (!f.getModifiers().contains(Modifier.STATIC)
          && f.getModifiers().contains(Modifier.PRIVATE)
          && facts.holdKind(f).isPresent()) {
        report.error(
            f,
            "SntChildPrivate",
            "Field '"
                + f.getSimpleName()
                + "' may hold a module"
                + " but is private, so the generated "
                + metaSimpleName(type)
                + " cannot read it"
                + " and its variables would be missing from variables(). Fix: remove 'private'"
                + " (package-private is enough).");
      }
    }
    Map<String, ExecutableElement> claimedBy = new LinkedHashMap<>();
    for (ExecutableElement m : ElementFilter.methodsIn(type.getEnclosedElements())) {
      if (facts.annotation(m, ApiNames.BUILD.canonicalName()).isPresent()) {
        checkBuild(type, m, report);
        checkOverlap(m, params, claimedBy, report);
      }
    }
    if (!type.getModifiers().contains(Modifier.ABSTRACT)) {
      checkConstructor(type, report);
    }
    settings.validate(type, report);
    return report;
  }

  private void checkReachable(TypeElement type, Report report) {
    for (Element e = type; e instanceof TypeElement t; e = e.getEnclosingElement()) {
      if (t.getModifiers().contains(Modifier.PRIVATE)) {
        report.error(
            type,
            "SntModulePrivate",
            "Module class "
                + type.getSimpleName()
                + (t == type ? " is private" : " is inside private class " + t.getSimpleName())
                + ", so the generated "
                + metaSimpleName(type)
                + " cannot use it. Fix: make "
                + t.getSimpleName()
                + " package-private or public.");
        return;
      }
    }
    if (type.getNestingKind().isNested()
        && type.getKind() == ElementKind.CLASS
        && !type.getModifiers().contains(Modifier.STATIC)) {
      report.error(
          type,
          "SntModuleInner",
          "Module class "
              + type.getSimpleName()
              + " is an inner"
              + " (non-static) class, so the generated "
              + metaSimpleName(type)
              + " cannot reach"
              + " its instances' fields without an outer instance. Fix: declare it 'static class "
              + type.getSimpleName()
              + "'.");
    }
  }

  private void checkParam(TypeElement type, VariableElement f, Report report) {
    String name = f.getSimpleName().toString();
    if (!facts.isVariable(f.asType())) {
      report.error(
          f,
          "SntParamType",
          "@Param field '"
              + name
              + "' has type "
              + f.asType()
              + ", but @Param marks variables. Fix: declare it as 'Variable "
              + name
              + "' and assign"
              + " it in a @Build method: "
              + name
              + " = variable(\""
              + name
              + "\", init, shape...).");
    }
    if (f.getModifiers().contains(Modifier.STATIC)) {
      report.error(
          f,
          "SntParamStatic",
          "@Param field '"
              + name
              + "' is static, but variables"
              + " belong to one module instance. Fix: remove 'static'.");
    }
    if (f.getModifiers().contains(Modifier.FINAL)) {
      report.error(
          f,
          "SntParamFinal",
          "@Param field '"
              + name
              + "' is final, but it is"
              + " assigned when the module is built, after construction. Fix: remove 'final'.");
    }
    if (f.getModifiers().contains(Modifier.PRIVATE)) {
      report.error(
          f,
          "SntParamPrivate",
          "@Param field '"
              + name
              + "' is private, so the"
              + " generated "
              + metaSimpleName(type)
              + " cannot read it. Fix: remove 'private'"
              + " (package-private is enough).");
    }
  }

  private void checkBuild(TypeElement type, ExecutableElement m, Report report) {
    String name = m.getSimpleName().toString();
    if (m.getModifiers().contains(Modifier.STATIC)) {
      report.error(
          m,
          "SntBuildStatic",
          "@Build method "
              + name
              + " is static, but it creates"
              + " the variables of one module instance. Fix: remove 'static'.");
    }
    if (m.getModifiers().contains(Modifier.PRIVATE)) {
      report.error(
          m,
          "SntBuildPrivate",
          "@Build method "
              + name
              + " is private, so the"
              + " generated "
              + metaSimpleName(type)
              + " cannot call it. Fix: remove 'private'"
              + " (package-private is enough).");
    }
    if (m.getReturnType().getKind() != TypeKind.VOID) {
      report.error(
          m,
          "SntBuildReturn",
          "@Build method "
              + name
              + " returns "
              + m.getReturnType()
              + ", but a build runs once and its result would be lost. Fix:"
              + " make it return void and store what it makes in fields.");
    }
    if (m.getParameters().isEmpty()) {
      report.error(
          m,
          "SntBuildNoInputs",
          "@Build method "
              + name
              + "() takes no inputs, but a"
              + " build exists to read shapes from the module's first inputs. Fix: declare the"
              + " inputs it needs, e.g. '@Build void "
              + name
              + "(Tensor x)', and run it with"
              + " build(x) at the start of call(x).");
    }
    if (!m.getTypeParameters().isEmpty()) {
      report.error(
          m,
          "SntBuildGeneric",
          "@Build method "
              + name
              + " has type parameters,"
              + " which the generated code cannot supply. Fix: use concrete parameter types.");
    }
    for (TypeMirror thrown : m.getThrownTypes()) {
      if (isChecked(thrown)) {
        report.error(
            m,
            "SntBuildThrows",
            "@Build method "
                + name
                + " declares checked"
                + " exception "
                + thrown
                + ", which build(x) cannot pass on. Fix: catch it in the"
                + " method, or wrap it in an unchecked exception.");
      }
    }
  }

  private boolean isChecked(TypeMirror thrown) {
    var elements = facts.elements();
    var types = facts.types();
    TypeMirror runtime = elements.getTypeElement("java.lang.RuntimeException").asType();
    TypeMirror error = elements.getTypeElement("java.lang.Error").asType();
    return !types.isSubtype(thrown, runtime) && !types.isSubtype(thrown, error);
  }

  private void checkOverlap(
      ExecutableElement method,
      Map<String, VariableElement> params,
      Map<String, ExecutableElement> claimedBy,
      Report report) {
    if (trees == null) {
      return;
    }
    MethodTree tree;
    try {
      tree = trees.getTree(method);
    } catch (RuntimeException e) {
      return;
    }
    if (tree == null || tree.getBody() == null) {
      return;
    }
    Set<String> assigned = new LinkedHashSet<>();
    tree.getBody()
        .accept(
            new TreeScanner<Void, Void>() {
              @Override
              public Void visitAssignment(AssignmentTree node, Void unused) {
                String target = fieldName(node.getVariable());
                if (target != null && params.containsKey(target)) {
                  assigned.add(target);
                }
                return super.visitAssignment(node, unused);
              }
            },
            null);
    for (String field : assigned) {
      ExecutableElement first = claimedBy.putIfAbsent(field, method);
      if (first != null && first != method) {
        report.error(
            method,
            "SntBuildOverlap",
            "@Build method "
                + method.getSimpleName()
                + " assigns @Param field '"
                + field
                + "', which @Build method "
                + first.getSimpleName()
                + " also assigns; each variable must belong to one build"
                + " method, or the two would create it twice. Fix: create '"
                + field
                + "' in "
                + first.getSimpleName()
                + " only, or give "
                + method.getSimpleName()
                + " its own field.");
      }
    }
  }

  private static String fieldName(ExpressionTree target) {
    if (target instanceof IdentifierTree id) {
      return id.getName().toString();
    }
    if (target instanceof MemberSelectTree sel
        && sel.getExpression() instanceof IdentifierTree e
        && e.getName().contentEquals("this")) {
      return sel.getIdentifier().toString();
    }
    return null;
  }

  private void checkConstructor(TypeElement type, Report report) {
    ExecutableElement ctor = facts.reprConstructor(type);
    boolean transposable =
        facts.annotation(type, ApiNames.TRANSPOSABLE.canonicalName()).isPresent();
    if (ctor == null) {
      if (transposable) {
        report.error(
            type,
            "SntTransposeConstructor",
            "@Transposable class "
                + type.getSimpleName()
                + " has no non-private constructor for the generated"
                + " transpose to call. Fix: add a package-private or public constructor.");
      }
      return;
    }
    for (VariableElement p : ctor.getParameters()) {
      String name = p.getSimpleName().toString();
      var source = facts.source(type, p);
      if (source.isEmpty()) {
        report.error(
            p,
            "SntReprUnreadable",
            "Constructor parameter '"
                + name
                + "' of "
                + type.getSimpleName()
                + " cannot be read back from the module, so the generated"
                + " repr cannot show it. Fix: keep it in a non-private field of the same name"
                + " ('final "
                + p.asType()
                + " "
                + name
                + ";'), or add an accessor '"
                + p.asType()
                + " "
                + name
                + "()'.");
        continue;
      }
      var transposeWith = facts.annotation(p, ApiNames.TRANSPOSE_WITH.canonicalName());
      if (transposeWith.isPresent()) {
        String method = String.valueOf(facts.annotationValue(transposeWith.get(), "value"));
        if (!hasReader(type, method, p.asType())) {
          report.error(
              p,
              transposeWith.get(),
              "SntTransposeMethod",
              "@TransposeWith(\""
                  + method
                  + "\") on '"
                  + name
                  + "' names no non-private, no-argument method "
                  + method
                  + "() returning "
                  + p.asType()
                  + " in "
                  + type.getSimpleName()
                  + ". Fix: add it, e.g. '"
                  + p.asType()
                  + " "
                  + method
                  + "() { ... }', reading"
                  + " the value from the built module.");
        }
      } else if (transposable && !source.get().assignable()) {
        report.error(
            p,
            "SntTransposeArg",
            "Constructor parameter '"
                + name
                + "' of"
                + " @Transposable "
                + type.getSimpleName()
                + " is read back from "
                + source.get().member()
                + ", whose type does not fit "
                + p.asType()
                + ", so the transpose cannot pass it on. Fix: store it with the parameter's type.");
      }
    }
  }

  private boolean hasReader(TypeElement type, String method, TypeMirror wanted) {
    var pkg = facts.elements().getPackageOf(type);
    for (Element e : facts.elements().getAllMembers(type)) {
      if (e instanceof ExecutableElement m
          && e.getKind() == ElementKind.METHOD
          && m.getSimpleName().contentEquals(method)
          && m.getParameters().isEmpty()
          && !m.getModifiers().contains(Modifier.STATIC)
          && facts.accessibleFrom(m, pkg)
          && facts.types().isAssignable(m.getReturnType(), wanted)) {
        return true;
      }
    }
    return false;
  }

  private static String metaSimpleName(TypeElement type) {
    StringBuilder sb = new StringBuilder(type.getSimpleName());
    for (Element e = type.getEnclosingElement();
        e instanceof TypeElement t;
        e = e.getEnclosingElement()) {
      sb.insert(0, t.getSimpleName() + "_");
    }
    return sb.append("_Meta").toString();
  }
}

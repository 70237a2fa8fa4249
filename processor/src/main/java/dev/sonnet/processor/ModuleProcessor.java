package dev.sonnet.processor;

import com.google.auto.service.AutoService;
import com.squareup.javapoet.ClassName;
import com.squareup.javapoet.JavaFile;
import com.sun.source.util.Trees;
import dev.sonnet.processor.model.ModelBuilder;
import dev.sonnet.processor.model.ModuleModel;
import dev.sonnet.processor.validation.Diagnostic;
import dev.sonnet.processor.validation.ModuleValidator;
import dev.sonnet.processor.validation.Report;
import dev.sonnet.processor.writing.BuilderWriter;
import dev.sonnet.processor.writing.MetaWriter;
import dev.sonnet.processor.writing.ServicesWriter;
import dev.sonnet.processor.writing.StaticRegistryWriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Filer;
import javax.annotation.processing.Messager;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.ElementFilter;
import javax.tools.Diagnostic.Kind;
import javax.tools.FileObject;
import javax.tools.StandardLocation;

/**
 * Generates a {@code <Module>_Meta} class for every subclass of {@code dev.sonnet.module.Module}
 * compiled with it, and the service file that lets {@code Module} find them.
 *
 * <p>Every class is looked at (the supported annotation types are {@code *}): a module needs a meta
 * for its repr and submodules even when it has no {@code @Param} or {@code @Build}. Each round:
 * classes whose superclass is not generated yet are deferred to the next round; the rest are
 * validated (all errors of a class reported together, none printed by validators), turned into a
 * model, and written. Nothing is claimed ({@code process} returns false) and no exception ever
 * reaches javac: an internal failure becomes one error naming the class.
 *
 * <p>The hand-written modules of {@code dev.sonnet.module} itself (Sequential, Deferred, ...) are
 * skipped: they describe themselves.
 *
 * <p>With the option {@code -A}{@value #STATIC_REGISTRY_OPTION}{@code =<class>} (the api module
 * sets it), the metas are listed in code instead, in the package-private class named, and in the
 * index resource {@code META-INF/sonnet/metas/<class>}; no service file is written, so a fat jar
 * that keeps one {@code META-INF/services} file of each name keeps the application's.
 */
@AutoService(Processor.class)
public final class ModuleProcessor extends AbstractProcessor {
  /** The option naming the class that lists this compilation's metas in code. */
  public static final String STATIC_REGISTRY_OPTION = "sonnet.staticRegistry";

  private ElementFacts facts;
  private ModuleValidator validator;
  private ModelBuilder models;
  private Messager messager;
  private Filer filer;
  private final Set<String> deferred = new LinkedHashSet<>();
  private final Map<String, Element> generated = new LinkedHashMap<>();
  private final Set<String> done = new TreeSet<>();

  @Override
  public synchronized void init(ProcessingEnvironment env) {
    super.init(env);
    facts = new ElementFacts(env);
    validator = new ModuleValidator(facts, treesOrNull(env));
    models = new ModelBuilder(facts);
    messager = env.getMessager();
    filer = env.getFiler();
  }

  private static Trees treesOrNull(ProcessingEnvironment env) {
    try {
      return Trees.instance(env);
    } catch (RuntimeException | LinkageError e) {
      return null; // not javac: the build-overlap check needs source trees and is skipped
    }
  }

  @Override
  public Set<String> getSupportedOptions() {
    return Set.of(STATIC_REGISTRY_OPTION);
  }

  @Override
  public Set<String> getSupportedAnnotationTypes() {
    return Set.of("*");
  }

  @Override
  public SourceVersion getSupportedSourceVersion() {
    return SourceVersion.latestSupported();
  }

  @Override
  public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
    try {
      processRound(round);
    } catch (RuntimeException | LinkageError e) {
      StringWriter trace = new StringWriter();
      e.printStackTrace(new PrintWriter(trace));
      messager.printMessage(
          Kind.ERROR,
          "[SntInternal] The Sonnet processor failed; please report"
              + " this with the class being compiled: "
              + trace);
    }
    return false;
  }

  private void processRound(RoundEnvironment round) {
    checkStrayAnnotations(round);
    List<TypeElement> todo = new ArrayList<>();
    for (String name : deferred) {
      TypeElement t = processingEnv.getElementUtils().getTypeElement(name);
      if (t != null) {
        todo.add(t);
      }
    }
    deferred.clear();
    for (Element root : round.getRootElements()) {
      collectTypes(root, todo);
    }
    for (TypeElement type : todo) {
      String name = type.getQualifiedName().toString();
      if (done.contains(name)) {
        continue;
      }
      if (facts.hasUnresolvedSuperclass(type)) {
        if (!round.processingOver()) {
          deferred.add(name);
        }
        continue;
      }
      if (!facts.isModuleClass(type) || isHandWritten(type)) {
        continue;
      }
      done.add(name);
      generate(type);
    }
    if (round.processingOver() && !generated.isEmpty()) {
      String registry = processingEnv.getOptions().get(STATIC_REGISTRY_OPTION);
      if (registry != null && !registry.isBlank()) {
        writeStaticRegistry(ClassName.bestGuess(registry.strip()));
      } else {
        writeServices();
      }
    }
  }

  private void collectTypes(Element e, List<TypeElement> out) {
    if (e instanceof TypeElement t) {
      out.add(t);
      for (TypeElement nested : ElementFilter.typesIn(t.getEnclosedElements())) {
        collectTypes(nested, out);
      }
    }
  }

  private boolean isHandWritten(TypeElement type) {
    return processingEnv
        .getElementUtils()
        .getPackageOf(type)
        .getQualifiedName()
        .contentEquals(ApiNames.MODULE_PACKAGE);
  }

  private void checkStrayAnnotations(RoundEnvironment round) {
    for (ClassName ann :
        List.of(ApiNames.PARAM, ApiNames.BUILD, ApiNames.TRANSPOSABLE, ApiNames.SETTINGS)) {
      TypeElement annotation = processingEnv.getElementUtils().getTypeElement(ann.canonicalName());
      if (annotation == null) {
        continue;
      }
      for (Element e : round.getElementsAnnotatedWith(annotation)) {
        Report report = new Report();
        AnnotationMirror mirror = facts.annotation(e, ann.canonicalName()).orElse(null);
        if (mirror != null) {
          validator.validateStray(e, mirror, report);
        }
        print(report);
      }
    }
  }

  private void generate(TypeElement type) {
    Report report = validator.validate(type);
    if (!report.isClean()) {
      print(report);
      return;
    }
    ModuleModel model = models.build(type);
    if (writeSource(MetaWriter.write(model), model.meta(), type)) {
      generated.put(model.meta().reflectionName(), type);
    }
    JavaFile builder = BuilderWriter.write(model);
    if (builder != null) {
      writeSource(builder, model.settings().builder(), type);
    }
  }

  private boolean writeSource(JavaFile file, ClassName name, Element... origins) {
    try {
      Writer w = filer.createSourceFile(name.canonicalName(), origins).openWriter();
      try (w) {
        file.writeTo(w);
      }
      return true;
    } catch (IOException e) {
      String message = "[SntWrite] Could not write " + name + ": " + e.getMessage();
      if (origins.length == 1) {
        messager.printMessage(Kind.ERROR, message, origins[0]);
      } else {
        messager.printMessage(Kind.ERROR, message);
      }
      return false;
    }
  }

  private void print(Report report) {
    for (Diagnostic d : report.errors()) {
      if (d.annotation() != null) {
        messager.printMessage(Kind.ERROR, d.text(), d.element(), d.annotation());
      } else {
        messager.printMessage(Kind.ERROR, d.text(), d.element());
      }
    }
  }

  /**
   * Writes the registry class and its index resource. Written in the last round, so javac compiles
   * it without running processors on it (it is no module).
   */
  private void writeStaticRegistry(ClassName registry) {
    writeSource(
        StaticRegistryWriter.write(registry, generated.keySet()),
        registry,
        generated.values().toArray(Element[]::new));
    String index = "META-INF/sonnet/metas/" + registry.reflectionName();
    try {
      FileObject out =
          filer.createResource(
              StandardLocation.CLASS_OUTPUT, "", index, generated.values().toArray(Element[]::new));
      try (Writer w = out.openWriter()) {
        w.write(ServicesWriter.write(generated.keySet()));
      }
    } catch (IOException | IllegalStateException e) {
      messager.printMessage(
          Kind.ERROR, "[SntWrite] Could not write " + index + ": " + e.getMessage());
    }
  }

  /**
   * Writes the service file: this compilation's metas plus those an earlier incremental compilation
   * listed (stale entries are skipped at run time).
   */
  private void writeServices() {
    Set<String> names = new TreeSet<>(generated.keySet());
    try {
      FileObject existing =
          filer.getResource(StandardLocation.CLASS_OUTPUT, "", ApiNames.SERVICES_FILE);
      try (BufferedReader r =
          new BufferedReader(
              new InputStreamReader(existing.openInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          if (!line.isBlank() && !line.startsWith("#")) {
            names.add(line.trim());
          }
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      // no earlier file: a full build
    }
    try {
      FileObject out =
          filer.createResource(
              StandardLocation.CLASS_OUTPUT,
              "",
              ApiNames.SERVICES_FILE,
              generated.values().toArray(Element[]::new));
      try (Writer w = out.openWriter()) {
        w.write(ServicesWriter.write(names));
      }
    } catch (IOException | IllegalStateException e) {
      messager.printMessage(
          Kind.ERROR,
          "[SntWrite] Could not write " + ApiNames.SERVICES_FILE + ": " + e.getMessage());
    }
  }
}

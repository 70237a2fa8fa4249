package dev.sonnet.processor.validation;

import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;

/** The errors found in one class; validators add to it and never print. */
public final class Report {
  private final List<Diagnostic> errors = new ArrayList<>();

  public void error(Element element, String tag, String message) {
    errors.add(new Diagnostic(element, null, tag, message));
  }

  public void error(Element element, AnnotationMirror annotation, String tag, String message) {
    errors.add(new Diagnostic(element, annotation, tag, message));
  }

  public boolean isClean() {
    return errors.isEmpty();
  }

  public List<Diagnostic> errors() {
    return List.copyOf(errors);
  }
}

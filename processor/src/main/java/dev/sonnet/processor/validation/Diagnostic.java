package dev.sonnet.processor.validation;

import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;

/**
 * One compile error: where, a stable tag, the rule broken and the fix.
 *
 * @param element the element the error is anchored on
 * @param annotation the annotation on it that the error is about, or null
 * @param tag a stable identifier such as {@code SntParamType}, printed in brackets
 * @param message what is wrong and how to fix it
 */
public record Diagnostic(Element element, AnnotationMirror annotation, String tag, String message) {
  /** The text javac prints: {@code [Tag] message}. */
  public String text() {
    return "[" + tag + "] " + message;
  }
}

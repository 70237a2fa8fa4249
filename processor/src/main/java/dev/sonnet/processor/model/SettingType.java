package dev.sonnet.processor.model;

import com.squareup.javapoet.TypeName;
import java.util.List;

/**
 * How a setting's type is written out and read back: one kind per member of the closed set of
 * setting types ({@code SettingTypes}); a list knows its element, a record its components.
 *
 * @param kind what sort of value it is
 * @param type the Java type
 * @param element a list's element type; null otherwise
 * @param components a record's components, in order; empty otherwise
 */
public record SettingType(
    Kind kind, TypeName type, SettingType element, List<Component> components) {

  /** The sorts of setting value. */
  public enum Kind {
    INT,
    LONG,
    DOUBLE,
    FLOAT,
    BOOLEAN,
    BOXED_INT,
    BOXED_LONG,
    BOXED_DOUBLE,
    BOXED_FLOAT,
    BOXED_BOOLEAN,
    STRING,
    ENUM,
    INT_ARRAY,
    LIST,
    RECORD,
    INITIALIZER,
    LEARNING_RATE,
    PAD,
    LAYER,
    TENSOR,
    /** A module class (or a subclass with wildcard type arguments), read back with a cast. */
    MODULE
  }

  /** A record component: its name (also its accessor) and type. */
  public record Component(String name, SettingType type) {}

  /** Whether writing it needs generated code (a record, or a list holding records). */
  public boolean needsWriter() {
    return kind == Kind.RECORD || (kind == Kind.LIST && element.needsWriter());
  }
}

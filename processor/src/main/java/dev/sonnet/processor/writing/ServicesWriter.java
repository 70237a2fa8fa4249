package dev.sonnet.processor.writing;

import java.util.Collection;
import java.util.TreeSet;

/** The service file listing the generated metas, one class name a line, sorted. */
public final class ServicesWriter {
  private ServicesWriter() {}

  public static String write(Collection<String> metaClassNames) {
    StringBuilder sb = new StringBuilder();
    for (String name : new TreeSet<>(metaClassNames)) {
      sb.append(name).append('\n');
    }
    return sb.toString();
  }
}

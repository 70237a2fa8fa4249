package dev.sonnet.processor;

import static dev.sonnet.processor.ProcessorTesting.compile;
import static dev.sonnet.processor.ProcessorTesting.source;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.testing.compile.Compilation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every processor message the project README quotes is what the processor prints today: for each
 * quoted {@code [SntTag] text}, a source that triggers the tag is compiled and its error must
 * contain the quoted text (up to a trailing "..."). A quote with a tag this test has no example for
 * fails, asking for one, so a new quote cannot drift unchecked.
 */
class ReadmeDiagnosticsTest {
  /** A README quote: the tag in brackets, then the text up to the closing backtick. */
  private static final Pattern QUOTE = Pattern.compile("`\\[(Snt\\w+)\\] ([^`]*)`");

  /** One class that triggers each quoted tag, with the names the README's quotes use. */
  private static final Map<String, String> EXAMPLES =
      Map.of(
          "SntParamType",
          """
          class M extends Module {
            @Param String w;
          }
          """);

  @Test
  void everyQuotedDiagnostic_isWhatTheProcessorPrints() throws IOException {
    String readme = Files.readString(readme());
    Matcher m = QUOTE.matcher(readme.replaceAll("\\s*\\n\\s*", " "));
    List<String> checked = new ArrayList<>();
    while (m.find()) {
      String tag = m.group(1);
      String quoted = m.group(2).replaceFirst("\\s*\\.\\.\\.$", "");
      assertThat(EXAMPLES)
          .as("README quotes [%s]; add a class that triggers it to EXAMPLES", tag)
          .containsKey(tag);
      Compilation c = compile(source("M", EXAMPLES.get(tag)));
      List<String> errors =
          c.errors().stream()
              .map(d -> d.getMessage(null))
              .filter(text -> text.startsWith("[" + tag + "]"))
              .toList();
      assertThat(errors).as("errors tagged [%s]", tag).isNotEmpty();
      assertThat(errors.get(0)).as("README's quote of [%s]", tag).contains(quoted);
      checked.add(tag);
    }
    assertThat(checked).as("README quotes at least one processor message").isNotEmpty();
  }

  /** The repository's README.md, found from the processor module's directory or the root. */
  private static Path readme() {
    for (Path p : List.of(Path.of("..", "README.md"), Path.of("README.md"))) {
      if (Files.isRegularFile(p) && Files.isDirectory(p.resolveSibling("processor"))) {
        return p;
      }
    }
    throw new AssertionError("README.md not found from " + Path.of("").toAbsolutePath());
  }
}

package dev.sonnet.samples.charlm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.module.Seeds;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CharLmJobTest {
  @Test
  void tinyModel_onTheEmbeddedExcerpt_lowersHeldOutBitsPerChar() {
    var options =
        CharLmJob.Options.parse(
            new String[] {
              "--embedded",
              "--epochs",
              "2",
              "--steps",
              "25",
              "--hidden",
              "32",
              "--seq-length",
              "16",
              "--batch",
              "8",
              "--learning-rate",
              "0.01",
              "--sample-length",
              "37"
            });
    var bytes = new ByteArrayOutputStream();
    var out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    CharLmJob.Result r = new CharLmJob(options, Corpus.excerpt(), out).run();

    String log = bytes.toString(StandardCharsets.UTF_8);
    assertThat(r.source()).contains("embedded excerpt");
    assertThat(r.bitsPerChar()).hasSize(3);
    assertThat(r.bitsPerChar().get(1)).isLessThan(r.bitsPerChar().get(0));
    assertThat(r.bitsPerChar().get(2)).isLessThan(r.bitsPerChar().get(1));
    assertThat(r.samples()).hasSize(2).allSatisfy(s -> assertThat(s).hasSize(37));
    assertThat(r.tokensPerSecond()).isPositive();
    assertThat(log).contains("epoch 2/2").contains("sample: ").contains("bits_per_char=");
  }

  @Test
  void sameSeed_sameFigures() {
    String[] args = {
      "--embedded",
      "--epochs",
      "1",
      "--steps",
      "3",
      "--hidden",
      "8",
      "--seq-length",
      "8",
      "--batch",
      "4",
      "--sample-length",
      "20"
    };
    var sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    // Each run starts as a fresh JVM does: the default global seed, no variable created yet.
    Seeds.setGlobalSeed(0);
    var a = new CharLmJob(CharLmJob.Options.parse(args), Corpus.excerpt(), sink).run();
    Seeds.setGlobalSeed(0);
    var b = new CharLmJob(CharLmJob.Options.parse(args), Corpus.excerpt(), sink).run();

    assertThat(a.bitsPerChar()).isEqualTo(b.bitsPerChar());
    assertThat(a.samples()).isEqualTo(b.samples());
  }

  @Test
  void embeddedExcerpt_isGenesisFromTheKjv() {
    Corpus c = Corpus.excerpt();

    assertThat(c.text()).startsWith("In the beginning God created the heaven and the earth.\n");
    assertThat(c.text().length()).isBetween(5_000, 20_000);
    assertThat(c.embedded()).isTrue();
  }

  @Test
  void parse_rejectsUnknownOptionsAndBadValues() {
    assertThatThrownBy(() -> CharLmJob.Options.parse(new String[] {"--nope", "1"}))
        .hasMessageContaining("Unknown option --nope");
    assertThatThrownBy(() -> CharLmJob.Options.parse(new String[] {"--batch", "0"}))
        .hasMessageContaining("--batch must be >= 1");
    assertThat(CharLmJob.Options.parse(new String[0])).isEqualTo(CharLmJob.Options.defaults());
  }
}

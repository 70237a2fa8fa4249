package dev.sonnet.backend;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.SonnetException;
import org.junit.jupiter.api.Test;

/** api alone has no runtime on its classpath: the errors must say what to add. */
class BackendsTest {

  @Test
  void noRuntimeOnClasspath_errorNamesTheArtifactToAdd() {
    assertThatThrownBy(Backends::getDefault)
        .isInstanceOf(SonnetException.class)
        .hasMessageContaining("sonnet-runtime-cpu");
  }

  @Test
  void unknownBackendName_listsTheAvailableOnes() {
    assertThatThrownBy(() -> Backends.get("tpu"))
        .isInstanceOf(SonnetException.class)
        .hasMessageContaining("Unknown Sonnet backend 'tpu'")
        .hasMessageContaining("Available: []");
  }
}

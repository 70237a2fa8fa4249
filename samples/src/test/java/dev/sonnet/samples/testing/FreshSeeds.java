package dev.sonnet.samples.testing;

import dev.sonnet.module.Seeds;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts every test as a fresh program would: the default global seed and no variable created yet
 * (see {@link Seeds}), so a test's initial weights do not depend on which tests ran before it in
 * the same JVM. Registered by JUnit's extension autodetection ({@code junit-platform.properties}).
 */
public final class FreshSeeds implements BeforeEachCallback {
  @Override
  public void beforeEach(ExtensionContext context) {
    Seeds.setGlobalSeed(0);
  }
}

package dev.sonnet.conformance;

import dev.sonnet.backend.BackendProvider;
import dev.sonnet.backend.Backends;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Disables the conformance suite where it cannot run, saying why:
 *
 * <ul>
 *   <li>no backend is on the classpath: in {@code api} itself, which compiles the suite but has no
 *       runtime (a {@code -Dtest=...} filter would otherwise run it there); each runtime runs the
 *       suite with its backend;
 *   <li>the backend forced with {@code -Dsonnet.backend} (or {@code SONNET_BACKEND}) is on the
 *       classpath but unavailable on this machine, e.g. the OpenCL runtime where no OpenCL platform
 *       or device exists: the reason is the provider's own.
 * </ul>
 *
 * <p>A forced name that no provider has still runs the suite, which then fails naming the backends
 * that exist: a typo must not pass as a skip. Registered by JUnit's extension autodetection ({@code
 * junit-platform.properties}).
 */
public final class RequiresBackendCondition implements ExecutionCondition {
  private static volatile ConditionEvaluationResult verdict;

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    boolean conformance =
        context
            .getTestClass()
            .map(c -> c.getPackageName().startsWith("dev.sonnet.conformance"))
            .orElse(false);
    if (!conformance) {
      return ConditionEvaluationResult.enabled("not a conformance test");
    }
    ConditionEvaluationResult v = verdict;
    if (v == null) {
      v = evaluate();
      verdict = v;
    }
    return v;
  }

  private static ConditionEvaluationResult evaluate() {
    if (Backends.providers().isEmpty()) {
      return ConditionEvaluationResult.disabled(
          "no backend on the classpath: the conformance suite runs in each runtime module");
    }
    String forced = System.getProperty(Backends.PROPERTY);
    if (forced == null || forced.isBlank()) {
      forced = System.getenv(Backends.ENV);
    }
    if (forced == null || forced.isBlank()) {
      return ConditionEvaluationResult.enabled("a backend is on the classpath");
    }
    for (BackendProvider p : Backends.providers()) {
      if (p.name().equals(forced.trim())) {
        BackendProvider.Availability a = p.availability();
        return a.available()
            ? ConditionEvaluationResult.enabled("backend '" + p.name() + "' is available")
            : ConditionEvaluationResult.disabled(
                "backend '"
                    + p.name()
                    + "' (forced with -D"
                    + Backends.PROPERTY
                    + ") is unavailable on this machine: "
                    + a.reason());
      }
    }
    return ConditionEvaluationResult.enabled(
        "backend '"
            + forced
            + "' is unknown; the tests "
            + "will fail naming the backends that exist");
  }
}

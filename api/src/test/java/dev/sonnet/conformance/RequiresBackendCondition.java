package dev.sonnet.conformance;

import dev.sonnet.backend.Backends;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Disables the conformance suite where no backend is on the classpath: in {@code api} itself,
 * which compiles the suite but has no runtime (a {@code -Dtest=...} filter would otherwise run it
 * there). Each runtime runs the suite with its backend. Registered by JUnit's extension
 * autodetection ({@code junit-platform.properties}).
 */
public final class RequiresBackendCondition implements ExecutionCondition {
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    boolean conformance = context.getTestClass()
        .map(c -> c.getPackageName().startsWith("dev.sonnet.conformance"))
        .orElse(false);
    if (conformance && Backends.providers().isEmpty()) {
      return ConditionEvaluationResult.disabled(
          "no backend on the classpath: the conformance suite runs in each runtime module");
    }
    return ConditionEvaluationResult.enabled("backend present or not a conformance test");
  }
}

package dev.sonnet.runtime.cpu;

import com.google.auto.service.AutoService;
import dev.sonnet.backend.Backend;
import dev.sonnet.backend.BackendProvider;

/**
 * Registers the CPU backend. Always available: a missing {@code jdk.incubator.vector} module only
 * turns the vector kernels off (with the reason logged), never the backend.
 */
@AutoService(BackendProvider.class)
public final class CpuBackendProvider implements BackendProvider {
  /** Below any accelerator backend, so a GPU runtime on the classpath wins by default. */
  public static final int PRIORITY = 10;

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public int priority() {
    return PRIORITY;
  }

  @Override
  public Availability availability() {
    return Availability.yes();
  }

  @Override
  public Backend create() {
    return new CpuBackend();
  }
}

package dev.sonnet.backend;

/**
 * Makes a {@link Backend} known to {@link Backends}. Runtimes register an implementation through
 * {@code META-INF/services} (via {@code @AutoService(BackendProvider.class)}).
 *
 * <p>Providers must be cheap: {@link #availability()} probes (catching a missing native library),
 * {@link #create()} does the expensive work and is called at most once per process.
 */
public interface BackendProvider {
  /** The name users select with {@code -Dsonnet.backend=NAME}, e.g. {@code cpu}. */
  String name();

  /** Higher wins when nothing is forced: a GPU runtime outranks the CPU one. */
  int priority();

  /** Whether {@link #create()} can succeed here, and if not, why. */
  Availability availability();

  /** Creates the backend. Called once, lazily, and only when available. */
  Backend create();

  /** Whether a provider can run on this machine; {@code reason} explains a refusal. */
  record Availability(boolean available, String reason) {
    public static Availability yes() {
      return new Availability(true, "available");
    }

    public static Availability no(String reason) {
      return new Availability(false, reason);
    }
  }
}

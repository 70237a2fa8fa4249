package dev.sonnet.backend;

import dev.sonnet.SonnetException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds backends on the classpath and picks the default one.
 *
 * <p>The default is the available provider with the highest priority, unless forced by the system
 * property {@value #PROPERTY} or, failing that, the environment variable {@value #ENV}. A forced
 * name that is unknown or unavailable is an error listing what exists; the choice is logged once.
 */
public final class Backends {
  /** System property that forces a backend by name. */
  public static final String PROPERTY = "sonnet.backend";

  /** Environment variable that forces a backend by name when the property is unset. */
  public static final String ENV = "SONNET_BACKEND";

  private static final System.Logger LOG = System.getLogger(Backends.class.getName());
  private static final Map<String, Backend> CREATED = new ConcurrentHashMap<>();
  private static volatile Backend defaultBackend;

  /** A default for one thread (a replica's device), set by {@link #withDefault}. */
  private static final ThreadLocal<Backend> THREAD_DEFAULT = new ThreadLocal<>();

  private Backends() {}

  /**
   * The backend new tensors are made on: the calling thread's own default inside {@link
   * #withDefault}, else the process-wide default, chosen on first use.
   */
  public static Backend getDefault() {
    Backend t = THREAD_DEFAULT.get();
    if (t != null) {
      return t;
    }
    Backend b = defaultBackend;
    if (b == null) {
      synchronized (Backends.class) {
        b = defaultBackend;
        if (b == null) {
          b = chooseDefault();
          LOG.log(Level.INFO, "Sonnet backend: {0} ({1})", b.name(), b.deviceName());
          defaultBackend = b;
        }
      }
    }
    return b;
  }

  /**
   * Runs {@code body} with {@code backend} as the calling thread's default (other threads keep
   * theirs), and returns its result: how a replica on one of several devices makes its constants
   * and inputs on its own device. Calls nest.
   */
  public static <T> T withDefault(Backend backend, java.util.function.Supplier<T> body) {
    java.util.Objects.requireNonNull(backend, "backend");
    Backend previous = THREAD_DEFAULT.get();
    THREAD_DEFAULT.set(backend);
    try {
      return body.get();
    } finally {
      if (previous == null) {
        THREAD_DEFAULT.remove();
      } else {
        THREAD_DEFAULT.set(previous);
      }
    }
  }

  /** The backend named {@code name}, created on first request. */
  public static Backend get(String name) {
    return CREATED.computeIfAbsent(name, n -> create(find(n)));
  }

  /** Every provider on the classpath, highest priority first. */
  public static List<BackendProvider> providers() {
    List<BackendProvider> list = new ArrayList<>();
    ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader()).forEach(list::add);
    list.sort(
        Comparator.comparingInt(BackendProvider::priority)
            .reversed()
            .thenComparing(BackendProvider::name));
    return list;
  }

  private static Backend chooseDefault() {
    String forced = System.getProperty(PROPERTY);
    if (forced == null || forced.isBlank()) {
      forced = System.getenv(ENV);
    }
    if (forced != null && !forced.isBlank()) {
      return get(forced.trim());
    }
    List<BackendProvider> providers = providers();
    if (providers.isEmpty()) {
      throw new SonnetException(
          "No Sonnet backend found on the classpath. Add a runtime, e.g. "
              + "the Maven artifact dev.sonnet:sonnet-runtime-cpu.");
    }
    StringBuilder refusals = new StringBuilder();
    for (BackendProvider p : providers) {
      BackendProvider.Availability a = p.availability();
      if (a.available()) {
        return get(p.name());
      }
      refusals.append("\n  ").append(p.name()).append(": ").append(a.reason());
    }
    throw new SonnetException("No Sonnet backend is available on this machine:" + refusals);
  }

  private static BackendProvider find(String name) {
    // Match by name before sorting: sorting asks every provider its priority, which may probe a
    // native library (OpenCL) that a user forcing another backend never needs loaded.
    List<BackendProvider> providers = new ArrayList<>();
    ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())
        .forEach(providers::add);
    for (BackendProvider p : providers) {
      if (p.name().equals(name)) {
        BackendProvider.Availability a = p.availability();
        if (!a.available()) {
          throw new SonnetException(
              "Backend '" + name + "' is on the classpath but unavailable: " + a.reason());
        }
        return p;
      }
    }
    List<String> names = providers.stream().map(BackendProvider::name).sorted().toList();
    throw new SonnetException(
        "Unknown Sonnet backend '"
            + name
            + "'. Available: "
            + names
            + (names.isEmpty() ? " (add dev.sonnet:sonnet-runtime-cpu to the classpath)" : ""));
  }

  private static Backend create(BackendProvider provider) {
    return provider.create();
  }
}

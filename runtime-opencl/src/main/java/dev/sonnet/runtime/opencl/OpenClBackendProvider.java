package dev.sonnet.runtime.opencl;

import com.google.auto.service.AutoService;
import dev.sonnet.backend.Backend;
import dev.sonnet.backend.BackendProvider;
import java.lang.System.Logger.Level;

/**
 * Registers the OpenCL backend under the name {@value #NAME}.
 *
 * <p>Availability loads the OpenCL library through JOCL and looks for the device that {@link
 * OpenClSettings} asks for (a GPU unless told otherwise); a missing library, no platform or no
 * matching device makes the provider unavailable with the reason, never a crash. The probe runs
 * once per process and settings. With a GPU the provider outranks the CPU runtime ({@value
 * #GPU_PRIORITY} against 10), so putting this jar on the classpath is enough; an OpenCL CPU device
 * (PoCL) ranks below it ({@value #CPU_PRIORITY}) and is used when forced with {@code
 * -Dsonnet.backend=opencl}.
 */
@AutoService(BackendProvider.class)
public final class OpenClBackendProvider implements BackendProvider {
  /** The backend's name, for {@code -Dsonnet.backend=opencl}. */
  public static final String NAME = "opencl";

  /** Priority with a GPU: above the CPU runtime's 10. */
  public static final int GPU_PRIORITY = 20;

  /** Priority with a non-GPU device, or none: below the CPU runtime. */
  public static final int CPU_PRIORITY = 5;

  private static final System.Logger LOG = System.getLogger(OpenClBackendProvider.class.getName());
  private static volatile Probe probe;

  /** The device choice for one set of settings, made once. */
  private record Probe(OpenClSettings settings, DeviceCatalog.Entry entry, String refusal) {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    Probe p = probe();
    return p.entry() != null && p.entry().isGpu() ? GPU_PRIORITY : CPU_PRIORITY;
  }

  @Override
  public Availability availability() {
    Probe p = probe();
    return p.entry() != null ? Availability.yes() : Availability.no(p.refusal());
  }

  @Override
  public Backend create() {
    Probe p = probe();
    if (p.entry() == null) {
      throw new OpenClException("The OpenCL backend is unavailable: " + p.refusal(), 0);
    }
    OpenClBackend backend = new OpenClBackend(new OpenClDevice(p.entry()));
    LOG.log(Level.DEBUG, "OpenCL backend on {0}", backend.deviceName());
    return backend;
  }

  /**
   * One backend per device of the platform and type the settings ask for (with any type allowed:
   * the GPUs if there are any), in the platform's order: the replicas of data-parallel training,
   * {@code Replicator.onBackends(OpenClBackendProvider.perDevice())}, one per device. Each call
   * makes new backends; the default backend ({@code Backends.get("opencl")}) is another instance.
   *
   * @throws OpenClException if OpenCL is unavailable or no device matches
   */
  public static java.util.List<Backend> perDevice() {
    OpenClSettings settings = OpenClSettings.current();
    java.util.List<DeviceCatalog.Entry> devices;
    try {
      DeviceCatalog catalog = DeviceCatalog.scan();
      devices = catalog.candidates(settings);
      if (devices.isEmpty()) {
        throw new OpenClException(
            "No OpenCL device for replicas: " + catalog.choose(settings).refusal(), 0);
      }
    } catch (LinkageError e) {
      throw new OpenClException("The OpenCL library could not be loaded: " + e, 0);
    }
    boolean gpus = devices.stream().anyMatch(DeviceCatalog.Entry::isGpu);
    java.util.List<Backend> out = new java.util.ArrayList<>();
    for (DeviceCatalog.Entry e : devices) {
      if (!gpus || e.isGpu()) {
        out.add(new OpenClBackend(new OpenClDevice(e)));
      }
    }
    return java.util.List.copyOf(out);
  }

  private static Probe probe() {
    OpenClSettings settings;
    try {
      settings = OpenClSettings.current();
    } catch (OpenClException e) {
      return new Probe(null, null, e.getMessage());
    }
    Probe p = probe;
    if (p == null || !settings.equals(p.settings())) {
      synchronized (OpenClBackendProvider.class) {
        p = probe;
        if (p == null || !settings.equals(p.settings())) {
          p = scan(settings);
          probe = p;
        }
      }
    }
    return p;
  }

  private static Probe scan(OpenClSettings settings) {
    try {
      DeviceCatalog.Choice choice = DeviceCatalog.scan().choose(settings);
      return new Probe(settings, choice.entry(), choice.refusal());
    } catch (LinkageError e) {
      return new Probe(
          settings,
          null,
          "the OpenCL library could not be loaded ("
              + e
              + "). Install an OpenCL driver and the ICD loader (on Debian/Ubuntu: "
              + "'apt-get install ocl-icd-libopencl1', plus e.g. pocl-opencl-icd for the CPU)");
    } catch (RuntimeException e) {
      return new Probe(settings, null, "listing OpenCL devices failed: " + e.getMessage());
    }
  }
}

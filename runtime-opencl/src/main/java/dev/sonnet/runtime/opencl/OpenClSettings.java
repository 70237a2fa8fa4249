package dev.sonnet.runtime.opencl;

import java.util.Locale;

/**
 * Which OpenCL platform and device to use, read from system properties or, where a property is
 * unset, the matching environment variable.
 *
 * <ul>
 *   <li>{@value #DEVICE_TYPE_PROPERTY} ({@code SONNET_OPENCL_DEVICE_TYPE}): {@code gpu} (the
 *       default), {@code cpu}, {@code accelerator} or {@code any}. The default takes GPUs only, so
 *       that a CPU OpenCL driver such as PoCL is used only when asked for; {@code any} prefers a
 *       GPU and falls back to other devices.
 *   <li>{@value #PLATFORM_PROPERTY} ({@code SONNET_OPENCL_PLATFORM}): a platform index as listed by
 *       {@code clinfo -l}, or a case-insensitive substring of its name, e.g. {@code NVIDIA} or
 *       {@code Portable}. Default: every platform.
 *   <li>{@value #DEVICE_PROPERTY} ({@code SONNET_OPENCL_DEVICE}): an index into the devices that
 *       pass the two filters above (in platform order), or a case-insensitive substring of the
 *       device name. Default: the first such device (a GPU first under {@code any}).
 * </ul>
 */
record OpenClSettings(String platform, String device, DeviceType deviceType) {
  /** System property choosing the platform by index or name substring. */
  static final String PLATFORM_PROPERTY = "sonnet.opencl.platform";

  /** System property choosing the device by index or name substring. */
  static final String DEVICE_PROPERTY = "sonnet.opencl.device";

  /** System property choosing the kind of device: gpu, cpu, accelerator or any. */
  static final String DEVICE_TYPE_PROPERTY = "sonnet.opencl.deviceType";

  static final String PLATFORM_ENV = "SONNET_OPENCL_PLATFORM";
  static final String DEVICE_ENV = "SONNET_OPENCL_DEVICE";
  static final String DEVICE_TYPE_ENV = "SONNET_OPENCL_DEVICE_TYPE";

  /** Kinds of OpenCL device a user can ask for. */
  enum DeviceType {
    GPU,
    CPU,
    ACCELERATOR,
    ANY;

    String option() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The settings in force now. */
  static OpenClSettings current() {
    String type = read(DEVICE_TYPE_PROPERTY, DEVICE_TYPE_ENV);
    return new OpenClSettings(
        read(PLATFORM_PROPERTY, PLATFORM_ENV), read(DEVICE_PROPERTY, DEVICE_ENV), parseType(type));
  }

  static DeviceType parseType(String value) {
    if (value == null) {
      return DeviceType.GPU;
    }
    for (DeviceType t : DeviceType.values()) {
      if (t.option().equals(value.toLowerCase(Locale.ROOT))) {
        return t;
      }
    }
    throw new OpenClException(
        "Unknown OpenCL device type '"
            + value
            + "' in -D"
            + DEVICE_TYPE_PROPERTY
            + " (or "
            + DEVICE_TYPE_ENV
            + "); use gpu, cpu, accelerator or "
            + "any",
        0);
  }

  private static String read(String property, String env) {
    String v = System.getProperty(property);
    if (v == null || v.isBlank()) {
      v = System.getenv(env);
    }
    return v == null || v.isBlank() ? null : v.trim();
  }
}

package dev.sonnet.runtime.opencl;

import static org.jocl.CL.CL_DEVICE_NAME;
import static org.jocl.CL.CL_DEVICE_TYPE;
import static org.jocl.CL.CL_DEVICE_TYPE_ACCELERATOR;
import static org.jocl.CL.CL_DEVICE_TYPE_ALL;
import static org.jocl.CL.CL_DEVICE_TYPE_CPU;
import static org.jocl.CL.CL_DEVICE_TYPE_GPU;
import static org.jocl.CL.CL_PLATFORM_NAME;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * The OpenCL platforms and devices of this machine, and the choice among them that {@link
 * OpenClSettings} describes. Listing devices loads the OpenCL library; the caller catches a missing
 * one ({@link LinkageError}).
 */
final class DeviceCatalog {
  /** One device of one platform. */
  record Entry(
      int platformIndex,
      String platformName,
      cl_platform_id platform,
      String name,
      long type,
      cl_device_id device) {
    boolean isGpu() {
      return (type & CL_DEVICE_TYPE_GPU) != 0;
    }

    String typeName() {
      if (isGpu()) {
        return "GPU";
      }
      if ((type & CL_DEVICE_TYPE_CPU) != 0) {
        return "CPU";
      }
      return (type & CL_DEVICE_TYPE_ACCELERATOR) != 0 ? "accelerator" : "other";
    }

    String describe() {
      return platformName + " / " + name + " (" + typeName() + ")";
    }
  }

  /** The outcome of a choice: a device, or why there is none. */
  record Choice(Entry entry, String refusal) {}

  private final List<Entry> entries;

  private DeviceCatalog(List<Entry> entries) {
    this.entries = entries;
  }

  /** Lists every device of every platform. */
  static DeviceCatalog scan() {
    int[] count = new int[1];
    int status = CL.clGetPlatformIDs(0, null, count);
    if (status == ClErrors.PLATFORM_NOT_FOUND_KHR || count[0] == 0) {
      return new DeviceCatalog(List.of());
    }
    ClErrors.check(status, "clGetPlatformIDs");
    cl_platform_id[] platforms = new cl_platform_id[count[0]];
    ClErrors.check(CL.clGetPlatformIDs(platforms.length, platforms, null), "clGetPlatformIDs");
    List<Entry> list = new ArrayList<>();
    for (int p = 0; p < platforms.length; p++) {
      String platformName = platformString(platforms[p], CL_PLATFORM_NAME);
      int[] n = new int[1];
      int s = CL.clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, 0, null, n);
      if (s != 0 || n[0] == 0) {
        continue; // CL_DEVICE_NOT_FOUND: a platform without devices
      }
      cl_device_id[] devices = new cl_device_id[n[0]];
      ClErrors.check(
          CL.clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, devices.length, devices, null),
          "clGetDeviceIDs");
      for (cl_device_id d : devices) {
        list.add(
            new Entry(
                p,
                platformName,
                platforms[p],
                deviceString(d, CL_DEVICE_NAME),
                deviceLong(d, CL_DEVICE_TYPE),
                d));
      }
    }
    return new DeviceCatalog(List.copyOf(list));
  }

  /** A catalog of the given devices (for tests of the choice). */
  static DeviceCatalog of(List<Entry> entries) {
    return new DeviceCatalog(List.copyOf(entries));
  }

  List<Entry> entries() {
    return entries;
  }

  /**
   * The devices of the platform and type {@code settings} ask for (GPUs first when any type will
   * do), whatever device they name.
   */
  List<Entry> candidates(OpenClSettings settings) {
    List<Entry> candidates = new ArrayList<>();
    for (Entry e : entries) {
      if (matchesPlatform(e, settings.platform()) && matchesType(e, settings.deviceType())) {
        candidates.add(e);
      }
    }
    if (settings.deviceType() == OpenClSettings.DeviceType.ANY) {
      candidates.sort((a, b) -> Boolean.compare(b.isGpu(), a.isGpu()));
    }
    return candidates;
  }

  /** Picks the device {@code settings} ask for, or explains why none fits. */
  Choice choose(OpenClSettings settings) {
    if (entries.isEmpty()) {
      return new Choice(
          null,
          "no OpenCL platform with a device is installed (the ICD loader "
              + "found none). Install a driver, e.g. 'apt-get install pocl-opencl-icd' for the CPU");
    }
    List<Entry> candidates = candidates(settings);
    if (candidates.isEmpty()) {
      return new Choice(
          null,
          "no OpenCL device matches "
              + describe(settings)
              + "; devices "
              + "present: "
              + listing()
              + typeHint(settings));
    }
    String want = settings.device();
    if (want == null) {
      return new Choice(candidates.get(0), null);
    }
    if (want.chars().allMatch(Character::isDigit)) {
      int index = Integer.parseInt(want);
      if (index < candidates.size()) {
        return new Choice(candidates.get(index), null);
      }
      return new Choice(
          null,
          "OpenCL device index "
              + index
              + " (-D"
              + OpenClSettings.DEVICE_PROPERTY
              + ") is out of range: "
              + candidates.size()
              + " device(s) match "
              + describe(settings)
              + ": "
              + listing(candidates));
    }
    for (Entry e : candidates) {
      if (e.name().toLowerCase(Locale.ROOT).contains(want.toLowerCase(Locale.ROOT))) {
        return new Choice(e, null);
      }
    }
    return new Choice(
        null,
        "no OpenCL device name contains '"
            + want
            + "' among those matching "
            + describe(settings)
            + ": "
            + listing(candidates));
  }

  /** Every device, numbered, for error messages. */
  String listing() {
    return listing(entries);
  }

  private static String listing(List<Entry> list) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < list.size(); i++) {
      sb.append(i == 0 ? "" : ", ")
          .append('[')
          .append(i)
          .append("] ")
          .append(list.get(i).describe());
    }
    return sb.toString();
  }

  private static String describe(OpenClSettings s) {
    return "device type "
        + s.deviceType().option()
        + (s.platform() == null ? "" : " on platform '" + s.platform() + "'");
  }

  private String typeHint(OpenClSettings s) {
    if (s.deviceType() == OpenClSettings.DeviceType.GPU) {
      return ". OpenCL CPU devices (such as PoCL) are used only when asked for: set -D"
          + OpenClSettings.DEVICE_TYPE_PROPERTY
          + "=cpu (or "
          + OpenClSettings.DEVICE_TYPE_ENV
          + "=cpu), or =any to prefer a GPU and fall back to any device";
    }
    return "";
  }

  private static boolean matchesPlatform(Entry e, String want) {
    if (want == null) {
      return true;
    }
    if (want.chars().allMatch(Character::isDigit)) {
      return e.platformIndex() == Integer.parseInt(want);
    }
    return e.platformName().toLowerCase(Locale.ROOT).contains(want.toLowerCase(Locale.ROOT));
  }

  private static boolean matchesType(Entry e, OpenClSettings.DeviceType type) {
    return switch (type) {
      case GPU -> e.isGpu();
      case CPU -> (e.type() & CL_DEVICE_TYPE_CPU) != 0;
      case ACCELERATOR -> (e.type() & CL_DEVICE_TYPE_ACCELERATOR) != 0;
      case ANY -> true;
    };
  }

  static String platformString(cl_platform_id platform, int param) {
    long[] size = new long[1];
    ClErrors.check(CL.clGetPlatformInfo(platform, param, 0, null, size), "clGetPlatformInfo");
    byte[] bytes = new byte[(int) size[0]];
    ClErrors.check(
        CL.clGetPlatformInfo(platform, param, bytes.length, Pointer.to(bytes), null),
        "clGetPlatformInfo");
    return cString(bytes);
  }

  static String deviceString(cl_device_id device, int param) {
    long[] size = new long[1];
    ClErrors.check(CL.clGetDeviceInfo(device, param, 0, null, size), "clGetDeviceInfo");
    byte[] bytes = new byte[(int) size[0]];
    ClErrors.check(
        CL.clGetDeviceInfo(device, param, bytes.length, Pointer.to(bytes), null),
        "clGetDeviceInfo");
    return cString(bytes);
  }

  /** A {@code cl_ulong} or {@code cl_bitfield} device property. */
  static long deviceLong(cl_device_id device, int param) {
    long[] v = new long[1];
    ClErrors.check(
        CL.clGetDeviceInfo(device, param, Sizeof.cl_ulong, Pointer.to(v), null), "clGetDeviceInfo");
    return v[0];
  }

  /** A {@code cl_uint} device property. */
  static int deviceInt(cl_device_id device, int param) {
    int[] v = new int[1];
    ClErrors.check(
        CL.clGetDeviceInfo(device, param, Sizeof.cl_uint, Pointer.to(v), null), "clGetDeviceInfo");
    return v[0];
  }

  /** A {@code size_t} device property. */
  static long deviceSize(cl_device_id device, int param) {
    if (Sizeof.size_t == Sizeof.cl_uint) {
      return deviceInt(device, param) & 0xffffffffL;
    }
    return deviceLong(device, param);
  }

  private static String cString(byte[] bytes) {
    int n = 0;
    while (n < bytes.length && bytes[n] != 0) {
      n++;
    }
    return new String(bytes, 0, n, StandardCharsets.UTF_8).trim();
  }
}

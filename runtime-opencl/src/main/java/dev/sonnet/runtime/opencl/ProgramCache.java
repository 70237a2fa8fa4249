package dev.sonnet.runtime.opencl;

import dev.sonnet.tensor.DType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compiles the {@code .cl} resources of this package once per device and build options, and keeps
 * them for the life of the process. Every source is prefixed with {@code common.cl} (pragmas and
 * index helpers). Dtypes become {@code -D} defines: a typed program gets {@code T} (the storage
 * type) and one of {@code IS_F32}, {@code IS_F64}, {@code IS_I32}, {@code IS_I64}, {@code IS_BOOL};
 * a sized program (kernels that only move elements) gets {@code E}, an unsigned type of the
 * element's width.
 */
final class ProgramCache {
  private static final String RESOURCE_DIR = "kernels/";

  private final OpenClDevice device;
  private final String baseOptions;
  private final Map<String, KernelProgram> programs = new ConcurrentHashMap<>();
  private final Map<String, String> sources = new ConcurrentHashMap<>();

  ProgramCache(OpenClDevice device, int localSize) {
    this.device = device;
    this.baseOptions =
        "-cl-std=CL1.2 -DLS="
            + localSize
            + (device.fp64() ? " -DHAS_FP64" : "")
            + (device.correctlyRoundedDivideSqrt()
                ? " -cl-fp32-correctly-rounded-divide-sqrt"
                : "");
  }

  /** {@code file} compiled for element type {@code dtype}, plus {@code extra} options. */
  KernelProgram typed(String file, DType dtype, String extra) {
    requireSupported(dtype);
    return get(file, typeDefines(dtype) + (extra.isEmpty() ? "" : " " + extra));
  }

  /** {@code file} compiled with no type options (its kernels name their types). */
  KernelProgram plain(String file) {
    return get(file, "");
  }

  /** {@code file} compiled for elements of {@code bytes} bytes (1, 2, 4 or 8). */
  KernelProgram sized(String file, int bytes) {
    String e =
        switch (bytes) {
          case 1 -> "uchar";
          case 2 -> "ushort";
          case 4 -> "uint";
          case 8 -> "ulong";
          default -> throw new IllegalArgumentException("element size " + bytes);
        };
    return get(file, "-DE=" + e);
  }

  /** Throws a clear error when the device cannot compute in {@code dtype}. */
  void requireSupported(DType dtype) {
    if (dtype == DType.FLOAT64 && !device.fp64()) {
      throw new OpenClException(
          "FLOAT64 needs an OpenCL device with double precision "
              + "(cl_khr_fp64), and "
              + device.describe()
              + " has none. Cast to FLOAT32 "
              + "(tensor.cast(DType.FLOAT32)) or choose another device with -D"
              + OpenClSettings.DEVICE_PROPERTY,
          0);
    }
  }

  private KernelProgram get(String file, String options) {
    String all = baseOptions + " " + options;
    return programs.computeIfAbsent(
        file + "|" + all,
        k -> KernelProgram.build(device, file + " [" + options + "]", source(file), all));
  }

  static String typeDefines(DType dtype) {
    return switch (dtype) {
      case FLOAT32 -> "-DT=float -DIS_F32";
      case FLOAT64 -> "-DT=double -DIS_F64";
      case INT32 -> "-DT=int -DUT=uint -DIS_I32";
      case INT64 -> "-DT=long -DUT=ulong -DIS_I64";
      case BOOL -> "-DT=uchar -DIS_BOOL";
      case BFLOAT16, FLOAT16 ->
          throw new IllegalArgumentException(
              dtype + " has no typed kernels: 16-bit floats are only stored and converted");
    };
  }

  private String source(String file) {
    return sources.computeIfAbsent(file, f -> read("common.cl") + "\n" + read(f));
  }

  private static String read(String file) {
    try (InputStream in = ProgramCache.class.getResourceAsStream(RESOURCE_DIR + file)) {
      if (in == null) {
        throw new IllegalStateException(
            "OpenCL kernel resource "
                + RESOURCE_DIR
                + file
                + " is missing from the sonnet-runtime-opencl jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("reading OpenCL kernel resource " + file, e);
    }
  }
}

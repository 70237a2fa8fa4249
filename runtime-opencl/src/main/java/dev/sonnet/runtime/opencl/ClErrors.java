package dev.sonnet.runtime.opencl;

/**
 * Turns OpenCL status codes into named errors: {@code clEnqueueNDRangeKernel failed:
 * CL_OUT_OF_RESOURCES (-5)}. The names are those of the OpenCL 3.0 headers ({@code cl.h}) and the
 * ICD loader's {@code CL_PLATFORM_NOT_FOUND_KHR}.
 */
final class ClErrors {
  /** Status codes 0 to -72, by their negation. */
  private static final String[] CORE = {
    "CL_SUCCESS",
    "CL_DEVICE_NOT_FOUND",
    "CL_DEVICE_NOT_AVAILABLE",
    "CL_COMPILER_NOT_AVAILABLE",
    "CL_MEM_OBJECT_ALLOCATION_FAILURE",
    "CL_OUT_OF_RESOURCES",
    "CL_OUT_OF_HOST_MEMORY",
    "CL_PROFILING_INFO_NOT_AVAILABLE",
    "CL_MEM_COPY_OVERLAP",
    "CL_IMAGE_FORMAT_MISMATCH",
    "CL_IMAGE_FORMAT_NOT_SUPPORTED",
    "CL_BUILD_PROGRAM_FAILURE",
    "CL_MAP_FAILURE",
    "CL_MISALIGNED_SUB_BUFFER_OFFSET",
    "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST",
    "CL_COMPILE_PROGRAM_FAILURE",
    "CL_LINKER_NOT_AVAILABLE",
    "CL_LINK_PROGRAM_FAILURE",
    "CL_DEVICE_PARTITION_FAILED",
    "CL_KERNEL_ARG_INFO_NOT_AVAILABLE",
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    "CL_INVALID_VALUE",
    "CL_INVALID_DEVICE_TYPE",
    "CL_INVALID_PLATFORM",
    "CL_INVALID_DEVICE",
    "CL_INVALID_CONTEXT",
    "CL_INVALID_QUEUE_PROPERTIES",
    "CL_INVALID_COMMAND_QUEUE",
    "CL_INVALID_HOST_PTR",
    "CL_INVALID_MEM_OBJECT",
    "CL_INVALID_IMAGE_FORMAT_DESCRIPTOR",
    "CL_INVALID_IMAGE_SIZE",
    "CL_INVALID_SAMPLER",
    "CL_INVALID_BINARY",
    "CL_INVALID_BUILD_OPTIONS",
    "CL_INVALID_PROGRAM",
    "CL_INVALID_PROGRAM_EXECUTABLE",
    "CL_INVALID_KERNEL_NAME",
    "CL_INVALID_KERNEL_DEFINITION",
    "CL_INVALID_KERNEL",
    "CL_INVALID_ARG_INDEX",
    "CL_INVALID_ARG_VALUE",
    "CL_INVALID_ARG_SIZE",
    "CL_INVALID_KERNEL_ARGS",
    "CL_INVALID_WORK_DIMENSION",
    "CL_INVALID_WORK_GROUP_SIZE",
    "CL_INVALID_WORK_ITEM_SIZE",
    "CL_INVALID_GLOBAL_OFFSET",
    "CL_INVALID_EVENT_WAIT_LIST",
    "CL_INVALID_EVENT",
    "CL_INVALID_OPERATION",
    "CL_INVALID_GL_OBJECT",
    "CL_INVALID_BUFFER_SIZE",
    "CL_INVALID_MIP_LEVEL",
    "CL_INVALID_GLOBAL_WORK_SIZE",
    "CL_INVALID_PROPERTY",
    "CL_INVALID_IMAGE_DESCRIPTOR",
    "CL_INVALID_COMPILER_OPTIONS",
    "CL_INVALID_LINKER_OPTIONS",
    "CL_INVALID_DEVICE_PARTITION_COUNT",
    "CL_INVALID_PIPE_SIZE",
    "CL_INVALID_DEVICE_QUEUE",
    "CL_INVALID_SPEC_ID",
    "CL_MAX_SIZE_RESTRICTION_EXCEEDED",
  };

  /** {@code CL_PLATFORM_NOT_FOUND_KHR}: the ICD loader found no platform. */
  static final int PLATFORM_NOT_FOUND_KHR = -1001;

  static final int MEM_OBJECT_ALLOCATION_FAILURE = -4;
  static final int OUT_OF_RESOURCES = -5;
  static final int OUT_OF_HOST_MEMORY = -6;
  static final int BUILD_PROGRAM_FAILURE = -11;

  private ClErrors() {}

  /** The symbolic name of {@code status}, or {@code UNKNOWN_OPENCL_STATUS} for a code not known. */
  static String name(int status) {
    if (status <= 0 && -status < CORE.length && CORE[-status] != null) {
      return CORE[-status];
    }
    if (status == PLATFORM_NOT_FOUND_KHR) {
      return "CL_PLATFORM_NOT_FOUND_KHR";
    }
    return "UNKNOWN_OPENCL_STATUS";
  }

  /** {@code call failed: NAME (code)}. */
  static String describe(String call, int status) {
    return call + " failed: " + name(status) + " (" + status + ")";
  }

  /** Throws a named {@link OpenClException} unless {@code status} is {@code CL_SUCCESS}. */
  static void check(int status, String call) {
    if (status != 0) {
      throw new OpenClException(describe(call, status) + hint(status), status);
    }
  }

  /** True for the statuses a device reports when memory runs out. */
  static boolean isOutOfMemory(int status) {
    return status == MEM_OBJECT_ALLOCATION_FAILURE
        || status == OUT_OF_RESOURCES
        || status == OUT_OF_HOST_MEMORY;
  }

  private static String hint(int status) {
    if (isOutOfMemory(status)) {
      return ". The device ran out of memory or resources; release tensors you no longer need "
          + "(tensor.release()) or use smaller batches";
    }
    if (status == PLATFORM_NOT_FOUND_KHR) {
      return ". No OpenCL platform is installed; on Linux install a driver's ICD, e.g. "
          + "'apt-get install pocl-opencl-icd' for the CPU";
    }
    return "";
  }
}

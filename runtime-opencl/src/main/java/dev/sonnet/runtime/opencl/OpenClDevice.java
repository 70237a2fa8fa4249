package dev.sonnet.runtime.opencl;

import static org.jocl.CL.CL_DEVICE_DOUBLE_FP_CONFIG;
import static org.jocl.CL.CL_DEVICE_EXTENSIONS;
import static org.jocl.CL.CL_DEVICE_GLOBAL_MEM_SIZE;
import static org.jocl.CL.CL_DEVICE_LOCAL_MEM_SIZE;
import static org.jocl.CL.CL_DEVICE_MAX_COMPUTE_UNITS;
import static org.jocl.CL.CL_DEVICE_MAX_MEM_ALLOC_SIZE;
import static org.jocl.CL.CL_DEVICE_MAX_WORK_GROUP_SIZE;
import static org.jocl.CL.CL_DEVICE_SINGLE_FP_CONFIG;
import static org.jocl.CL.CL_DEVICE_VERSION;
import static org.jocl.CL.CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT;

import org.jocl.CL;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;

/**
 * One OpenCL device with its context and its single in-order command queue, plus the device
 * properties the kernels are tuned by. Every kernel of a backend goes through this one queue, so
 * commands run in the order they were enqueued and the host never waits except to read.
 */
final class OpenClDevice {
  private final DeviceCatalog.Entry entry;
  private final cl_context context;
  private final cl_command_queue queue;
  private final boolean gpu;
  private final boolean fp64;
  private final boolean correctlyRoundedDivideSqrt;
  private final long globalMemBytes;
  private final long maxAllocBytes;
  private final long localMemBytes;
  private final int maxWorkGroupSize;
  private final int computeUnits;
  private final String version;

  /** Commands enqueued after which the queue is flushed to the device. */
  static final int FLUSH_INTERVAL = 32;

  private int sinceFlush;

  OpenClDevice(DeviceCatalog.Entry entry) {
    this.entry = entry;
    cl_device_id id = entry.device();
    cl_context_properties props = new cl_context_properties();
    props.addProperty(CL.CL_CONTEXT_PLATFORM, entry.platform());
    int[] err = new int[1];
    context = CL.clCreateContext(props, 1, new cl_device_id[] {id}, null, null, err);
    ClErrors.check(err[0], "clCreateContext");
    @SuppressWarnings("deprecation")
    cl_command_queue q = CL.clCreateCommandQueue(context, id, 0, err);
    ClErrors.check(err[0], "clCreateCommandQueue");
    queue = q;
    gpu = entry.isGpu();
    String extensions = DeviceCatalog.deviceString(id, CL_DEVICE_EXTENSIONS);
    fp64 =
        extensions.contains("cl_khr_fp64")
            || DeviceCatalog.deviceLong(id, CL_DEVICE_DOUBLE_FP_CONFIG) != 0;
    correctlyRoundedDivideSqrt =
        (DeviceCatalog.deviceLong(id, CL_DEVICE_SINGLE_FP_CONFIG)
                & CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT)
            != 0;
    globalMemBytes = DeviceCatalog.deviceLong(id, CL_DEVICE_GLOBAL_MEM_SIZE);
    maxAllocBytes = DeviceCatalog.deviceLong(id, CL_DEVICE_MAX_MEM_ALLOC_SIZE);
    localMemBytes = DeviceCatalog.deviceLong(id, CL_DEVICE_LOCAL_MEM_SIZE);
    maxWorkGroupSize =
        (int)
            Math.min(
                Integer.MAX_VALUE, DeviceCatalog.deviceSize(id, CL_DEVICE_MAX_WORK_GROUP_SIZE));
    computeUnits = DeviceCatalog.deviceInt(id, CL_DEVICE_MAX_COMPUTE_UNITS);
    version = DeviceCatalog.deviceString(id, CL_DEVICE_VERSION);
  }

  cl_context context() {
    return context;
  }

  cl_command_queue queue() {
    return queue;
  }

  cl_device_id id() {
    return entry.device();
  }

  /** Platform, device name, type and version, e.g. for logs. */
  String describe() {
    return entry.describe()
        + ", "
        + version
        + ", "
        + computeUnits
        + " compute units, "
        + (globalMemBytes >> 20)
        + " MiB"
        + (fp64 ? ", fp64" : ", no fp64");
  }

  boolean isGpu() {
    return gpu;
  }

  /** Whether the device supports {@code double} ({@code cl_khr_fp64}). */
  boolean fp64() {
    return fp64;
  }

  /** Whether {@code -cl-fp32-correctly-rounded-divide-sqrt} is supported. */
  boolean correctlyRoundedDivideSqrt() {
    return correctlyRoundedDivideSqrt;
  }

  long globalMemBytes() {
    return globalMemBytes;
  }

  long maxAllocBytes() {
    return maxAllocBytes;
  }

  long localMemBytes() {
    return localMemBytes;
  }

  int maxWorkGroupSize() {
    return maxWorkGroupSize;
  }

  int computeUnits() {
    return computeUnits;
  }

  /**
   * Counts an enqueued command and, every {@value #FLUSH_INTERVAL} commands, submits the queue to
   * the device without waiting ({@code clFlush}), so that a long chain of kernels starts running
   * before the host first reads a value. Called under the backend's lock.
   */
  void enqueued() {
    if (++sinceFlush >= FLUSH_INTERVAL) {
      sinceFlush = 0;
      ClErrors.check(CL.clFlush(queue), "clFlush");
    }
  }

  /** Blocks until every command enqueued so far has finished. */
  void finish() {
    ClErrors.check(CL.clFinish(queue), "clFinish");
  }
}

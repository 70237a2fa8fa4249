package dev.sonnet.runtime.opencl;

import static org.jocl.CL.CL_MEM_COPY_HOST_PTR;
import static org.jocl.CL.CL_MEM_READ_WRITE;

import dev.sonnet.tensor.DType;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_mem;

/**
 * The allocator of one device: creates {@code cl_mem} objects, counts the bytes and buffers this
 * process holds, and frees memory both deterministically ({@link OpenClBuffer#release()}) and when
 * a buffer becomes unreachable (a {@link Cleaner} action that holds only the {@code cl_mem} and
 * this counter, never the buffer).
 *
 * <p>The garbage collector does not see device memory, so unreachable buffers could pile up while
 * the Java heap stays small. Two rules keep memory flat: when the bytes in use pass a threshold the
 * allocator runs a collection and waits briefly for the cleaner, then raises the threshold to twice
 * what survived (so a large live working set does not collect on every allocation); and when the
 * device refuses an allocation it collects and retries once before reporting {@link
 * OpenClOutOfMemoryException}.
 */
final class DeviceMemory {
  /** First collection threshold: a quarter of device memory, at most 1 GiB. */
  private static final long MAX_INITIAL_THRESHOLD = 1L << 30;

  /** How long an allocation waits, at most, for the cleaner after asking for a collection. */
  private static final int CLEANER_WAIT_MILLIS = 50;

  private static final Cleaner CLEANER = Cleaner.create();

  private final OpenClDevice device;
  private final AtomicLong bytesInUse = new AtomicLong();
  private final AtomicLong buffersInUse = new AtomicLong();
  private volatile long baseThreshold;
  private volatile long collectThreshold;

  DeviceMemory(OpenClDevice device) {
    this.device = device;
    this.baseThreshold =
        Math.max(1L << 24, Math.min(MAX_INITIAL_THRESHOLD, device.globalMemBytes() / 4));
    this.collectThreshold = baseThreshold;
  }

  /**
   * Sets the bytes in use above which an allocation first collects garbage (tests use a small value
   * to show that memory stays flat without explicit collections).
   */
  void collectThreshold(long bytes) {
    baseThreshold = bytes;
    collectThreshold = bytes;
  }

  /** Bytes of device memory held by live buffers of this process. */
  long bytesInUse() {
    return bytesInUse.get();
  }

  /** Number of live buffers. */
  long buffersInUse() {
    return buffersInUse.get();
  }

  /** Registers {@code owner}'s cleanup: frees {@code mem} when {@code owner} is unreachable. */
  Cleaner.Cleanable track(Object owner, cl_mem mem, long bytes) {
    return CLEANER.register(owner, new Release(mem, bytes, bytesInUse, buffersInUse));
  }

  /**
   * A new buffer of {@code bytes} (at least one byte: OpenCL has no empty buffers), initialised
   * from {@code host} when it is not null. {@code dtype} and {@code elements} name the request in
   * errors.
   */
  cl_mem create(long bytes, Pointer host, DType dtype, long elements) {
    long size = Math.max(bytes, 1);
    if (size > device.maxAllocBytes()) {
      throw outOfMemory(
          dtype,
          elements,
          size,
          0,
          "larger than the device's largest single "
              + "allocation (CL_DEVICE_MAX_MEM_ALLOC_SIZE = "
              + mib(device.maxAllocBytes())
              + ")");
    }
    if (bytesInUse.get() + size > collectThreshold) {
      collectGarbage();
      collectThreshold = Math.max(baseThreshold, 2 * bytesInUse.get());
    }
    int[] err = new int[1];
    long flags = CL_MEM_READ_WRITE | (host == null ? 0 : CL_MEM_COPY_HOST_PTR);
    cl_mem mem = CL.clCreateBuffer(device.context(), flags, size, host, err);
    if (ClErrors.isOutOfMemory(err[0])) {
      collectGarbage();
      mem = CL.clCreateBuffer(device.context(), flags, size, host, err);
    }
    if (ClErrors.isOutOfMemory(err[0])) {
      throw outOfMemory(dtype, elements, size, err[0], "refused by the device");
    }
    ClErrors.check(err[0], "clCreateBuffer(" + size + " bytes)");
    bytesInUse.addAndGet(size);
    buffersInUse.incrementAndGet();
    return mem;
  }

  /** Asks for a collection and waits (briefly) until the cleaner has freed what it found. */
  void collectGarbage() {
    long before = bytesInUse.get();
    System.gc();
    for (int i = 0; i < CLEANER_WAIT_MILLIS; i++) {
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (bytesInUse.get() < before) {
        // Something was freed; give the cleaner a moment to finish its queue.
        before = bytesInUse.get();
        i = Math.max(i, CLEANER_WAIT_MILLIS - 5);
      }
    }
  }

  private OpenClOutOfMemoryException outOfMemory(
      DType dtype, long elements, long bytes, int status, String why) {
    return new OpenClOutOfMemoryException(
        "OpenCL device out of memory: a buffer of "
            + elements
            + " "
            + dtype
            + " elements ("
            + mib(bytes)
            + ") was "
            + why
            + ". In use by this process: "
            + mib(bytesInUse.get())
            + " in "
            + buffersInUse.get()
            + " buffers; device memory "
            + mib(device.globalMemBytes())
            + " ("
            + device.describe()
            + ")"
            + (status == 0 ? "" : "; status " + ClErrors.name(status) + " (" + status + ")")
            + ". Release tensors you no longer need (tensor.release()), or use smaller batches or "
            + "a smaller model",
        status);
  }

  private static String mib(long bytes) {
    if (bytes < 1 << 20) {
      return bytes + " bytes";
    }
    return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
  }

  /** The cleanup action: releases one {@code cl_mem} exactly once. Holds no buffer. */
  private record Release(cl_mem mem, long bytes, AtomicLong bytesInUse, AtomicLong buffersInUse)
      implements Runnable {
    @Override
    public void run() {
      int status = CL.clReleaseMemObject(mem);
      bytesInUse.addAndGet(-bytes);
      buffersInUse.decrementAndGet();
      if (status != 0) {
        System.getLogger(DeviceMemory.class.getName())
            .log(System.Logger.Level.WARNING, ClErrors.describe("clReleaseMemObject", status));
      }
    }
  }
}

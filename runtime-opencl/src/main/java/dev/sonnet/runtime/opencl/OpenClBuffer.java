package dev.sonnet.runtime.opencl;

import dev.sonnet.SonnetException;
import dev.sonnet.backend.Backend;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.tensor.DType;
import java.lang.ref.Cleaner;
import org.jocl.cl_mem;

/**
 * Device memory holding {@link #size()} elements of one dtype (bool as one byte per element). Freed
 * by {@link #release()} or, once unreachable, by {@link DeviceMemory}'s cleaner; an empty buffer
 * still holds one byte, since OpenCL has no empty buffers.
 */
final class OpenClBuffer implements DeviceBuffer {
  private final OpenClBackend backend;
  private final DType dtype;
  private final long size;
  private final cl_mem mem;
  private final Cleaner.Cleanable cleanable;
  private volatile boolean released;

  OpenClBuffer(OpenClBackend backend, DType dtype, long size, cl_mem mem, DeviceMemory memory) {
    this.backend = backend;
    this.dtype = dtype;
    this.size = size;
    this.mem = mem;
    this.cleanable = memory.track(this, mem, Math.max(1, size * elementBytes(dtype)));
  }

  /** Bytes per element of {@code dtype} on the device. */
  static int elementBytes(DType dtype) {
    return switch (dtype) {
      case FLOAT32, INT32 -> 4;
      case FLOAT64, INT64 -> 8;
      case BOOL -> 1;
      case BFLOAT16, FLOAT16 -> 2;
    };
  }

  /** Casts a buffer handed to the OpenCL backend, rejecting other backends' buffers. */
  static OpenClBuffer of(DeviceBuffer buffer, OpenClBackend expected) {
    if (buffer instanceof OpenClBuffer b && b.backend == expected) {
      return b;
    }
    throw new SonnetException(
        "The OpenCL backend ("
            + expected.deviceName()
            + ") was given a "
            + "buffer of backend '"
            + buffer.backend().name()
            + "' ("
            + buffer.backend().deviceName()
            + "); move the tensor first with tensor.to(backend)");
  }

  /** The memory object, for a kernel argument; fails if released. */
  cl_mem mem() {
    if (released) {
      throw new SonnetException(
          "OpenCL buffer " + dtype + "[" + size + "] was released and " + "can no longer be used");
    }
    return mem;
  }

  @Override
  public Backend backend() {
    return backend;
  }

  @Override
  public DType dtype() {
    return dtype;
  }

  @Override
  public long size() {
    return size;
  }

  /** Size in bytes of the elements (0 for an empty buffer). */
  long bytes() {
    return size * elementBytes(dtype);
  }

  @Override
  public void release() {
    if (!released) {
      released = true;
      cleanable.clean();
    }
  }

  @Override
  public boolean isReleased() {
    return released;
  }

  @Override
  public String toString() {
    return "OpenClBuffer(" + dtype + "[" + size + "]" + (released ? ", released" : "") + ")";
  }
}

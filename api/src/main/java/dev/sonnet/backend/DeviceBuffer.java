package dev.sonnet.backend;

import dev.sonnet.tensor.DType;

/**
 * A block of memory on a backend's device holding {@link #size()} elements of one {@link DType},
 * row-major and dense. Tensors hold buffers; several tensors may share one (a reshape does).
 *
 * <p>Memory is released explicitly with {@link #release()} (idempotent) or, when every holder has
 * become unreachable, by the backend's own cleaner. Using a released buffer is an error that says
 * so, never a crash.
 */
public interface DeviceBuffer {
  /** The backend that owns this buffer; kernels accept only their own backend's buffers. */
  Backend backend();

  DType dtype();

  /** Number of elements. */
  long size();

  /** Frees the device memory now. Later use of this buffer throws; a second call does nothing. */
  void release();

  /** True once {@link #release()} has run. */
  boolean isReleased();
}

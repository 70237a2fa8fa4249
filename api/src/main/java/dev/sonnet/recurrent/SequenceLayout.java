package dev.sonnet.recurrent;

/** Where the time axis of a sequence is: {@code [T, B, ...]} or {@code [B, T, ...]}. */
public enum SequenceLayout {
  /** {@code [time, batch, ...]}: Sonnet's layout, each step a contiguous slice. */
  TIME_MAJOR,
  /** {@code [batch, time, ...]}: Keras's and PyTorch's {@code batch_first} layout. */
  BATCH_MAJOR;

  int timeAxis() {
    return this == TIME_MAJOR ? 0 : 1;
  }

  int batchAxis() {
    return this == TIME_MAJOR ? 1 : 0;
  }
}

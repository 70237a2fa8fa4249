package dev.sonnet.data;

import dev.sonnet.tensor.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Dataset#shuffle(int, long)}: tf.data's buffered shuffle. One random stream per dataset
 * object, continued by each pass, so consecutive passes get different orders and a program that
 * makes the same calls gets the same ones.
 */
final class BufferShuffleDataset<T> extends Dataset<T> {
  private final Dataset<T> upstream;
  private final int bufferSize;
  private final Rng rng;

  BufferShuffleDataset(Dataset<T> upstream, int bufferSize, long seed) {
    this.upstream = upstream;
    this.bufferSize = bufferSize;
    this.rng = new Rng(seed);
  }

  private int draw(int bound) {
    synchronized (rng) {
      return rng.nextInt(bound);
    }
  }

  @Override
  public DataIterator<T> open() {
    DataIterator<T> in = upstream.open();
    return new AbstractDataIterator<>() {
      final List<T> buffer = new ArrayList<>();

      @Override
      protected T computeNext() {
        while (buffer.size() < bufferSize && in.hasNext()) {
          buffer.add(in.next());
        }
        if (buffer.isEmpty()) {
          return null;
        }
        int i = draw(buffer.size());
        T chosen = buffer.get(i);
        T last = buffer.remove(buffer.size() - 1);
        if (i < buffer.size()) {
          buffer.set(i, last);
        }
        return chosen;
      }

      @Override
      protected void onClose() {
        buffer.clear();
        in.close();
      }
    };
  }
}

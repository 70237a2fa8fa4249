package dev.sonnet.data;

/** {@link Dataset#repeat}: passes of the upstream one after another, each a fresh pass. */
final class RepeatDataset<T> extends Dataset<T> {
  static final int FOREVER = -1;

  private final Dataset<T> upstream;
  private final int times;

  RepeatDataset(Dataset<T> upstream, int times) {
    this.upstream = upstream;
    this.times = times;
  }

  @Override
  public DataIterator<T> open() {
    return new AbstractDataIterator<>() {
      DataIterator<T> current;
      int started;
      boolean currentGaveAny;

      @Override
      protected T computeNext() {
        while (true) {
          if (current != null && current.hasNext()) {
            currentGaveAny = true;
            return current.next();
          }
          if (current != null) {
            current.close();
            current = null;
            if (!currentGaveAny) {
              return null; // an empty pass: every further one would be empty too
            }
          }
          if (times != FOREVER && started >= times) {
            return null;
          }
          current = upstream.open();
          started++;
          currentGaveAny = false;
        }
      }

      @Override
      protected void onClose() {
        if (current != null) {
          current.close();
        }
      }
    };
  }
}

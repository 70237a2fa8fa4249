package dev.sonnet.samples.spark;

import dev.sonnet.data.ArrayDataset;
import dev.sonnet.data.DataIterator;
import dev.sonnet.data.Example;

/**
 * Grey images and their labels as raw bytes, for random access by example index: each replica's
 * batch at a step is a pure function of the step ({@link ShardedBatches}), which a sequential
 * pipeline cannot give. Made once per task from the library's {@link ArrayDataset}.
 */
public record LabeledImages(byte[] pixels, byte[] labels, int count, int height, int width) {
  /** Pixels of one image. */
  public int imageSize() {
    return height * width;
  }

  /**
   * The examples of {@code set}, whose {@code image} column holds unsigned bytes at the default
   * scale {@code 1/255} (Fashion-MNIST as {@code Datasets.fashionMnist} gives it): each pixel read
   * back as {@code round(value * 255)}, exact for those values.
   */
  public static LabeledImages of(ArrayDataset set) {
    int count = set.exampleCount();
    int[] shape = set.column("image").exampleShape();
    int height = shape[0];
    int width = shape[1];
    int size = height * width;
    byte[] pixels = new byte[count * size];
    byte[] labels = new byte[count];
    try (DataIterator<Example> it = set.open()) {
      for (int i = 0; i < count; i++) {
        Example e = it.next();
        float[] image = e.floats("image");
        for (int p = 0; p < size; p++) {
          pixels[i * size + p] = (byte) Math.round(image[p] * 255f);
        }
        labels[i] = (byte) e.ints("label")[0];
      }
    }
    return new LabeledImages(pixels, labels, count, height, width);
  }
}

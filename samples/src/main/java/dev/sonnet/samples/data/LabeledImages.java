package dev.sonnet.samples.data;

/**
 * Grey-scale images with integer labels, as stored by (Fashion-)MNIST: {@code pixels} holds {@code
 * count * height * width} unsigned bytes, {@code labels} one class per image.
 */
public record LabeledImages(byte[] pixels, byte[] labels, int count, int height, int width) {
  public LabeledImages {
    if (pixels.length != (long) count * height * width || labels.length != count) {
      throw new DatasetException(
          "Images and labels disagree: "
              + count
              + " images of "
              + height
              + "x"
              + width
              + " need "
              + (long) count * height * width
              + " pixels and "
              + count
              + " labels, got "
              + pixels.length
              + " and "
              + labels.length);
    }
  }

  /** Pixels of one image. */
  public int imageSize() {
    return height * width;
  }

  /** Pixels of images {@code [from, from + n)} scaled from {@code 0..255} to {@code [-1, 1]}. */
  public float[] scaledPixels(int from, int n) {
    int size = imageSize();
    float[] out = new float[n * size];
    int base = from * size;
    for (int i = 0; i < out.length; i++) {
      out[i] = (pixels[base + i] & 0xff) * (2f / 255f) - 1f;
    }
    return out;
  }

  /** Labels of images {@code [from, from + n)} as ints. */
  public int[] labels(int from, int n) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = labels[from + i];
    }
    return out;
  }

  /** Pairs an images file with its labels file, checking that they belong together. */
  static LabeledImages of(IdxFile images, IdxFile labels, String source) {
    int[] d = images.dims();
    int[] l = labels.dims();
    if (d[0] != l[0]) {
      throw new DatasetException(source + ": " + d[0] + " images but " + l[0] + " labels");
    }
    for (byte label : labels.data()) {
      if (label < 0 || label > 9) {
        throw new DatasetException(source + ": label " + label + " is outside 0..9");
      }
    }
    return new LabeledImages(images.data(), labels.data(), d[0], d[1], d[2]);
  }
}

package dev.sonnet.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Where datasets come from: host arrays, IDX and CSV files, Java lists, and Fashion-MNIST.
 *
 * <pre>{@code
 * FashionMnist fm = Datasets.fashionMnist();                 // local copy, or the embedded subset
 * ArrayDataset idx = Datasets.fromIdx(images, labels);       // columns "image" (u8) and "label"
 * ArrayDataset csv = Datasets.fromCsv(file, CsvFormat.DEFAULT.withIntLabel("species"));
 * ArrayDataset xy = Datasets.fromArrays(Column.floats("x", xs, 3), Column.ints("y", ys));
 * }</pre>
 */
public final class Datasets {
  private Datasets() {}

  /**
   * Columns of equal length as one dataset; each element an {@link Example}, batches {@link Batch}
   * objects with one tensor per column.
   */
  public static ArrayDataset fromArrays(Column... columns) {
    return ArrayDataset.of(List.of(columns));
  }

  /** The elements of a list, in order, each pass. */
  public static <T> Dataset<T> fromList(List<T> elements) {
    List<T> copy = List.copyOf(elements);
    return new Dataset<>() {
      @Override
      public DataIterator<T> open() {
        return new AbstractDataIterator<>() {
          int i;

          @Override
          protected T computeNext() {
            return i < copy.size() ? copy.get(i++) : null;
          }

          @Override
          protected void onClose() {}
        };
      }
    };
  }

  /**
   * A pair of IDX files (the (Fashion-)MNIST format, plain or gzip-compressed) of unsigned bytes:
   * {@code images} of rank 2 or more, {@code labels} of rank 1 with one label per image. Columns
   * {@code image} (bytes delivered as float32 in {@code [0, 1]}, each example the file's shape
   * without its first dimension) and {@code label} (int32).
   */
  public static ArrayDataset fromIdx(Path images, Path labels) {
    IdxFile x = IdxFile.read(images, -1);
    IdxFile y = IdxFile.read(labels, 1);
    int[] d = x.dims();
    if (d.length < 2) {
      throw new DatasetException(
          images + " has " + d.length + " dimension; images need at least 2 ([count, ...])");
    }
    if (d[0] != y.dims()[0]) {
      throw new DatasetException(
          images + " holds " + d[0] + " examples but " + labels + " " + y.dims()[0] + " labels");
    }
    byte[] raw = y.data();
    int[] ids = new int[raw.length];
    for (int i = 0; i < raw.length; i++) {
      ids[i] = raw[i] & 0xff;
    }
    int[] example = Arrays.copyOfRange(d, 1, d.length);
    return ArrayDataset.of(
        List.of(Column.wrapBytes("image", x.data(), example), Column.wrapInts("label", ids)));
  }

  /**
   * A CSV file as {@link CsvFormat} describes: columns {@code features} and maybe {@code label}.
   */
  public static ArrayDataset fromCsv(Path file, CsvFormat format) {
    return CsvReader.read(file, format);
  }

  /**
   * Fashion-MNIST from a local copy, or the embedded subset, with the default {@link
   * FashionMnist.Options}: it never downloads.
   */
  public static FashionMnist fashionMnist() {
    return FashionMnist.load(FashionMnist.Options.defaults());
  }

  /** Fashion-MNIST as {@code options} say, e.g. {@code defaults().withDownload(true)}. */
  public static FashionMnist fashionMnist(FashionMnist.Options options) {
    return FashionMnist.load(options);
  }
}

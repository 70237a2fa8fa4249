package dev.sonnet.samples.images;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Writes grey-scale images as one PNG grid, the way the Sonnet example notebooks show samples and
 * reconstructions: {@code rows x columns} tiles of {@code height x width} pixels, one pixel of
 * border between tiles, each tile scaled up {@code zoom} times so a 28x28 image is visible.
 */
public final class ImageGrid {
  private static final int BORDER_GREY = 96;

  private ImageGrid() {}

  /**
   * Writes {@code pixels}, {@code rows * columns} images of {@code height * width} values in {@code
   * [0, 1]} (row-major, image after image; values outside are clipped), to {@code path}.
   *
   * @return {@code path}
   */
  public static Path writePng(
      Path path, float[] pixels, int rows, int columns, int height, int width, int zoom) {
    int images = rows * columns;
    if (pixels.length != images * height * width) {
      throw new IllegalArgumentException(
          "ImageGrid: "
              + pixels.length
              + " pixel values are not "
              + rows
              + " x "
              + columns
              + " images of "
              + height
              + " x "
              + width);
    }
    int tileH = height * zoom;
    int tileW = width * zoom;
    BufferedImage image =
        new BufferedImage(
            columns * (tileW + 1) + 1, rows * (tileH + 1) + 1, BufferedImage.TYPE_BYTE_GRAY);
    var raster = image.getRaster();
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        raster.setSample(x, y, 0, BORDER_GREY);
      }
    }
    for (int i = 0; i < images; i++) {
      int top = (i / columns) * (tileH + 1) + 1;
      int left = (i % columns) * (tileW + 1) + 1;
      for (int y = 0; y < tileH; y++) {
        for (int x = 0; x < tileW; x++) {
          float v = pixels[(i * height + y / zoom) * width + x / zoom];
          int grey = Math.round(Math.max(0f, Math.min(1f, v)) * 255f);
          raster.setSample(left + x, top + y, 0, grey);
        }
      }
    }
    try {
      Path parent = path.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      ImageIO.write(image, "png", path.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("ImageGrid: cannot write " + path, e);
    }
    return path;
  }
}

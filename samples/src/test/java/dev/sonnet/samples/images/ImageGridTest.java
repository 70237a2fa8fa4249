package dev.sonnet.samples.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageGridTest {
  @TempDir Path dir;

  @Test
  void tilesAreZoomed_clipped_andFramedByABorder() throws Exception {
    // Two 1x2 images side by side: [0, 1] and [-3 (clipped to 0), 0.5].
    float[] pixels = {0f, 1f, -3f, 0.5f};
    Path png = ImageGrid.writePng(dir.resolve("g.png"), pixels, 1, 2, 1, 2, 2);

    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(2 * (4 + 1) + 1);
    assertThat(image.getHeight()).isEqualTo(2 + 2);
    var raster = image.getRaster();
    assertThat(raster.getSample(0, 0, 0)).isEqualTo(96); // border
    assertThat(raster.getSample(1, 1, 0)).isEqualTo(0);
    assertThat(raster.getSample(2, 2, 0)).isEqualTo(0); // zoomed: same source pixel
    assertThat(raster.getSample(3, 1, 0)).isEqualTo(255);
    assertThat(raster.getSample(6, 1, 0)).isEqualTo(0); // clipped
    assertThat(raster.getSample(8, 1, 0)).isEqualTo(128); // 0.5 * 255 rounded
  }

  @Test
  void aPixelCountThatIsNotTheGrid_isRefused() {
    assertThatThrownBy(() -> ImageGrid.writePng(dir.resolve("x.png"), new float[3], 1, 2, 1, 2, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3 pixel values");
  }
}

package dev.sonnet.samples.mnist;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The main job's learning curves as a PNG (JFreeChart, headless): the training loss above (the
 * running mean within each epoch, and each epoch's mean), the test accuracy after each epoch below,
 * sharing an axis in epochs.
 */
final class TrainingChart {
  /** Pixels: wide enough for ten epochs of running-loss points, and readable in a README. */
  static final int WIDTH = 900;

  static final int HEIGHT = 650;

  private final XYSeries recentLoss = new XYSeries("training loss (mean of the last steps)");
  private final XYSeries epochLoss = new XYSeries("training loss (epoch mean)");
  private final XYSeries accuracy = new XYSeries("test accuracy");

  /**
   * The mean loss of the steps just before {@code epoch} (fractional: 2.5 is halfway through epoch
   * 3), since the previous point.
   */
  void recentLoss(double epoch, double loss) {
    recentLoss.add(epoch, loss);
  }

  /** The end of epoch {@code epoch} (1-based): its mean loss and the test accuracy after it. */
  void epoch(int epoch, double meanLoss, double testAccuracy) {
    epochLoss.add(epoch, meanLoss);
    accuracy.add(epoch, testAccuracy);
  }

  /** Writes the chart to {@code png}, creating its directory. */
  void save(Path png, String title) throws IOException {
    System.setProperty("java.awt.headless", "true");
    NumberAxis epochs = new NumberAxis("epoch");
    epochs.setAutoRangeIncludesZero(true);
    CombinedDomainXYPlot plot = new CombinedDomainXYPlot(epochs);
    plot.setGap(12);

    XYSeriesCollection losses = new XYSeriesCollection();
    losses.addSeries(recentLoss);
    losses.addSeries(epochLoss);
    NumberAxis lossAxis = new NumberAxis("softmax cross-entropy");
    lossAxis.setAutoRangeIncludesZero(false);
    XYLineAndShapeRenderer lossLines = new XYLineAndShapeRenderer(true, false);
    lossLines.setSeriesPaint(0, new Color(0x9ecae1));
    lossLines.setSeriesPaint(1, new Color(0x08519c));
    lossLines.setSeriesShapesVisible(1, true);
    lossLines.setSeriesStroke(1, new BasicStroke(2f));
    plot.add(new XYPlot(losses, null, lossAxis, lossLines), 3);

    XYSeriesCollection acc = new XYSeriesCollection(accuracy);
    NumberAxis accAxis = new NumberAxis("test accuracy");
    accAxis.setAutoRangeIncludesZero(false);
    XYLineAndShapeRenderer accLines = new XYLineAndShapeRenderer(true, true);
    accLines.setSeriesPaint(0, new Color(0xd94801));
    accLines.setSeriesStroke(0, new BasicStroke(2f));
    plot.add(new XYPlot(acc, null, accAxis, accLines), 2);

    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    for (var sub : plot.getSubplots()) {
      XYPlot p = (XYPlot) sub;
      p.setBackgroundPaint(Color.WHITE);
      p.setDomainGridlinePaint(new Color(0xdddddd));
      p.setRangeGridlinePaint(new Color(0xdddddd));
    }
    Path dir = png.toAbsolutePath().getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
  }
}

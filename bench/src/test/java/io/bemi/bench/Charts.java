package io.bemi.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Plain PNG charts drawn with java.awt (headless), written to {@code docs/images/} (or
 * {@code -Dbench.images}; short runs write to a temporary folder).
 */
final class Charts {

  private static final int WIDTH = 900;
  private static final int HEIGHT = 420;
  private static final int LEFT = 90;
  private static final int RIGHT = 30;
  private static final int TOP = 50;
  private static final int BOTTOM = 70;
  private static final Color[] PALETTE = {new Color(0x4C72B0), new Color(0xDD8452), new Color(0x55A868),
      new Color(0xC44E52), new Color(0x8172B3), new Color(0x937860), new Color(0xDA8BC3), new Color(0x8C8C8C)};

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private Charts() {}

  record Series(String name, List<double[]> points) {}

  static File directory() {
    String configured = System.getProperty("bench.images");
    File dir = configured != null ? new File(configured)
        // short (CI) runs must not replace the published plots of full runs
        : Boolean.getBoolean("bench.short") ? new File(System.getProperty("java.io.tmpdir"), "bemi-bench-images")
        : new File("docs").isDirectory() ? new File("docs/images") : new File("../docs/images");
    dir.mkdirs();
    return dir;
  }

  /** A bar per entry, its value printed above it. */
  static void bars(String file, String title, String unit, Map<String, Double> values) throws IOException {
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas(image, title);
    double max = values.values().stream().mapToDouble(Double::doubleValue).max().orElse(1) * 1.15;
    axes(g, unit, 0, max, false);
    int plotWidth = WIDTH - LEFT - RIGHT;
    int slot = plotWidth / values.size();
    int i = 0;
    for (var e : values.entrySet()) {
      int h = (int) ((HEIGHT - TOP - BOTTOM) * e.getValue() / max);
      int x = LEFT + i * slot + slot / 5;
      g.setColor(PALETTE[i % PALETTE.length]);
      g.fillRect(x, HEIGHT - BOTTOM - h, slot * 3 / 5, h);
      g.setColor(Color.BLACK);
      g.drawString(String.format("%,.0f", e.getValue()), x, HEIGHT - BOTTOM - h - 5);
      g.drawString(e.getKey(), LEFT + i * slot + 5, HEIGHT - BOTTOM + 20);
      i++;
    }
    write(image, file);
  }

  /** Lines through points (x, y); log-scaled y when asked, from 1 (or half the smallest y, if over 2). */
  static void lines(String file, String title, String xUnit, String yUnit, List<Series> series, boolean logY)
      throws IOException {
    lines(file, title, xUnit, yUnit, series, logY, 1, 1.2, false);
  }

  /**
   * Lines on a log scale from {@code floor} (or half the smallest y, if higher) to {@code headroom}
   * times the largest y, the legend below the chart (for many lines).
   */
  static void logLines(String file, String title, String xUnit, String yUnit, List<Series> series, double floor,
      double headroom) throws IOException {
    lines(file, title, xUnit, yUnit, series, true, floor, headroom, true);
  }

  private static void lines(String file, String title, String xUnit, String yUnit, List<Series> series, boolean logY,
      double logFloor, double headroom, boolean legendBelow) throws IOException {
    int height = legendBelow ? HEIGHT + 18 * series.size() + 10 : HEIGHT;
    BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas(image, title);
    double maxX = series.stream().flatMap(s -> s.points().stream()).mapToDouble(p -> p[0]).max().orElse(1) * 1.05;
    double maxY = series.stream().flatMap(s -> s.points().stream()).mapToDouble(p -> p[1]).max().orElse(1) * headroom;
    double minY = logY ? Math.max(logFloor, series.stream().flatMap(s -> s.points().stream()).mapToDouble(p -> p[1]).min()
        .orElse(1) / 2) : 0;
    axes(g, yUnit, minY, maxY, logY);
    g.drawString(xUnit, WIDTH / 2 - 60, HEIGHT - 20);
    for (int t = 0; t <= 5; t++) {
      double x = maxX * t / 5;
      g.drawString(String.format("%,.0f", x), LEFT + (int) ((WIDTH - LEFT - RIGHT) * x / maxX) - 10,
          HEIGHT - BOTTOM + 18);
    }
    int legendY = legendBelow ? HEIGHT + 5 : TOP + 10;
    for (int s = 0; s < series.size(); s++) {
      Series line = series.get(s);
      g.setColor(PALETTE[s % PALETTE.length]);
      g.setStroke(new BasicStroke(2.5f));
      int px = -1;
      int py = -1;
      for (double[] p : line.points()) {
        int x = LEFT + (int) ((WIDTH - LEFT - RIGHT) * p[0] / maxX);
        int y = yPixel(p[1], minY, maxY, logY);
        g.fillOval(x - 4, y - 4, 8, 8);
        if (px >= 0) {
          g.drawLine(px, py, x, y);
        }
        px = x;
        py = y;
      }
      g.fillRect(LEFT + 15, legendY - 9, 12, 12);
      g.setColor(Color.BLACK);
      g.drawString(line.name(), LEFT + 32, legendY + 2);
      legendY += 18;
    }
    write(image, file);
  }

  private static Graphics2D canvas(BufferedImage image, String title) {
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, image.getWidth(), image.getHeight());
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    g.drawString(title, LEFT, 28);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    return g;
  }

  private static int yPixel(double value, double min, double max, boolean log) {
    double fraction = log ? (Math.log10(Math.max(value, min)) - Math.log10(min)) / (Math.log10(max) - Math.log10(min))
        : (value - min) / (max - min);
    return HEIGHT - BOTTOM - (int) ((HEIGHT - TOP - BOTTOM) * fraction);
  }

  private static void axes(Graphics2D g, String unit, double min, double max, boolean log) {
    g.setColor(Color.BLACK);
    g.drawLine(LEFT, TOP, LEFT, HEIGHT - BOTTOM);
    g.drawLine(LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM);
    for (int t = 0; t <= 5; t++) {
      double v = log ? Math.pow(10, Math.log10(min) + (Math.log10(max) - Math.log10(min)) * t / 5) : min + (max - min) * t / 5;
      int y = yPixel(v, min, max, log);
      g.setColor(new Color(0xDDDDDD));
      g.drawLine(LEFT + 1, y, WIDTH - RIGHT, y);
      g.setColor(Color.BLACK);
      g.drawString(v < 10 ? String.format("%.2g", v) : String.format("%,.0f", v), 24, y + 4);
    }
    Graphics2D rotated = (Graphics2D) g.create();
    rotated.rotate(-Math.PI / 2);
    rotated.drawString(unit, -(HEIGHT / 2) - 40, 12);
    rotated.dispose();
  }

  private static void write(BufferedImage image, String file) throws IOException {
    File out = new File(directory(), file);
    ImageIO.write(image, "png", out);
    System.out.println("wrote " + out.getPath());
  }
}

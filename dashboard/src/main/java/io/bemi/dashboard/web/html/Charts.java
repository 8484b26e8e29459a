package io.bemi.dashboard.web.html;

import static io.bemi.dashboard.web.html.Html.html;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Stacked bar charts as inline SVG, drawn on the server (no script, CSP-friendly: colours are CSS classes). */
public final class Charts {

  private static final int WIDTH = 960;
  private static final int HEIGHT = 220;
  private static final int LEFT = 48;
  private static final int BOTTOM = 24;
  private static final int TOP = 8;
  private static final int COLOURS = 8;
  private static final DateTimeFormatter LABEL = DateTimeFormatter.ofPattern("MM-dd HH:mm").withZone(ZoneOffset.UTC);

  private Charts() {}

  /** One bar per bucket, one stacked segment per series (series order = legend order). */
  public static SafeHtml stackedBars(String title, List<Instant> buckets, Map<String, long[]> series) {
    List<String> names = new ArrayList<>(series.keySet());
    long max = 1;
    for (int i = 0; i < buckets.size(); i++) {
      long sum = 0;
      for (long[] s : series.values()) {
        sum += s[i];
      }
      max = Math.max(max, sum);
    }
    double plotWidth = WIDTH - LEFT - 8;
    double plotHeight = HEIGHT - TOP - BOTTOM;
    double slot = plotWidth / Math.max(1, buckets.size());
    double barWidth = Math.max(1, slot * 0.78);
    StringBuilder svg = new StringBuilder();
    // grid lines and y labels at 0, 50 %, 100 %
    for (int g = 0; g <= 2; g++) {
      double y = TOP + plotHeight - plotHeight * g / 2.0;
      long value = Math.round(max * g / 2.0);
      svg.append(html("<line class=\"grid\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/><text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
          LEFT, fmt(y), WIDTH - 8, fmt(y), LEFT - 6, fmt(y + 4), value).html());
    }
    for (int i = 0; i < buckets.size(); i++) {
      double x = LEFT + i * slot + (slot - barWidth) / 2;
      double y = TOP + plotHeight;
      for (int s = 0; s < names.size(); s++) {
        long v = series.get(names.get(s))[i];
        if (v == 0) {
          continue;
        }
        double h = plotHeight * v / max;
        y -= h;
        svg.append(html("<rect class=\"s{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>{}</title></rect>",
            s % COLOURS, fmt(x), fmt(y), fmt(barWidth), fmt(h),
            names.get(s) + ": " + v + " at " + LABEL.format(buckets.get(i)) + " UTC").html());
      }
    }
    int labelEvery = Math.max(1, buckets.size() / 6);
    for (int i = 0; i < buckets.size(); i += labelEvery) {
      double x = LEFT + i * slot + slot / 2;
      svg.append(html("<text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
          fmt(x), HEIGHT - 6, LABEL.format(buckets.get(i))).html());
    }
    SafeHtml legend = Html.each(names, n -> html("<li><span class=\"swatch s{}\"></span>{}</li>", names.indexOf(n) % COLOURS, n));
    return html("""
        <figure class="chart">
        <svg viewBox="0 0 {} {}" role="img" aria-label="{}" preserveAspectRatio="none">{}</svg>
        <figcaption><ul class="legend">{}</ul><span class="muted">bucket times in UTC</span></figcaption>
        </figure>""", WIDTH, HEIGHT, title, new SafeHtml(svg.toString()), legend);
  }

  private static String fmt(double v) {
    return String.format(java.util.Locale.ROOT, "%.1f", v);
  }
}

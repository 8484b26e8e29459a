package io.bemi.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Draws the time-travel queries' medians against the trail's size from the lines
 * {@code TimeTravelBench -Dbench.csv=FILE} appends ({@code size,"query",median ms,p95 ms}), to
 * {@code docs/images/time-travel-growth.png}:
 *
 * <pre>./mvnw -q -pl bench test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.bemi.bench.GrowthChart -Dexec.args=FILE</pre>
 */
public final class GrowthChart {

  /** The queries drawn, by the start of their name in the file, with their legend. */
  private static final Map<String, String> QUERIES = new LinkedHashMap<>();

  static {
    QUERIES.put("lookup of one change by id", "one change by id (baseline)");
    QUERIES.put("record history (public.accounts", "record history, 5 changes");
    QUERIES.put("record as of", "record as of an instant");
    QUERIES.put("context lookup", "context lookup");
    QUERIES.put("hot row history, a page", "hot row, page of 1,000 (25,000 changes)");
    QUERIES.put("activity of the last 24 hours from bemi.activity", "activity, 24 h (rollup)");
    QUERIES.put("table as of the middle", "table of 100,000 rows as of an instant");
  }

  private static final Pattern LINE = Pattern.compile("^(\\d+),\"(.*)\",([0-9.]+),([0-9.]+)$");

  private GrowthChart() {}

  public static void main(String[] args) throws Exception {
    Map<String, List<double[]>> points = new LinkedHashMap<>();
    QUERIES.values().forEach(legend -> points.put(legend, new ArrayList<>()));
    for (String line : Files.readAllLines(Path.of(args[0]))) {
      Matcher m = LINE.matcher(line.trim());
      if (!m.matches()) {
        continue;
      }
      QUERIES.forEach((prefix, legend) -> {
        if (m.group(2).startsWith(prefix)) {
          points.get(legend).add(new double[] {Long.parseLong(m.group(1)) / 1e6, Double.parseDouble(m.group(3))});
        }
      });
    }
    List<Charts.Series> series = new ArrayList<>();
    points.forEach((legend, p) -> {
      if (!p.isEmpty()) {
        p.sort((a, b) -> Double.compare(a[0], b[0]));
        series.add(new Charts.Series(legend, p));
      }
    });
    if (series.isEmpty()) {
      throw new IllegalArgumentException("No line of " + args[0] + " names a query this chart draws");
    }
    Charts.logLines("time-travel-growth.png", "Time travel as the trail grows: median per query (log scale)",
        "trail size, millions of changes", "ms", series, 0.02, 2);
  }
}

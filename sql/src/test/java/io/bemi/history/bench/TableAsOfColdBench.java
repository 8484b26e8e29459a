package io.bemi.history.bench;

import io.bemi.sql.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code table_as_of} on a cold cache (not a unit test): the first read of a large table from a
 * trail that is not in memory, against the baseline of the same function probing the chosen
 * changes in key order (as before it sorted them into commit order), alternating in one run.
 *
 * <pre>
 * ./mvnw -q -o -pl sql test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.bemi.history.bench.TableAsOfColdBench -Dexec.args="DATA_DIR [ROUNDS]"
 * </pre>
 *
 * <p>DATA_DIR is a trail kept by {@code TimeTravelBench -Dbench.dataDir=DATA_DIR} (public.accounts,
 * 100,000 rows). Each round, for each function: the server is stopped, the kernel's page cache
 * dropped ({@code /proc/sys/vm/drop_caches}, which needs root; without it the runs are only
 * restart-cold and the benchmark says so), the server started, and the table read three times
 * (the first run is the cold one).
 */
public final class TableAsOfColdBench {

  private static final String BASELINE = "bemi.table_as_of_key_order";

  private TableAsOfColdBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      throw new IllegalArgumentException("usage: TableAsOfColdBench DATA_DIR [ROUNDS]: a trail kept by "
          + "TimeTravelBench -Dbench.dataDir=DATA_DIR");
    }
    Path dataDir = Path.of(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    try (EmbeddedPostgres pg = start(dataDir)) {
      Migrations.migrate(pg.getPostgresDatabase(), "bemi");
      try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
        s.execute(baselineFunction());
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM bemi.changes")) {
          rs.next();
          System.out.printf("trail of %,d changes in %s%n", rs.getLong(1), dataDir);
        }
      }
    }
    List<Long> cold = new ArrayList<>();
    List<Long> coldBaseline = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      for (String function : new String[] {BASELINE, "bemi.table_as_of"}) {
        boolean dropped = dropPageCache();
        try (EmbeddedPostgres pg = start(dataDir); Connection c = pg.getPostgresDatabase().getConnection()) {
          StringBuilder line = new StringBuilder(String.format("round %d %-27s %s:", round, function,
              dropped ? "(page cache dropped)" : "(restart only: cannot drop the page cache)"));
          for (int run = 0; run < 3; run++) {
            long started = System.nanoTime();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT count(*), sum(length(\"row\"::text)) FROM " + function + "('public.accounts', 'infinity')")) {
              rs.next();
              long ms = (System.nanoTime() - started) / 1_000_000;
              line.append(String.format(" %,d ms", ms));
              if (run == 0) {
                (function.equals(BASELINE) ? coldBaseline : cold).add(ms);
                line.append(String.format(" (%,d rows)", rs.getLong(1)));
              }
            }
          }
          System.out.println(line);
        }
      }
    }
    long median = median(cold);
    long baseline = median(coldBaseline);
    System.out.printf("cold first run, median of %d: key order (baseline) %,d ms, commit order %,d ms: %.2fx the baseline%n",
        rounds, baseline, median, (double) median / baseline);
  }

  static EmbeddedPostgres start(Path dataDir) throws IOException {
    return TimeTravelBench.server().setDataDirectory(dataDir).setCleanDataDirectory(false).start();
  }

  static boolean dropPageCache() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("sh", "-c", "sync && echo 3 > /proc/sys/vm/drop_caches").redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    return p.waitFor() == 0;
  }

  /** The shipped table_as_of under another name, probing in key order (the DISTINCT ON's) as before. */
  private static String baselineFunction() throws IOException, SQLException {
    String script;
    try (InputStream in = Migrations.class.getResourceAsStream("migration/R__1_time_travel.sql")) {
      if (in == null) {
        throw new IllegalStateException("R__1_time_travel.sql is not on the classpath: run test-compile first");
      }
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    int start = script.indexOf("CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.table_as_of(");
    String function = script.substring(start, script.indexOf("$$;", start) + 3)
        .replace("${flyway:defaultSchema}", "bemi")
        .replace("bemi.table_as_of(", BASELINE + "(");
    String ordered = "FROM (SELECT * FROM chosen ORDER BY commit_lsn, change_index) l";
    if (!function.contains(ordered)) {
      throw new SQLException("table_as_of no longer reads `" + ordered + "`: update the baseline");
    }
    return function.replace(ordered, "FROM chosen l");
  }

  static long median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    sorted.sort(null);
    return sorted.get(sorted.size() / 2);
  }
}

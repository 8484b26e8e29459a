package io.bemi.history.bench;

import io.bemi.sql.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * What the activity rollup's trigger costs the store: changes COPY'd into bemi.changes the way the
 * ingester stores them (one COPY of {@value #BATCH} rows per destination transaction, the
 * migrations' indexes in place), in alternating rounds with the trigger enabled and disabled, so
 * both sides see the same machine load. Prints rows/s per round and the ratio of the medians.
 *
 * <pre>
 * ./mvnw -q -o -pl sql test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.bemi.history.bench.ActivityRollupBench [-Dexec.args="200000 6"]
 * </pre>
 */
public final class ActivityRollupBench {

  private static final int BATCH = 1_000;

  private ActivityRollupBench() {}

  public static void main(String[] args) throws Exception {
    int rowsPerRound = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int roundsEach = args.length > 1 ? Integer.parseInt(args[1]) : 6;
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
        .setPGStartupWait(Duration.ofSeconds(60))
        .setServerConfig("shared_buffers", "256MB")
        .setServerConfig("max_wal_size", "4GB")
        .setServerConfig("synchronous_commit", "off") // the ingester's commits wait for the disk; the trigger's cost does not
        .setServerConfig("TimeZone", "UTC")
        .start()) {
      Migrations.migrate(pg.getPostgresDatabase(), "bemi");
      try (Connection c = pg.getPostgresDatabase().getConnection()) {
        CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
        c.setAutoCommit(false);
        double[] with = new double[roundsEach];
        double[] without = new double[roundsEach];
        long change = 0;
        for (int round = 0; round < 2 * roundsEach; round++) {
          boolean trigger = round % 2 == 0;
          try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE bemi.changes " + (trigger ? "ENABLE" : "DISABLE") + " TRIGGER changes_count_activity");
          }
          c.commit();
          long t0 = System.nanoTime();
          for (int stored = 0; stored < rowsPerRound; stored += BATCH) {
            copy.copyIn("COPY bemi.changes (primary_key, before, after, context, database, schema, \"table\", operation,"
                + " committed_at, queued_at, transaction_id, position, commit_lsn, change_index) FROM STDIN",
                new StringReader(batch(change)));
            c.commit();
            change += BATCH;
          }
          double rate = rowsPerRound / ((System.nanoTime() - t0) / 1e9);
          (trigger ? with : without)[round / 2] = rate;
          System.out.printf("round %2d, trigger %s: %,.0f changes/s (load average %s)%n", round, trigger ? "on " : "off",
              rate, TimeTravelBench.loadAverage());
        }
        Arrays.sort(with);
        Arrays.sort(without);
        System.out.printf("median with the trigger %,.0f changes/s, without %,.0f: ratio %.3f; bemi.activity holds %s rows%n",
            with[roundsEach / 2], without[roundsEach / 2], with[roundsEach / 2] / without[roundsEach / 2],
            count(c));
      }
    }
  }

  /**
   * {@value #BATCH} changes from number {@code first} on: 5 per transaction, 4 tables, a context
   * each, 20 transactions per second of commit time (so batches share minutes, as live ones do).
   */
  private static String batch(long first) {
    StringBuilder rows = new StringBuilder(BATCH * 320);
    for (long g = first; g < first + BATCH; g++) {
      long key = (g * 7919) % 100_000;
      String at = java.time.Instant.parse("2024-01-01T00:00:00Z").plusMillis(g / 5 * 50).toString();
      rows.append(key).append('\t')
          .append("{\"id\": ").append(key).append(", \"balance\": ").append(g % 1000).append(", \"note\": \"account ").append(key).append("\"}\t")
          .append("{\"id\": ").append(key).append(", \"balance\": ").append(g % 1000 + 1).append(", \"note\": \"account ").append(key).append("\"}\t")
          .append("{\"user_id\": ").append(g / 5 % 1000).append(", \"endpoint\": \"POST /transfer\", \"request_id\": \"r-").append(g / 5).append("\"}\t")
          .append("shop\tpublic\ttable_").append(g % 4).append("\tUPDATE\t").append(at).append('\t').append(at).append('\t')
          .append(1000 + g / 5).append('\t').append(g).append('\t').append(g / 5 * 100).append('\t').append(g % 5).append('\n');
    }
    return rows.toString();
  }

  private static String count(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); var rs = s.executeQuery("SELECT count(*) FROM bemi.activity")) {
      rs.next();
      return rs.getString(1);
    }
  }
}

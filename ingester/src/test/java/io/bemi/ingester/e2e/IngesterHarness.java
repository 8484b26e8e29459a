package io.bemi.ingester.e2e;

import io.bemi.ingester.Ingester;
import io.bemi.ingester.IngesterConfig;
import io.bemi.ingester.IngesterMetrics;
import io.bemi.ingester.PostgresUrl;
import io.bemi.sql.Lsn;
import io.bemi.ingester.setup.SourceSetup;
import io.bemi.ingester.sink.SinkFactory;
import io.bemi.test.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Runs the ingester in-process against test databases and waits until what was committed is stored. */
final class IngesterHarness implements AutoCloseable {

  private final TestDatabase source;
  private final TestDatabase destination;
  private final Ingester ingester;
  private final Thread thread;
  private volatile Throwable failure;

  private IngesterHarness(TestDatabase source, TestDatabase destination, IngesterConfig config,
      IngesterMetrics metrics, Duration leaseTime, SinkFactory sinks) {
    this.source = source;
    this.destination = destination;
    this.ingester = new Ingester(config, metrics, Clock.systemUTC(), leaseTime, sinks);
    this.thread = new Thread(() -> {
      try {
        ingester.run();
      } catch (Throwable t) {
        failure = t;
      }
    }, "test-ingester");
  }

  /** Sets up the source (all tables) and starts streaming into {@code destination} (null: the source). */
  static IngesterHarness start(TestDatabase source, TestDatabase destination, UnaryOperator<IngesterConfig> tweak)
      throws SQLException {
    return start(source, destination, tweak, new IngesterMetrics());
  }

  /** The same, counting into {@code metrics} (e.g. over a Prometheus registry). */
  static IngesterHarness start(TestDatabase source, TestDatabase destination, UnaryOperator<IngesterConfig> tweak,
      IngesterMetrics metrics) throws SQLException {
    return start(source, destination, tweak, metrics, io.bemi.ingester.leader.LeaderLease.DEFAULT_TIME, null);
  }

  /** The same with another lease time (standby tests). */
  static IngesterHarness start(TestDatabase source, TestDatabase destination, UnaryOperator<IngesterConfig> tweak,
      IngesterMetrics metrics, Duration leaseTime) throws SQLException {
    return start(source, destination, tweak, metrics, leaseTime, null);
  }

  /** The same, handing changes to another sink (null: the destination database). */
  static IngesterHarness start(TestDatabase source, TestDatabase destination, UnaryOperator<IngesterConfig> tweak,
      IngesterMetrics metrics, SinkFactory sinks) throws SQLException {
    return start(source, destination, tweak, metrics, io.bemi.ingester.leader.LeaderLease.DEFAULT_TIME, sinks);
  }

  private static IngesterHarness start(TestDatabase source, TestDatabase destination,
      UnaryOperator<IngesterConfig> tweak, IngesterMetrics metrics, Duration leaseTime, SinkFactory sinks)
      throws SQLException {
    setUpSource(source);
    TestDatabase target = destination == null ? source : destination;
    IngesterConfig config = tweak.apply(IngesterConfig.defaults(PostgresUrl.parse(source.uri()),
        PostgresUrl.parse(target.uri()), "bemi", "bemi", "bemi"));
    IngesterHarness harness = new IngesterHarness(source, target, config, metrics, leaseTime, sinks);
    harness.thread.start();
    return harness;
  }

  static IngesterHarness start(TestDatabase source) throws SQLException {
    return start(source, null, c -> c);
  }

  static void setUpSource(TestDatabase source) throws SQLException {
    try (Connection c = source.connect()) {
      SourceSetup.execute(c, SourceSetup.setupStatements(c, 
          SourceSetup.trackedTables(c, "bemi", List.of(), List.of()), "bemi", "bemi"));
    }
  }

  IngesterMetrics metrics() {
    return ingester.metrics();
  }

  /**
   * Commits a marker transaction (a logical message, which every slot receives) and waits until
   * the ingester has confirmed past it: everything committed before is then stored.
   */
  void awaitCaughtUp() throws Exception {
    Lsn marker = Lsn.parse((String) source.queryValue(
        "SELECT pg_logical_emit_message(true, 'bemi_test_marker', 'sync')::text"));
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!ingester.metrics().confirmedLsn().isAfter(marker)) {
      if (failure != null) {
        throw new AssertionError("The ingester failed", failure);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Not stored within 60 s: marker " + marker + ", confirmed "
            + ingester.metrics().confirmedLsn());
      }
      Thread.sleep(20);
    }
  }

  /** Stored changes matching a SQL condition, oldest first, with jsonb columns as text. */
  List<Map<String, Object>> changes(String where) throws SQLException {
    String sql = "SELECT primary_key, before::text AS before, after::text AS after, context::text AS context, "
        + "database, schema, \"table\", operation, transaction_id, position, commit_lsn, change_index "
        + "FROM bemi.changes WHERE " + where + " ORDER BY commit_lsn, change_index";
    List<Map<String, Object>> rows = new ArrayList<>();
    try (Connection c = destination.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      ResultSetMetaData meta = rs.getMetaData();
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          row.put(meta.getColumnLabel(i), rs.getObject(i));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  /** One column of the stored changes matching a condition, oldest first. */
  List<Object> column(String column, String where) throws SQLException {
    List<Object> values = new ArrayList<>();
    for (Map<String, Object> row : changes(where)) {
      values.add(row.get(column));
    }
    return values;
  }

  Throwable failure() {
    return failure;
  }

  @Override
  public void close() throws Exception {
    ingester.stop();
    if (!ingester.awaitStopped(Duration.ofSeconds(30))) {
      thread.interrupt();
    }
    thread.join(10_000);
  }
}

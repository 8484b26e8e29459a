package io.bemi.ingester.bench;

import io.bemi.ingester.Ingester;
import io.bemi.ingester.IngesterConfig;
import io.bemi.ingester.IngesterMetrics;
import io.bemi.ingester.PostgresUrl;
import io.bemi.sql.Lsn;
import io.bemi.sql.Migrations;
import io.bemi.ingester.setup.SourceSetup;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Backlog drain: builds a backlog of ≥1M row changes (small OLTP transactions with a context
 * message each, plus bulk statements), then measures pg_recvlogical reading it from one slot and
 * the ingester draining an identical slot created at the same point, and prints changes/s and the ratio.
 *
 * <pre>./mvnw -q -o -pl ingester test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.bemi.ingester.bench.DrainBenchmark [-Dbench.oltp=100000] [-Dbench.bulk=450000] \
 *   [-Dbench.alter='DROP INDEX bemi.changes_table_time_idx'] [-Dbench.fullUpdate=1000000]</pre>
 *
 * <p>Prints the CPU seconds of each process (walsenders, destination backend, JVM, pg_recvlogical)
 * per 100,000 changes for both readers. {@code bench.alter}: statements (separated by {@code ;}) run
 * on the migrated destination before the ingester starts, to drain into a variant of the layout.
 * {@code bench.fullUpdate}: the backlog is instead one UPDATE of that many rows of a table with
 * REPLICA IDENTITY FULL.
 */
public final class DrainBenchmark {

  private DrainBenchmark() {}

  public static void main(String[] args) throws Exception {
    int oltpTransactions = Integer.getInteger("bench.oltp", 100_000);
    int bulkRows = Integer.getInteger("bench.bulk", 450_000);
    try (BenchPostgres pg = BenchPostgres.start("drain")) {
      Backlog backlog = System.getProperty("bench.fullUpdate") != null
          ? buildFullUpdateBacklog(pg, Integer.getInteger("bench.fullUpdate"), "baseline")
          : buildBacklog(pg, oltpTransactions, bulkRows, "baseline");
      Lsn marker = backlog.marker();
      ProcessCpu recvCpu = ProcessCpu.start(pg);
      double recvSeconds = recvlogical(pg, "baseline", backlog.end());
      recvCpu.close();

      // The ingester drains the other slot into bemi.changes in the same database.
      PostgresUrl url = PostgresUrl.parse(pg.uri());
      String alter = System.getProperty("bench.alter");
      if (alter != null) { // a layout variant: statements run on the migrated destination before the drain
        Migrations.migrate(url.dataSource(), "bemi");
        pg.execute(alter.split(";"));
      }
      IngesterMetrics metrics = new IngesterMetrics();
      Ingester ingester = new Ingester(IngesterConfig.defaults(url, url, "bemi", "bemi", "bemi"), metrics,
          Clock.systemUTC());
      Thread thread = new Thread(() -> {
        try {
          ingester.run();
        } catch (Exception e) {
          e.printStackTrace();
        }
      });
      ProcessCpu ingesterCpu = ProcessCpu.start(pg);
      long i0 = System.nanoTime();
      thread.start();
      while (!metrics.confirmedLsn().isAfter(marker)) {
        Thread.sleep(20);
        if (!thread.isAlive()) {
          throw new IllegalStateException("The ingester stopped");
        }
      }
      double ingesterSeconds = (System.nanoTime() - i0) / 1e9;
      ingesterCpu.close();
      ingester.stop();
      ingester.awaitStopped(Duration.ofSeconds(30));

      long changes = metrics.changesStored();
      double recvRate = changes / recvSeconds;
      double ingesterRate = changes / ingesterSeconds;
      System.out.printf("backlog: %,d row changes in %,d transactions (%,d destination commits)%n", changes,
          metrics.transactionsStored(), metrics.batchesCommitted());
      System.out.printf("pg_recvlogical: %.1f s, %,.0f changes/s%n", recvSeconds, recvRate);
      System.out.printf("ingester:       %.1f s, %,.0f changes/s (decode, stitch, COPY into bemi.changes, commit)%n",
          ingesterSeconds, ingesterRate);
      System.out.printf("ratio ingester / pg_recvlogical: %.2f (target >= 0.8)%n", ingesterRate / recvRate);
      recvCpu.report("pg_recvlogical", changes, recvSeconds);
      ingesterCpu.report("the ingester", changes, ingesterSeconds);

      // For scale: the destination's own cost of inserting the same rows (jsonb parsing, 6 indexes).
      long d0 = System.nanoTime();
      pg.execute("INSERT INTO bemi.changes (primary_key, before, after, context, database, schema, \"table\", "
          + "operation, committed_at, queued_at, transaction_id, position, commit_lsn, change_index) "
          + "SELECT primary_key, before::text::jsonb, after::text::jsonb, context::text::jsonb, database, schema, "
          + "\"table\", operation, committed_at, queued_at, transaction_id, position, commit_lsn + (1::bigint << 40), "
          + "change_index FROM bemi.changes");
      System.out.printf("for scale, INSERT … SELECT of the same %,d rows inside the destination: %.1f s%n", changes,
          (System.nanoTime() - d0) / 1e9);
    }
  }

  /** The backlog's last message (everything before it is the backlog) and the WAL end after it. */
  record Backlog(Lsn marker, Lsn end) {}

  /**
   * Creates the workload's tables, sets the source up (slot {@code bemi}), creates {@code
   * extraSlots} at the same point, then commits the backlog: small OLTP transactions with a
   * context message each, a bulk insert and three bulk updates.
   */
  static Backlog buildBacklog(BenchPostgres pg, int oltpTransactions, int bulkRows, String... extraSlots)
      throws Exception {
    pg.execute(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, balance numeric NOT NULL, note text, updated_at timestamptz)",
        "CREATE TABLE history (id bigserial PRIMARY KEY, account_id bigint, delta numeric, created_at timestamptz)",
        "INSERT INTO accounts SELECT i, 0, 'account ' || i, now() FROM generate_series(1, 100000) i",
        """
        CREATE PROCEDURE oltp(n int) LANGUAGE plpgsql AS $$
        BEGIN
          FOR i IN 1..n LOOP
            PERFORM pg_logical_emit_message(true, '_bemi',
              json_build_object('user_id', i % 1000, 'endpoint', 'POST /transfer', 'request_id', md5(i::text))::text);
            UPDATE accounts SET balance = balance + 1, updated_at = now() WHERE id = 1 + (i * 7919) % 100000;
            INSERT INTO history (account_id, delta, created_at) VALUES (1 + (i * 7919) % 100000, 1, now());
            COMMIT;
          END LOOP;
        END $$""");
    setUpSlots(pg, extraSlots);
    long t0 = System.nanoTime();
    pg.execute("CALL oltp(" + oltpTransactions + ")",
        "INSERT INTO history (account_id, delta, created_at) SELECT i % 100000, 2, now() FROM generate_series(1, "
            + bulkRows + ") i",
        "UPDATE accounts SET balance = balance + 1",
        "UPDATE accounts SET note = note || '!'",
        "UPDATE history SET delta = delta + 1 WHERE id % 2 = 0 AND id > " + (2 * oltpTransactions));
    return endOfBacklog(pg, t0);
  }

  /**
   * The bulk-UPDATE shape: one UPDATE of {@code rows} rows of a table with REPLICA IDENTITY
   * FULL (each change carries the whole old row), in one transaction.
   */
  static Backlog buildFullUpdateBacklog(BenchPostgres pg, int rows, String... extraSlots) throws Exception {
    pg.execute(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, balance numeric NOT NULL, note text, updated_at timestamptz)",
        "INSERT INTO accounts SELECT i, 0, 'account ' || i, now() FROM generate_series(1, " + rows + ") i",
        "ALTER TABLE accounts REPLICA IDENTITY FULL");
    setUpSlots(pg, extraSlots);
    long t0 = System.nanoTime();
    pg.execute("UPDATE accounts SET balance = balance + 1, updated_at = now()");
    return endOfBacklog(pg, t0);
  }

  /** Sets the source up (slot {@code bemi}) and creates {@code extraSlots} at the same point. */
  private static void setUpSlots(BenchPostgres pg, String... extraSlots) throws Exception {
    try (Connection c = pg.connect()) {
      SourceSetup.execute(c, SourceSetup.setupStatements(c,
          SourceSetup.trackedTables(c, "bemi", List.of(), List.of()), "bemi", "bemi"));
    }
    for (String slot : extraSlots) {
      pg.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
    }
  }

  /** Marks the end of the backlog committed since {@code t0}. */
  private static Backlog endOfBacklog(BenchPostgres pg, long t0) throws Exception {
    Lsn marker = Lsn.parse(pg.queryString("SELECT pg_logical_emit_message(true, 'bench_end', 'x')::text"));
    Lsn end = Lsn.parse(pg.queryString("SELECT pg_current_wal_lsn()::text"));
    System.out.printf("backlog built in %.1f s, WAL end %s%n", (System.nanoTime() - t0) / 1e9, end);
    return new Backlog(marker, end);
  }

  /** pg_recvlogical reads {@code slot} up to {@code end} into /dev/null; returns the seconds it took. */
  static double recvlogical(BenchPostgres pg, String slot, Lsn end) throws Exception {
    // Baseline: pg_recvlogical reads the identical slot to /dev/null.
    ProcessBuilder recv = new ProcessBuilder("pg_recvlogical", "-h", "localhost", "-p",
        String.valueOf(pg.postgres.getPort()), "-U", "postgres", "-d", pg.database, "--slot", slot, "--start",
        "-P", "pgoutput", "-o", "proto_version=1", "-o", "publication_names=bemi", "-o", "messages=true",
        "--no-loop", "--endpos", end.toString(), "-f", "/dev/null").inheritIO();
    recv.environment().put("PGPASSWORD", "postgres");
    long r0 = System.nanoTime();
    int exit = recv.start().waitFor();
    double recvSeconds = (System.nanoTime() - r0) / 1e9;
    if (exit != 0) {
      throw new IllegalStateException("pg_recvlogical exited with " + exit);
    }
    return recvSeconds;
  }
}

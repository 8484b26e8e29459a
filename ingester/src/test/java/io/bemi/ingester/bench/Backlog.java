package io.bemi.ingester.bench;

import io.bemi.ingester.setup.SourceSetup;
import io.bemi.sql.Lsn;
import java.sql.Connection;
import java.util.List;

/**
 * A backlog of committed changes waiting in the slots of a fresh benchmark database: its last
 * message (everything before it is the backlog; a reader is done when it has confirmed past it)
 * and the WAL end after it. Each factory creates the shape's tables, sets the source up (slot and
 * publication {@code bemi}, every table with REPLICA IDENTITY FULL as {@code setup} makes it),
 * creates {@code extraSlots} at the same point, then commits the backlog.
 */
record Backlog(Lsn marker, Lsn end) {

  private static final String ACCOUNTS =
      "CREATE TABLE accounts (id bigint PRIMARY KEY, balance numeric NOT NULL, note text, updated_at timestamptz)";
  private static final String HISTORY =
      "CREATE TABLE history (id bigserial PRIMARY KEY, account_id bigint, delta numeric, created_at timestamptz)";

  /**
   * The mixed backlog this benchmark started with: small OLTP transactions (a context message, an
   * UPDATE and an INSERT each), a bulk insert and three bulk updates.
   */
  static Backlog mixed(BenchPostgres pg, int oltpTransactions, int bulkRows, String... extraSlots)
      throws Exception {
    pg.execute(ACCOUNTS, HISTORY,
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
    return commit(pg, extraSlots, String.format("mixed: %,d transactions of an UPDATE + an INSERT with a _bemi "
            + "message, a %,d-row INSERT, two 100,000-row UPDATEs and an UPDATE of every other later history row",
            oltpTransactions, bulkRows),
        "CALL oltp(" + oltpTransactions + ")",
        "INSERT INTO history (account_id, delta, created_at) SELECT i % 100000, 2, now() FROM generate_series(1, "
            + bulkRows + ") i",
        "UPDATE accounts SET balance = balance + 1",
        "UPDATE accounts SET note = note || '!'",
        "UPDATE history SET delta = delta + 1 WHERE id % 2 = 0 AND id > " + (2 * oltpTransactions));
  }

  /**
   * Small OLTP transactions with contexts: {@code changes / 3} transfers, each a {@code _bemi}
   * message, two UPDATEs of accounts (of 100,000) and an INSERT into history.
   */
  static Backlog oltp(BenchPostgres pg, int changes, String... extraSlots) throws Exception {
    int transactions = (changes + 2) / 3;
    pg.execute(ACCOUNTS, HISTORY,
        "INSERT INTO accounts SELECT i, 0, 'account ' || i, now() FROM generate_series(1, 100000) i",
        """
        CREATE PROCEDURE transfers(n int) LANGUAGE plpgsql AS $$
        DECLARE
          source bigint;
          target bigint;
        BEGIN
          FOR i IN 1..n LOOP
            source := 1 + (i::bigint * 7919) % 100000;
            target := 1 + (i::bigint * 104729) % 100000;
            PERFORM pg_logical_emit_message(true, '_bemi',
              json_build_object('user_id', i % 1000, 'endpoint', 'POST /transfer', 'request_id', md5(i::text))::text);
            UPDATE accounts SET balance = balance - 1, updated_at = now() WHERE id = source;
            UPDATE accounts SET balance = balance + 1, updated_at = now() WHERE id = target;
            INSERT INTO history (account_id, delta, created_at) VALUES (source, -1, now());
            COMMIT;
          END LOOP;
        END $$""");
    return commit(pg, extraSlots, String.format("oltp: %,d transactions of a _bemi message, 2 UPDATEs and an INSERT",
        transactions), "CALL transfers(" + transactions + ")");
  }

  /** One {@code INSERT … SELECT} of {@code changes} rows, in one transaction. */
  static Backlog bulkInsert(BenchPostgres pg, int changes, String... extraSlots) throws Exception {
    pg.execute(HISTORY);
    return commit(pg, extraSlots, String.format("bulk: one INSERT … SELECT of %,d rows", changes),
        "INSERT INTO history (account_id, delta, created_at) SELECT i % 100000, 2, now() "
            + "FROM generate_series(1, " + changes + ") i");
  }

  /**
   * One UPDATE of {@code changes} rows of a table with REPLICA IDENTITY FULL (each change carries
   * the whole old row), in one transaction.
   */
  static Backlog fullUpdate(BenchPostgres pg, int changes, String... extraSlots) throws Exception {
    pg.execute(ACCOUNTS,
        "INSERT INTO accounts SELECT i, 0, 'account ' || i, now() FROM generate_series(1, " + changes + ") i");
    return commit(pg, extraSlots, String.format("fullUpdate: one UPDATE of %,d rows with REPLICA IDENTITY FULL",
        changes), "UPDATE accounts SET balance = balance + 1, updated_at = now()");
  }

  /**
   * Wide rows: {@code changes / 2} documents whose {@code body} is 4.0–5.9 KB of md5 hex (random
   * enough that pglz cannot shrink it below the TOAST threshold, so every body is stored out of
   * line), inserted in transactions of 1,000, then each updated once in a small column, also in
   * transactions of 1,000. On that UPDATE the body is an unchanged TOAST value: pgoutput sends it
   * as {@code u} (no data) in the new tuple, and, the table having REPLICA IDENTITY FULL, in full in
   * the old tuple (the server detoasts the old row into the WAL), from which the ingester fills it
   * in: the trail's {@code before} and {@code after} both carry the body.
   */
  static Backlog toast(BenchPostgres pg, int changes, String... extraSlots) throws Exception {
    int rows = (changes + 1) / 2;
    pg.execute("CREATE TABLE documents (id bigint PRIMARY KEY, version int NOT NULL, body text NOT NULL)",
        """
        CREATE PROCEDURE documents(n int, chunk int) LANGUAGE plpgsql AS $$
        BEGIN
          FOR c IN 0..(n - 1) / chunk LOOP
            INSERT INTO documents
              SELECT g, 1, (SELECT string_agg(md5(g || ':' || j), '') FROM generate_series(1, 125 + g % 60) j)
              FROM generate_series(c * chunk + 1, least((c + 1) * chunk, n)) g;
            COMMIT;
          END LOOP;
          FOR c IN 0..(n - 1) / chunk LOOP
            UPDATE documents SET version = version + 1 WHERE id > c * chunk AND id <= (c + 1) * chunk;
            COMMIT;
          END LOOP;
        END $$""");
    Backlog backlog = commit(pg, extraSlots, String.format("toast: %,d INSERTs of a 4.0–5.9 KB text body, then %,d "
        + "UPDATEs leaving the body unchanged (transactions of 1,000)", rows, rows),
        "CALL documents(" + rows + ", 1000)");
    System.out.println("  TOAST: " + pg.queryString("""
        SELECT format('body %s bytes on average, stored %s bytes (%s compressed rows); TOAST relation %s, table %s',
          round(avg(octet_length(body))), round(avg(pg_column_size(body))), count(pg_column_compression(body)),
          pg_size_pretty(pg_relation_size((SELECT reltoastrelid FROM pg_class WHERE relname = 'documents'))),
          pg_size_pretty(pg_relation_size('documents')))
        FROM documents"""));
    return backlog;
  }

  /**
   * Sets the source up (slot {@code bemi}), creates {@code extraSlots} at the same point, commits
   * the {@code backlog} statements and marks their end; prints what the backlog holds.
   */
  private static Backlog commit(BenchPostgres pg, String[] extraSlots, String description, String... backlog)
      throws Exception {
    try (Connection c = pg.connect()) {
      SourceSetup.execute(c, SourceSetup.setupStatements(c,
          SourceSetup.trackedTables(c, "bemi", List.of(), List.of()), "bemi", "bemi"));
    }
    for (String slot : extraSlots) {
      pg.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
    }
    long t0 = System.nanoTime();
    pg.execute(backlog);
    Lsn marker = Lsn.parse(pg.queryString("SELECT pg_logical_emit_message(true, 'bench_end', 'x')::text"));
    Lsn end = Lsn.parse(pg.queryString("SELECT pg_current_wal_lsn()::text"));
    String wal = pg.queryString("SELECT pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)) "
        + "FROM pg_replication_slots WHERE slot_name = 'bemi'");
    System.out.printf("backlog %s%n  built in %.1f s, %s of WAL, end %s%n", description,
        (System.nanoTime() - t0) / 1e9, wal, end);
    return new Backlog(marker, end);
  }
}

package io.bemi.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.io.StringReader;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * bemi.activity counts the changes stored per minute, source, table and operation: kept by the
 * statement trigger on changes for INSERT and COPY, on a plain and on a partitioned changes table,
 * and backfilled when an existing trail is upgraded.
 */
@WithPostgres
class ActivityRollupTest {

  private static final String COLUMNS = "(source, primary_key, after, database, schema, \"table\", operation, committed_at,"
      + " queued_at, transaction_id, position, commit_lsn, change_index)";

  /** {@code n} changes of public.orders committed at 12:00:30 and 12:01:30, commit LSNs from {@code lsn}. */
  private static String insertOrders(String schema, int n, long lsn) {
    return "INSERT INTO " + schema + ".changes " + COLUMNS
        + " SELECT 'eu', i::text, '{}', 'shop', 'public', 'orders', CASE WHEN i % 2 = 0 THEN 'CREATE' ELSE 'UPDATE' END,"
        + " TIMESTAMPTZ '2026-01-01 12:00:30+00' + (i % 2) * INTERVAL '1 minute', now(), 1, i, " + lsn + " + i, 0"
        + " FROM generate_series(1, " + n + ") i ON CONFLICT DO NOTHING";
  }

  private static String counts(TestDatabase db, String schema) throws Exception {
    return (String) db.queryValue("SELECT string_agg(to_char(bucket AT TIME ZONE 'UTC', 'HH24:MI') || ' ' || source || ' '"
        + " || schema || '.' || \"table\" || ' ' || operation || ' ' || changes, ', ' ORDER BY source, bucket, operation)"
        + " FROM " + schema + ".activity");
  }

  @Test
  void insertedChangesAreCountedOncePerMinuteTableAndOperation(TestDatabase db) throws Exception {
    Migrations.migrate(db.dataSource(), "plain");

    db.execute(insertOrders("plain", 4, 100));
    db.execute(insertOrders("plain", 6, 100)); // the first four are replays: skipped, not counted

    assertThat(counts(db, "plain")).isEqualTo("12:00 eu public.orders CREATE 3, 12:01 eu public.orders UPDATE 3");
  }

  @Test
  void aWriterThatMayOnlyInsertChangesHasThemCounted(TestDatabase db) throws Exception {
    Migrations.migrate(db.dataSource(), "guarded");
    String role = "writer_" + db.name();
    db.execute("CREATE ROLE " + role, "GRANT USAGE ON SCHEMA guarded TO " + role, "GRANT INSERT ON guarded.changes TO " + role);
    try {
      db.execute("BEGIN; SET LOCAL ROLE " + role + "; " + insertOrders("guarded", 2, 100).replace(" ON CONFLICT DO NOTHING", "")
          + "; COMMIT");
    } finally {
      db.execute("REVOKE ALL ON guarded.changes FROM " + role, "REVOKE USAGE ON SCHEMA guarded FROM " + role, "DROP ROLE " + role);
    }

    assertThat(counts(db, "guarded")).isEqualTo("12:00 eu public.orders CREATE 1, 12:01 eu public.orders UPDATE 1");
  }

  @Test
  void aRoleThatMayOnlyReadCannotCountWhatItLikesThroughATriggerOnItsOwnTable(TestDatabase db) throws Exception {
    Migrations.migrate(db.dataSource(), "forged");
    String reader = "reader_" + db.name();
    db.execute("CREATE ROLE " + reader, "GRANT USAGE ON SCHEMA forged TO " + reader,
        "GRANT SELECT ON forged.changes, forged.activity TO " + reader);
    try {
      assertThatThrownBy(() -> db.execute("BEGIN; SET LOCAL ROLE " + reader,
          "CREATE TEMPORARY TABLE fake (committed_at timestamptz, source text, schema text, \"table\" text, operation text)",
          "CREATE TRIGGER fake_count AFTER INSERT ON fake REFERENCING NEW TABLE AS stored"
              + " FOR EACH STATEMENT EXECUTE FUNCTION forged.count_activity()",
          "INSERT INTO fake SELECT TIMESTAMPTZ '2026-01-01 12:00:30+00', 'eu', 'public', 'orders', 'DELETE'"
              + " FROM generate_series(1, 1000)",
          "COMMIT"))
          .hasMessageContaining("permission denied for function").hasMessageContaining("count_activity");
    } finally {
      db.execute("DROP OWNED BY " + reader, "DROP ROLE " + reader);
    }

    assertThat(counts(db, "forged")).isNull();
  }

  @Test
  void changesCopiedInAreCounted(TestDatabase db) throws Exception {
    Migrations.migrate(db.dataSource(), "copied");
    String rows = "eu\t1\t{}\tshop\tpublic\torders\tDELETE\t2026-01-01 12:05:00+00\t2026-01-01 12:05:01+00\t1\t1\t1\t0\n"
        + "eu\t2\t{}\tshop\tpublic\torders\tDELETE\t2026-01-01 12:05:59+00\t2026-01-01 12:06:01+00\t1\t2\t1\t1\n";

    try (Connection c = db.connect()) {
      c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY copied.changes " + COLUMNS + " FROM STDIN", new StringReader(rows));
    }

    assertThat(counts(db, "copied")).isEqualTo("12:05 eu public.orders DELETE 2");
  }

  @Test
  void changesStoredInThePartitionedChangesTableAreCounted(TestDatabase db) throws Exception {
    Migrations.migrate(db.dataSource(), "parted");
    assertThat(db.queryValue("SELECT relkind::text FROM pg_class WHERE oid = 'parted.changes'::regclass")).isEqualTo("p");

    db.execute(insertOrders("parted", 4, 100));

    assertThat(counts(db, "parted")).isEqualTo("12:00 eu public.orders CREATE 2, 12:01 eu public.orders UPDATE 2");
  }

  @Test
  void anUpgradedTrailIsCountedOnceThenKeptCounting(TestDatabase db) throws Exception {
    PreviousRelease.migrate(db.dataSource(), "upgraded");
    db.execute(insertOrders("upgraded", 4, 100).replace("SELECT 'eu', ", "SELECT ").replace("(source, ", "("));

    Migrations.migrate(db.dataSource(), "upgraded");
    db.execute(insertOrders("upgraded", 2, 200));

    assertThat(counts(db, "upgraded")).isEqualTo("12:00  public.orders CREATE 2, 12:01  public.orders UPDATE 2,"
        + " 12:00 eu public.orders CREATE 1, 12:01 eu public.orders UPDATE 1");
  }
}

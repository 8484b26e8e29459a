package io.bemi.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import org.junit.jupiter.api.Test;

/** The partitioned layout of changes (V70): upgrade of an existing trail, partitions ahead, sources. */
@WithPostgres
class PartitionedChangesTest {

  private static final String INSERT = "INSERT INTO bemi.changes (primary_key, after, database, schema, \"table\","
      + " operation, committed_at, queued_at, transaction_id, position, commit_lsn, change_index) VALUES ";

  @Test
  void anUpgradeFromTheUnpartitionedTrailKeepsEveryRowAndTheFunctions(TestDatabase server) throws Exception {
    TestDatabase db = server.createSibling("upgrade");
    PreviousRelease.migrate(db.dataSource(), "bemi");
    assertThat(db.queryValue("SELECT relkind::text FROM pg_class WHERE oid = 'bemi.changes'::regclass")).isEqualTo("r");
    db.execute(INSERT
        + "('1', '{\"id\": 1, \"v\": \"ancient\"}', 'app', 'public', 'items', 'CREATE', now() - interval '5 years', now(), 1, 100, 100, 0),"
        + "('1', '{\"id\": 1, \"v\": \"old\"}', 'app', 'public', 'items', 'UPDATE', now() - interval '2 months', now(), 2, 200, 200, 0),"
        + "('1', '{\"id\": 1, \"v\": \"new\"}', 'app', 'public', 'items', 'UPDATE', now() - interval '1 hour', now(), 3, 300, 300, 0),"
        + "('2', '{\"id\": 2, \"v\": \"x\"}', 'app', 'public', 'items', 'CREATE', now() - interval '1 hour', now(), 3, 300, 300, 1)",
        "SELECT bemi.create_history_view('items', 'items_history', '[[\"id\", \"int\"], [\"v\", \"text\"]]')");

    Migrations.migrate(db.dataSource(), "bemi");

    assertThat(db.queryValue("SELECT relkind::text FROM pg_class WHERE oid = 'bemi.changes'::regclass")).isEqualTo("p");
    assertThat(db.queryValue("SELECT string_agg(after->>'v' || ':' || source, ',' ORDER BY commit_lsn, change_index)"
        + " FROM bemi.changes")).isEqualTo("ancient:,old:,new:,x:");
    assertThat(db.queryValue("SELECT string_agg(after->>'v', ',') FROM bemi.record_history('items', '1')"))
        .isEqualTo("ancient,old,new");
    assertThat(db.queryValue("SELECT bemi.record_as_of('items', '1', now() - interval '1 month')->>'v'")).isEqualTo("old");
    assertThat(db.queryValue("SELECT string_agg(v, ',' ORDER BY bemi_committed_at) FROM bemi.items_history WHERE id = 1"))
        .isEqualTo("ancient,old,new");
    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes_history")).as("older than three years").isEqualTo(1);
    assertThat(db.queryLong("SELECT count(*) FROM pg_inherits WHERE inhparent = 'bemi.changes'::regclass"))
        .as("history + 3 years of months + 2 ahead").isBetween(38L, 40L);
  }

  @Test
  void aFreshTrailHasPartitionsForTheComingMonthsAndCreatesMoreOnDemand(TestDatabase server) throws Exception {
    TestDatabase db = server.createSibling("fresh");
    Migrations.migrate(db.dataSource(), "bemi");
    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes_history")).isZero();
    assertThat(db.queryValue("SELECT bemi.partitioned_until() > now() + interval '2 months'")).isEqualTo(true);

    db.execute("SELECT bemi.ensure_partitions(now() + interval '1 year')",
        INSERT + "('1', '{}', 'app', 'public', 'items', 'CREATE', now() + interval '1 year', now(), 1, 100, 100, 0)",
        INSERT + "('1', '{}', 'app', 'public', 'items', 'UPDATE', now() - interval '20 years', now(), 1, 90, 90, 0)");

    assertThat(db.queryValue("SELECT tableoid::regclass::text FROM bemi.changes WHERE commit_lsn = 100"))
        .isEqualTo("bemi.changes_" + db.queryValue("SELECT to_char(now() AT TIME ZONE 'UTC' + interval '1 year', 'YYYY_MM')"));
    assertThat(db.queryValue("SELECT tableoid::regclass::text FROM bemi.changes WHERE commit_lsn = 90"))
        .isEqualTo("bemi.changes_history");
    assertThat(db.queryValue("SELECT bemi.ensure_partitions(now())")).isEqualTo(db.queryValue("SELECT bemi.partitioned_until()"));
  }

  @Test
  void partitionsAreCreatedAtMostAYearAheadHoweverFarTheCallerAsks(TestDatabase server) throws Exception {
    TestDatabase db = server.createSibling("horizon");
    Migrations.migrate(db.dataSource(), "bemi");

    Object end = db.queryValue("SELECT bemi.ensure_partitions(now() + interval '100 years')");

    assertThat(end).isEqualTo(db.queryValue("SELECT bemi.partitioned_until()"));
    assertThat(db.queryValue("SELECT bemi.partitioned_until() BETWEEN now() + interval '1 year'"
        + " AND now() + interval '1 year 1 month'")).isEqualTo(true);
    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes_partitions()")).as("history, this month and the next 12").isEqualTo(14);
  }

  @Test
  void aRoleThatMayOnlyReadTheTrailCannotExtendItsPartitions(TestDatabase server) throws Exception {
    TestDatabase db = server.createSibling("reader");
    Migrations.migrate(db.dataSource(), "bemi");
    String reader = "reader_" + db.name();
    db.execute("CREATE ROLE " + reader, "GRANT USAGE ON SCHEMA bemi TO " + reader, "GRANT SELECT ON bemi.changes TO " + reader);
    Object until = db.queryValue("SELECT bemi.partitioned_until()");
    try {
      assertThatThrownBy(() -> db.execute("BEGIN; SET LOCAL ROLE " + reader
          + "; SELECT bemi.ensure_partitions(now() + interval '100 years'); COMMIT"))
          .hasMessageContaining("permission denied for function ensure_partitions");
    } finally {
      db.execute("DROP OWNED BY " + reader, "DROP ROLE " + reader);
    }

    assertThat(db.queryValue("SELECT bemi.partitioned_until()")).isEqualTo(until);
  }

  @Test
  void twoSourcesMayStoreTheSameCommitPositionsButOneSourceNotTwice(TestDatabase server) throws Exception {
    TestDatabase db = server.createSibling("sources");
    Migrations.migrate(db.dataSource(), "bemi");
    String change = "INSERT INTO bemi.changes (source, primary_key, database, schema, \"table\", operation, committed_at,"
        + " queued_at, transaction_id, position, commit_lsn, change_index) VALUES ('%s', '1', 'app', 'public', 'items',"
        + " 'CREATE', '2026-01-05 10:00:00+00', now(), 7, 100, 200, 0)";
    db.execute(String.format(change, "a"), String.format(change, "b"));

    assertThatThrownBy(() -> db.execute(String.format(change, "a"))).hasMessageContaining("commit_lsn_change_index_source_committed_at_key");
    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes")).isEqualTo(2);
  }
}

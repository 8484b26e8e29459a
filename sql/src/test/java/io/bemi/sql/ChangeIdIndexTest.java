package io.bemi.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** V81: a change is found by id through a BRIN index (no primary key B-tree); ids default to UUIDv7. */
@WithPostgres
class ChangeIdIndexTest {

  private static final String INSERT = "INSERT INTO bemi.changes (primary_key, after, database, schema, \"table\","
      + " operation, committed_at, queued_at, transaction_id, position, commit_lsn, change_index) ";

  @Test
  void anUpgradeFromV80KeepsTheRowsAndFindsAChangeByIdThroughTheBrinIndex(TestDatabase server) throws Exception {
    TestDatabase db = server.createSibling("upgrade_v80");
    Flyway.configure().configuration(Migrations.flyway(db.dataSource(), "bemi").getConfiguration())
        .target("80").load().migrate();
    db.execute(INSERT + "SELECT i::text, jsonb_build_object('id', i), 'app', 'public', 'items', 'CREATE',"
        + " now() - interval '1 hour', now(), i, i * 10, i * 10, 0 FROM generate_series(1, 2000) i");
    String id = (String) db.queryValue("SELECT id::text FROM bemi.changes WHERE primary_key = '1234'");

    Migrations.migrate(db.dataSource(), "bemi");

    assertThat(db.queryLong("SELECT count(*) FROM pg_constraint WHERE conrelid = 'bemi.changes'::regclass"
        + " AND contype = 'p'")).as("no primary key").isZero();
    assertThat(db.queryValue("SELECT amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam"
        + " WHERE c.oid = 'bemi.changes_id_idx'::regclass")).isEqualTo("brin");
    assertThat(db.queryValue("SELECT primary_key FROM bemi.changes WHERE id = '" + id + "'")).isEqualTo("1234");
    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes")).isEqualTo(2000);
    db.execute("ANALYZE bemi.changes", "CREATE FUNCTION plan(q text) RETURNS SETOF text LANGUAGE plpgsql"
        + " SET enable_seqscan = off AS $$BEGIN RETURN QUERY EXECUTE 'EXPLAIN ' || q; END$$");
    assertThat((String) db.queryValue("SELECT string_agg(line, ' ') FROM plan("
        + "'SELECT * FROM bemi.changes WHERE id = ANY (ARRAY[''" + id + "''::uuid])') line"))
        .as("restore and revert look changes up by = ANY (ids)")
        .contains("Bitmap Index Scan on changes_2").contains("_id_idx").doesNotContain("Seq Scan");
  }

  @Test
  void changesStoredWithoutAnIdGetTimeOrderedOnes(TestDatabase server) throws Exception {
    TestDatabase db = server.createSibling("uuid_v7");
    Migrations.migrate(db.dataSource(), "bemi");
    db.execute(INSERT + "SELECT i::text, '{}', 'app', 'public', 'items', 'CREATE', now(), now(), i, i, i, 0"
        + " FROM generate_series(1, 3) i");
    db.execute("SELECT pg_sleep(0.005)");
    db.execute(INSERT + "VALUES ('4', '{}', 'app', 'public', 'items', 'CREATE', now(), now(), 4, 4, 4, 0)");

    assertThat(db.queryValue("SELECT string_agg(DISTINCT substr(id::text, 15, 1), ',') FROM bemi.changes"))
        .as("version nibble").isEqualTo("7");
    assertThat(((String) db.queryValue("SELECT string_agg(DISTINCT substr(id::text, 20, 1), '') FROM bemi.changes"))
        .chars().allMatch(c -> "89ab".indexOf(c) >= 0)).as("RFC 9562 variant").isTrue();
    assertThat(db.queryValue("SELECT (SELECT id FROM bemi.changes WHERE commit_lsn = 4)"
        + " > ALL (SELECT id FROM bemi.changes WHERE commit_lsn < 4)")).as("later ids sort after").isEqualTo(true);
    assertThat(db.queryValue("SELECT abs(extract(epoch FROM now()) * 1000"
        + " - ('x' || substr(replace(id::text, '-', ''), 1, 12))::bit(48)::bigint) < 60000 FROM bemi.changes LIMIT 1"))
        .as("milliseconds of the Unix epoch").isEqualTo(true);
  }
}

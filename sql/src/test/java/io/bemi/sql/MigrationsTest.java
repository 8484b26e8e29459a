package io.bemi.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

@WithPostgres
class MigrationsTest {

  @Test
  void migratingTwiceCreatesTheChangesTableOnce(TestDatabase db) throws Exception {
    Migrations.migrate(db.dataSource(), "bemi");
    Migrations.migrate(db.dataSource(), "bemi");

    assertThat(db.queryLong("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'bemi' AND table_name = 'changes'"))
        .isEqualTo(1);
  }

  @Test
  void bemisChangesViewIsMadeInPublicButNeverOverAnApplicationsOwnChangesTable(TestDatabase db) throws Exception {
    TestDatabase free = db.createSibling("free");
    TestDatabase taken = db.createSibling("taken");
    taken.execute("CREATE TABLE public.changes (id int)");

    Migrations.migrate(free.dataSource(), "bemi");
    Migrations.migrate(taken.dataSource(), "bemi");

    assertThat(free.queryValue("SELECT relkind::text FROM pg_class WHERE oid = 'public.changes'::regclass")).isEqualTo("v");
    assertThat(taken.queryValue("SELECT relkind::text FROM pg_class WHERE oid = 'public.changes'::regclass")).isEqualTo("r");
  }

  @Test
  void aReplayedChangeViolatesTheUniqueKey(TestDatabase db) throws Exception {
    Migrations.migrate(db.dataSource(), "audit");
    String insert = "INSERT INTO audit.changes (primary_key, after, database, schema, \"table\", operation, committed_at, "
        + "queued_at, transaction_id, position, commit_lsn, change_index) VALUES ('1', '{\"id\":1}', 'db', 'public', 't', "
        + "'CREATE', '2026-01-05 10:00:00+00', now(), 7, 100, 200, 0)";
    db.execute(insert);

    // the partition's index, named after the key's columns
    assertThatThrownBy(() -> db.execute(insert)).hasMessageContaining("commit_lsn_change_index_source_committed_at_key");
  }

  @Test
  void aTrailOfTheV60SchemaUpgradesWithItsChangesUnlinkedAndItsKeyChangesFollowedFromThen(TestDatabase db) throws Exception {
    TestDatabase trail = db.createSibling("upgrade_from_v60");
    PreviousRelease.migrate(trail.dataSource(), "bemi");
    trail.execute("INSERT INTO bemi.changes (primary_key, after, database, schema, \"table\", operation, committed_at,"
        + " queued_at, transaction_id, position, commit_lsn, change_index) VALUES ('1', '{\"id\": 1}', 'db', 'public',"
        + " 'users', 'CREATE', now(), now(), 7, 100, 100, 0)");

    Migrations.migrate(trail.dataSource(), "bemi");
    trail.execute("INSERT INTO bemi.changes (primary_key, previous_primary_key, before, after, database, schema, \"table\","
        + " operation, committed_at, queued_at, transaction_id, position, commit_lsn, change_index) VALUES ('2', '1',"
        + " '{\"id\": 1}', '{\"id\": 2}', 'db', 'public', 'users', 'UPDATE', now(), now(), 8, 200, 200, 0)");

    assertThat(trail.queryLong("SELECT count(*) FROM bemi.changes WHERE previous_primary_key IS NULL")).isEqualTo(1);
    assertThat(trail.queryLong("SELECT count(*) FROM bemi.record_history('users', '2')")).isEqualTo(2);
    assertThat(trail.queryLong("SELECT count(*) FROM pg_indexes WHERE indexname = 'changes_previous_key_idx'")).isEqualTo(1);
  }

  @Test
  void aRoleThatMayInsertChangesBeforeTheUpgradeStillExtendsThePartitionsAfterItAndAReaderNoLonger(TestDatabase db)
      throws Exception {
    TestDatabase trail = db.createSibling("upgrade_from_v91");
    migrateTo(trail, "91");
    String writer = "writer_" + trail.name();
    String reader = "reader_" + trail.name();
    trail.execute("CREATE ROLE " + writer, "GRANT USAGE ON SCHEMA bemi TO " + writer, "GRANT INSERT ON bemi.changes TO " + writer,
        "CREATE ROLE " + reader, "GRANT USAGE ON SCHEMA bemi TO " + reader, "GRANT SELECT ON bemi.changes TO " + reader);
    try {
      assertThat(trail.queryValue("SELECT has_function_privilege('" + reader + "', 'bemi.ensure_partitions(timestamptz)',"
          + " 'EXECUTE')")).as("before V92: every role").isEqualTo(true);

      Migrations.migrate(trail.dataSource(), "bemi");
      trail.execute("BEGIN; SET LOCAL ROLE " + writer, "SELECT bemi.ensure_partitions(now() + interval '8 months')",
          "INSERT INTO bemi.changes (primary_key, database, schema, \"table\", operation, committed_at, queued_at,"
              + " transaction_id, position, commit_lsn, change_index) VALUES ('1', 'db', 'public', 'users', 'CREATE',"
              + " now() + interval '7 months', now(), 7, 100, 100, 0)",
          "COMMIT");

      assertThat(trail.queryLong("SELECT count(*) FROM bemi.changes")).isEqualTo(1);
      assertThat(trail.queryValue("SELECT has_function_privilege('" + reader + "', 'bemi.ensure_partitions(timestamptz)',"
          + " 'EXECUTE')")).isEqualTo(false);
    } finally {
      trail.execute("DROP OWNED BY " + writer + ", " + reader, "DROP ROLE " + writer + ", " + reader);
    }
  }

  @Test
  void theWritersAndReadersOfAPreviousReleasesTrailKeepTheirGrantsThroughTheUpgrade(TestDatabase db) throws Exception {
    TestDatabase trail = db.createSibling("grants_from_previous");
    PreviousRelease.migrate(trail.dataSource(), "bemi");
    String writer = "writer_" + trail.name();
    String reader = "reader_" + trail.name();
    trail.execute("CREATE ROLE " + writer, "GRANT USAGE ON SCHEMA bemi TO " + writer, "GRANT INSERT ON bemi.changes TO " + writer,
        "CREATE ROLE " + reader, "GRANT USAGE ON SCHEMA bemi TO " + reader,
        "GRANT SELECT ON bemi.changes, bemi.change_columns TO " + reader);
    try {
      Migrations.migrate(trail.dataSource(), "bemi"); // V70 re-creates changes and change_columns
      trail.execute("BEGIN; SET LOCAL ROLE " + writer, "SELECT bemi.ensure_partitions(now() + interval '8 months')",
          "INSERT INTO bemi.changes (primary_key, database, schema, \"table\", operation, committed_at, queued_at,"
              + " transaction_id, position, commit_lsn, change_index) VALUES ('1', 'db', 'public', 'users', 'CREATE',"
              + " now() + interval '7 months', now(), 7, 100, 100, 0)",
          "COMMIT");

      assertThat(trail.queryValue("SELECT has_table_privilege('" + reader + "', 'bemi.changes', 'SELECT')"
          + " AND has_table_privilege('" + reader + "', 'bemi.change_columns', 'SELECT')"
          + " AND NOT has_table_privilege('" + reader + "', 'bemi.changes', 'INSERT')"
          + " AND NOT has_function_privilege('" + reader + "', 'bemi.ensure_partitions(timestamptz)', 'EXECUTE')"))
          .isEqualTo(true);
      assertThat(trail.queryLong("SELECT count(*) FROM bemi.changes")).isEqualTo(1);
    } finally {
      trail.execute("DROP OWNED BY " + writer + ", " + reader, "DROP ROLE " + writer + ", " + reader);
    }
  }

  @Test
  void wideValuesAreCompressedWithLz4WhereTheServerHasItInOldAndNewPartitionsAndOldValuesStayReadable(TestDatabase db)
      throws Exception {
    TestDatabase trail = db.createSibling("lz4_from_v92");
    migrateTo(trail, "92"); // the current release's schema
    String wide = "jsonb_build_object('id', %d, 'body', repeat('compressible text ', 500))";
    String insert = "INSERT INTO bemi.changes (primary_key, before, after, context, database, schema, \"table\", operation,"
        + " committed_at, queued_at, transaction_id, position, commit_lsn, change_index) VALUES ('%d', %s, %s, %s, 'db',"
        + " 'public', 'documents', 'UPDATE', now() + interval '%d months', now(), 7, %d, %d, 0)";
    trail.execute(String.format(insert, 1, String.format(wide, 1), String.format(wide, 1), String.format(wide, 1), 0, 100, 100));

    Migrations.migrate(trail.dataSource(), "bemi");
    trail.execute("SELECT bemi.ensure_partitions(now() + interval '3 months')",
        String.format(insert, 2, String.format(wide, 2), String.format(wide, 2), String.format(wide, 2), 0, 200, 200),
        String.format(insert, 3, String.format(wide, 3), String.format(wide, 3), String.format(wide, 3), 2, 300, 300));

    boolean lz4 = (Boolean) trail.queryValue(
        "SELECT 'lz4' = ANY (enumvals) FROM pg_settings WHERE name = 'default_toast_compression'");
    // every partition, those from before the upgrade and those created after it: lz4, or the server's default
    assertThat(trail.queryValue("SELECT string_agg(DISTINCT a.attcompression::text, ',') FROM pg_partition_tree('bemi.changes') p"
        + " JOIN pg_attribute a ON a.attrelid = p.relid AND a.attname IN ('before', 'after', 'context')"))
        .isEqualTo(lz4 ? "l" : "");
    assertThat(trail.queryValue("SELECT string_agg(primary_key || ':' || pg_column_compression(before) || '/'"
        + " || pg_column_compression(after) || '/' || pg_column_compression(context), ' ' ORDER BY primary_key)"
        + " FROM bemi.changes")).isEqualTo(lz4
            ? "1:pglz/pglz/pglz 2:lz4/lz4/lz4 3:lz4/lz4/lz4"
            : "1:pglz/pglz/pglz 2:pglz/pglz/pglz 3:pglz/pglz/pglz");
    assertThat(trail.queryLong("SELECT count(*) FROM bemi.changes WHERE after = before AND after = context"
        + " AND after->>'body' = repeat('compressible text ', 500) AND (after->>'id')::int = primary_key::int"))
        .isEqualTo(3);
  }

  @Test
  void aPartitionCompactedBeforeTheStatesExistedMakesThemStaleWhenALateChangeLandsThere(TestDatabase db)
      throws Exception {
    TestDatabase trail = db.createSibling("states_from_v95");
    migrateTo(trail, "95");
    String insert = "INSERT INTO bemi.changes (primary_key, after, database, schema, \"table\", operation, committed_at,"
        + " queued_at, transaction_id, position, commit_lsn, change_index) VALUES ('%s', '{\"id\": %<s}', 'db', 'public',"
        + " 'users', 'CREATE', now() - interval '1 year', now(), %d, %<d, %<d, 0)";
    trail.execute(String.format(insert, "1", 10), String.format(insert, "2", 20),
        String.format(insert, "1", 40).replace("'users'", "'orders'"),
        // as the release before it recorded a compaction of the history partition
        "INSERT INTO bemi.compacted_partitions (partition_name, relid, changes)"
            + " VALUES ('changes_history', 'bemi.changes_history'::regclass, 3)",
        "INSERT INTO bemi.compacted_tables VALUES ('changes_history', '', 'public', 'users', 2, 2),"
            + " ('changes_history', '', 'public', 'orders', 1, 1)");

    Migrations.migrate(trail.dataSource(), "bemi");
    assertThat(trail.queryLong("SELECT taken FROM bemi.refresh_compacted_states()")).isEqualTo(2);
    assertThat(trail.queryLong("SELECT count(*) FROM bemi.table_as_of('users', 'infinity')")).isEqualTo(2);
    trail.execute(String.format(insert, "3", 30));

    assertThat(trail.queryValue("SELECT string_agg(\"table\", ',') FROM bemi.compacted_state_tables"))
        .as("the users' state stale (V97: only it)").isEqualTo("orders");
    assertThat(trail.queryLong("SELECT count(*) FROM bemi.table_as_of('users', 'infinity')")).isEqualTo(3);
    assertThat(trail.queryLong("SELECT taken FROM bemi.refresh_compacted_states()")).isEqualTo(1);
  }

  @Test
  void theStatesRefreshOfThePreviousReleaseWhichReturnedOneCountIsReplacedByTheUpgrade(TestDatabase db) throws Exception {
    TestDatabase trail = db.createSibling("refresh_returned_integer");
    Migrations.migrate(trail.dataSource(), "bemi");
    // as the previous release left it: the function returning one integer, its R__5 of another text
    trail.execute("DROP FUNCTION bemi.refresh_compacted_states()",
        "CREATE FUNCTION bemi.refresh_compacted_states() RETURNS integer LANGUAGE sql AS 'SELECT 0'",
        "UPDATE bemi.flyway_schema_history SET checksum = checksum + 1 WHERE script = 'R__5_maintenance.sql'");

    Migrations.migrate(trail.dataSource(), "bemi");
    assertThat(trail.queryValue("SELECT string_agg(pg_get_function_arguments(oid), '; ') FROM pg_proc"
        + " WHERE proname = 'refresh_compacted_states'"))
        .isEqualTo("OUT extended integer, OUT taken integer, OUT rows_written bigint");
    assertThat(trail.queryValue("SELECT format('%s %s %s', extended, taken, rows_written)"
        + " FROM bemi.refresh_compacted_states()")).isEqualTo("0 0 0");
  }

  /** Migrates {@code trail}'s schema bemi up to {@code version}, as a release that ended there did. */
  private static void migrateTo(TestDatabase trail, String version) {
    Flyway flyway = Flyway.configure().configuration(Migrations.flyway(trail.dataSource(), "bemi").getConfiguration())
        .target(version).load();
    flyway.migrate();
    flyway.migrate(); // the repeatables V70 marked outdated, as Migrations.migrate does
  }

  /** The SECURITY DEFINER functions of schema bemi that {@code role} may execute. */
  private static Object definerFunctionsExecutableBy(TestDatabase db, String role) throws Exception {
    return db.queryValue("SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY p.oid::regprocedure::text)"
        + " FROM pg_proc p WHERE p.pronamespace = 'bemi'::regnamespace AND p.prosecdef"
        + " AND has_function_privilege('" + role + "', p.oid, 'EXECUTE')");
  }

  @Test
  void everySecurityDefinerFunctionPinsItsSearchPathAndIsClosedToPublic(TestDatabase db) throws Exception {
    Migrations.migrate(db.dataSource(), "bemi");

    assertThat(db.queryValue("SELECT string_agg(p.proname || ' ' || coalesce(array_to_string(p.proconfig, ';'), '-'), ', '"
        + " ORDER BY p.proname) FROM pg_proc p WHERE p.pronamespace = 'bemi'::regnamespace AND p.prosecdef"))
        .isEqualTo("compacted_states_stale search_path=pg_catalog, pg_temp, count_activity search_path=pg_catalog, pg_temp,"
            + " ensure_partitions search_path=pg_catalog, pg_temp;TimeZone=UTC");
    assertThat(definerFunctionsExecutableBy(db, "public")).isNull();
  }

  @Test
  void theDashboardsReaderRoleAsDocumentedMayExecuteNoSecurityDefinerFunction(TestDatabase db) throws Exception {
    Migrations.migrate(db.dataSource(), "bemi");
    String reader = "bemi_reader_" + db.name();
    db.execute("CREATE ROLE " + reader, // docs/dashboard.md, "Read-only destination access"
        "GRANT USAGE ON SCHEMA bemi TO " + reader,
        "GRANT SELECT ON ALL TABLES IN SCHEMA bemi TO " + reader,
        "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA bemi TO " + reader,
        "REVOKE EXECUTE ON FUNCTION bemi.ensure_partitions(timestamptz), bemi.count_activity(),"
            + " bemi.compacted_states_stale() FROM " + reader);
    try {
      assertThat(definerFunctionsExecutableBy(db, reader)).isNull();
      assertThat(db.queryValue("SELECT has_function_privilege('" + reader + "', 'bemi.record_as_of(text, text, timestamptz, text)',"
          + " 'EXECUTE')")).isEqualTo(true);
    } finally {
      db.execute("DROP OWNED BY " + reader, "DROP ROLE " + reader);
    }
  }

  @Test
  void aSchemaNameThatIsNotAnIdentifierIsRefused(TestDatabase db) {
    assertThatThrownBy(() -> Migrations.migrate(db.dataSource(), "bemi; drop table x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lower-case identifier");
  }
}

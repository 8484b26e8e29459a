package io.bemi.ingester.e2e;

import static io.bemi.ingester.e2e.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.ingester.e2e.Cli.Result;
import io.bemi.sql.Migrations;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import org.junit.jupiter.api.Test;

/** {@code bemi-ingester compact}: the closed partitions of a trail rewritten in record order, oldest first. */
@WithPostgres
class CompactCommandTest {

  @Test
  void compactListsThenRewritesTheClosedPartitionsOnceAndThenHasNothingToDo(TestDatabase server) throws Exception {
    TestDatabase db = server.createSibling("compact");
    Migrations.migrate(db.dataSource(), "bemi");
    db.execute("INSERT INTO bemi.changes (primary_key, after, database, schema, \"table\", operation, committed_at,"
        + " queued_at, transaction_id, position, commit_lsn, change_index)"
        + " SELECT i % 3, jsonb_build_object('id', i % 3, 'v', i), 'app', 'public', 'items',"
        + " CASE WHEN i < 3 THEN 'CREATE' ELSE 'UPDATE' END, now() - interval '1 year' + i * interval '1 minute', now(),"
        + " i, i, i, 0 FROM generate_series(0, 9) i");
    String answer = "SELECT string_agg(primary_key || '=' || \"row\"::text, '; ' ORDER BY primary_key)"
        + " FROM bemi.table_as_of('items', 'infinity')";
    Object before = db.queryValue(answer);
    db.execute("SELECT pg_create_logical_replication_slot('compacting', 'pgoutput')");
    String[] status = {"status", "--source-url", db.uri(), "--slot", "compacting"};
    assertThat(run(status).out()).contains("compaction:        none (`bemi-ingester compact` rewrites closed months");

    // a fresh trail's history partition ends where this month starts: closed for more than a minute
    Result listed = run("compact", "--destination-url", db.uri(), "--closed-for", "1m", "--dry-run");
    assertThat(listed.exitCode()).as(listed.err()).isZero();
    assertThat(listed.out()).isEqualTo("Would compact bemi.changes_history\n");
    assertThat(db.queryLong("SELECT count(*) FROM bemi.compacted_partitions")).isZero();

    Result compacted = run("compact", "--destination-url", db.uri(), "--closed-for", "1m");
    assertThat(compacted.exitCode()).as(compacted.err()).isZero();
    assertThat(compacted.out()).matches("Compacted bemi\\.changes_history: 10 changes rewritten in record order in"
        + " [0-9.]+ s, VACUUM [0-9.]+ s\nTables' states at the end of the compacted partitions: 1 table\\(s\\) taken"
        + " from all their changes; 3 rows, 3 inserted, updated or deleted, in [0-9.]+ s\n");
    assertThat(db.queryValue(answer)).isEqualTo(before);
    assertThat(db.queryValue("SELECT rows FROM bemi.compacted_state_tables WHERE \"table\" = 'items'")).isEqualTo(3L);
    assertThat(run(status).out()).containsPattern("compaction:        changes before \\S+ in record order \\(1 partition\\(s\\)\\);"
        + " tables' states current \\(1 table\\(s\\), taken \\S+\\)\n");
    assertThat(db.queryValue("SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'changes_history'"))
        .isEqualTo(true);

    Result again = run("compact", "--destination-url", db.uri(), "--closed-for", "1h");
    assertThat(again.exitCode()).isZero();
    assertThat(again.out()).startsWith("Nothing to compact: every partition of bemi.changes that ended before ")
        .endsWith("in record order already.\nTables' states at the end of the compacted partitions: current.\n");

    // a late change into the compacted month: the states are taken again, without a month to compact
    db.execute("INSERT INTO bemi.changes (primary_key, after, database, schema, \"table\", operation, committed_at,"
        + " queued_at, transaction_id, position, commit_lsn, change_index)"
        + " VALUES ('7', '{\"id\": 7}', 'app', 'public', 'items', 'CREATE', now() - interval '1 year', now(), 20, 20, 20, 0)");
    assertThat(run(status).out()).contains("tables' states current for 0 of 1 table(s): a change landed in a compacted"
        + " month or a month was compacted since; `bemi-ingester compact` takes them again");
    Result late = run("compact", "--destination-url", db.uri(), "--closed-for", "1h");
    assertThat(late.out()).contains("Tables' states at the end of the compacted partitions: 1 table(s) taken from all"
        + " their changes; 4 rows, 1 inserted, updated or deleted, in ");
    db.execute("SELECT pg_drop_replication_slot('compacting')");
  }

  @Test
  void statusOfATrailWhoseCompactedMonthsHoldNoChangeSaysSo(TestDatabase server) throws Exception {
    TestDatabase db = server.createSibling("compact_nothing");
    Migrations.migrate(db.dataSource(), "bemi");
    db.execute("SELECT pg_create_logical_replication_slot('compacting_nothing', 'pgoutput')");
    try {
      Result compacted = run("compact", "--destination-url", db.uri(), "--closed-for", "1m");
      assertThat(compacted.exitCode()).as(compacted.err()).isZero();
      assertThat(compacted.out()).startsWith("Compacted bemi.changes_history: 0 changes rewritten in record order");

      assertThat(run("status", "--source-url", db.uri(), "--slot", "compacting_nothing").out())
          .containsPattern("compaction:        changes before \\S+ in record order \\(1 partition\\(s\\)\\);"
              + " no table has changes there, so no tables' states\n");
    } finally {
      db.execute("SELECT pg_drop_replication_slot('compacting_nothing')");
    }
  }

  @Test
  void aBadAgeOrADestinationWithoutTheTrailIsAOneLineErrorSayingWhatToDo(TestDatabase server) throws Exception {
    Result badAge = run("compact", "--destination-url", server.uri(), "--closed-for", "a week");
    assertThat(badAge.exitCode()).isEqualTo(2);
    assertThat(badAge.err()).contains("Invalid --closed-for 'a week': expected a whole number of at least 1 and d, h or m");

    TestDatabase empty = server.createSibling("compact_empty");
    Result noTrail = run("compact", "--destination-url", empty.uri());
    assertThat(noTrail.exitCode()).isEqualTo(1);
    assertThat(noTrail.err()).contains("predates this version's compaction", "bemi-ingester run", "schema \"bemi\" does not exist");
  }
}

package io.bemi.history;

import static io.bemi.history.Trail.column;
import static io.bemi.history.Trail.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Closed partitions rewritten in record order (compact_partition, R__5): every time-travel answer
 * stays the same, table_as_of reads tables with few changes per key from the rewritten months with
 * their rows, and the swap gives way to writers and readers instead of stalling them.
 */
@WithPostgres
class CompactionTest {

  private static final String TABLES = "CREATE TABLE accounts (id int PRIMARY KEY, email text, balance int);"
      + " CREATE TABLE counters (id int PRIMARY KEY, n int); CREATE TABLE tags (id text PRIMARY KEY, label text)";

  /** A trail whose history partition ends a month before this one, with last month as a partition of its own. */
  private static TestDatabase trailWithAClosedMonth(TestDatabase shared, String name) throws SQLException {
    TestDatabase db = shared.createSibling(name);
    Trail.install(db);
    db.execute(TABLES);
    for (String table : List.of("accounts", "counters", "tags")) {
      Trail.capture(db, "public." + table);
    }
    db.execute("""
        DO $$
        DECLARE
          m timestamptz;
        BEGIN
          PERFORM set_config('TimeZone', 'UTC', true);
          m := date_trunc('month', now());
          ALTER TABLE bemi.changes DETACH PARTITION bemi.changes_history;
          EXECUTE format('ALTER TABLE bemi.changes ATTACH PARTITION bemi.changes_history'
                         ' FOR VALUES FROM (MINVALUE) TO (%L)', m - interval '1 month');
          EXECUTE format('CREATE TABLE bemi.%I PARTITION OF bemi.changes FOR VALUES FROM (%L) TO (%L)',
                         'changes_' || to_char(m - interval '1 month', 'YYYY_MM'), m - interval '1 month', m);
        END
        $$""");
    return db;
  }

  /** Moves the changes stored so far (in commit order) to {@code at} onwards: into an older partition. */
  private static void movePastChanges(TestDatabase db, String from, String at) throws SQLException {
    db.execute("UPDATE bemi.changes SET committed_at = " + at + " + (committed_at - " + from + ")"
        + " WHERE committed_at >= " + from);
  }

  /** Three months of writes: key moves, deletes and a TRUNCATE in the months to compact, more this month. */
  private static void writeThreeMonths(TestDatabase db) throws SQLException {
    String phaseA = column(db, "SELECT clock_timestamp()::text").get(0);
    write(db, "INSERT INTO accounts SELECT i, 'u' || i || '@example.com', 100 FROM generate_series(1, 40) i",
        "INSERT INTO counters VALUES (1, 0)", "INSERT INTO tags VALUES ('a', 'A'), ('b', 'B'), ('c', 'C')");
    write(db, "UPDATE accounts SET balance = balance + 1 WHERE id % 3 = 0");
    write(db, "UPDATE accounts SET id = 105 WHERE id = 5");
    write(db, "DELETE FROM accounts WHERE id = 7");
    for (int i = 0; i < 15; i++) {
      write(db, "UPDATE counters SET n = n + 1");
    }
    movePastChanges(db, "'" + phaseA + "'::timestamptz", "now() - interval '70 days'");

    String phaseB = column(db, "SELECT clock_timestamp()::text").get(0);
    write(db, "UPDATE accounts SET balance = balance + 10 WHERE id % 4 = 0");
    write(db, "TRUNCATE tags");
    write(db, "INSERT INTO tags VALUES ('b', 'B2'), ('d', 'D')");
    write(db, "UPDATE accounts SET id = 5, email = 'back@example.com' WHERE id = 105");
    write(db, "DELETE FROM accounts WHERE id = 9");
    for (int i = 0; i < 15; i++) {
      write(db, "UPDATE counters SET n = n + 1");
    }
    movePastChanges(db, "'" + phaseB + "'::timestamptz",
        "date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '10 days'");

    write(db, "UPDATE accounts SET email = 'x@example.com' WHERE id IN (1, 2, 3)");
    write(db, "INSERT INTO accounts VALUES (41, 'new@example.com', 0)", "DELETE FROM accounts WHERE id = 8");
    write(db, "UPDATE counters SET n = n + 100", "UPDATE tags SET label = 'D2' WHERE id = 'd'");
  }

  /** Every table as of every commit instant and at the end, and a moved record's history. */
  private static List<String> answers(TestDatabase db) throws SQLException {
    List<String> answers = new ArrayList<>();
    List<String> instants = column(db, "SELECT DISTINCT committed_at::text FROM bemi.changes ORDER BY 1");
    instants.add("infinity");
    for (String instant : instants) {
      for (String table : List.of("accounts", "counters", "tags")) {
        answers.add(table + " at " + instant + ": " + column(db, "SELECT string_agg(primary_key || '=' || \"row\"::text, '; '"
            + " ORDER BY primary_key) FROM bemi.table_as_of(?, ?::timestamptz)", table, instant).get(0));
      }
    }
    answers.addAll(column(db, "SELECT operation || ' ' || primary_key || ' ' || after::text FROM bemi.record_history('accounts', '5')"));
    answers.addAll(column(db, "SELECT md5(string_agg(c::text, ',' ORDER BY commit_lsn, change_index)) FROM bemi.changes c"));
    return answers;
  }

  /** Each table's state, row by row, with the change each row comes from. */
  private static final String STATES = "SELECT string_agg(\"table\" || ' ' || primary_key || ' ' || commit_lsn || '/'"
      + " || change_index || ' ' || \"row\"::text, '; ' ORDER BY \"table\", primary_key) FROM bemi.compacted_states";

  /** Takes the tables' states; the number taken or extended. */
  private static final String REFRESH = "SELECT extended + taken FROM bemi.refresh_compacted_states()";

  /** The server's DEBUG messages while refresh_compacted_states takes the states (its result first). */
  private static List<String> refresh(TestDatabase db) throws SQLException {
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("SET client_min_messages = debug1");
      List<String> messages = new ArrayList<>();
      try (var rs = s.executeQuery("SELECT extended || ' extended, ' || taken || ' taken, ' || rows_written || ' written'"
          + " FROM bemi.refresh_compacted_states()")) {
        rs.next();
        messages.add(rs.getString(1));
      }
      for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
        messages.add(w.getMessage().replaceAll(" (before|from|to) [0-9-]+ [0-9:+]+", ""));
      }
      return messages;
    }
  }

  /** The server's DEBUG messages while table_as_of reads a table at the end of the trail. */
  private static List<String> debugMessages(TestDatabase db, String table) throws SQLException {
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("SET client_min_messages = debug1");
      s.execute("SELECT count(*) FROM bemi.table_as_of('" + table + "', 'infinity')");
      List<String> messages = new ArrayList<>();
      for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
        messages.add(w.getMessage());
      }
      return messages;
    }
  }

  @Test
  void everyTimeTravelAnswerIsTheSameAfterTheClosedPartitionsAreRewrittenInRecordOrder(TestDatabase shared) throws SQLException {
    TestDatabase db = trailWithAClosedMonth(shared, "compaction_answers");
    writeThreeMonths(db);
    String lastMonth = "changes_" + column(db, "SELECT to_char(now() AT TIME ZONE 'UTC' - interval '1 month', 'YYYY_MM')").get(0);
    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes_history")).isPositive();
    assertThat(db.queryLong("SELECT count(*) FROM bemi." + lastMonth)).isPositive();
    List<String> indexesBefore = column(db, "SELECT string_agg(relname || ' ' || (SELECT count(*) FROM pg_inherits"
        + " WHERE inhrelid = indexrelid), ', ' ORDER BY relname) FROM pg_index JOIN pg_class ON oid = indexrelid"
        + " WHERE indrelid = 'bemi." + lastMonth + "'::regclass");
    List<String> before = answers(db);
    assertThat(debugMessages(db, "accounts")).noneMatch(m -> m.contains("record order"));
    db.execute("CREATE ROLE compaction_writer", "GRANT INSERT ON bemi." + lastMonth + " TO compaction_writer");

    assertThat(column(db, "SELECT bemi.partitions_to_compact(now())")).containsExactly("changes_history", lastMonth);
    for (String partition : column(db, "SELECT bemi.partitions_to_compact(now())")) {
      assertThat(db.queryLong("SELECT bemi.compact_partition('" + partition + "')"))
          .isEqualTo(db.queryLong("SELECT count(*) FROM bemi." + partition));
      if (partition.equals("changes_history")) {
        // the states at the end of the first month, which the next refresh extends
        assertThat(refresh(db)).containsExactly("0 extended, 3 taken, 43 written",
            "bemi: the state of public.accounts (source '') taken from its changes",
            "bemi: the state of public.counters (source '') taken from its changes",
            "bemi: the state of public.tags (source '') taken from its changes");
      }
    }

    assertThat(answers(db)).isEqualTo(before);
    assertThat(column(db, "SELECT bemi.partitions_to_compact(now())")).isEmpty();
    assertThat(db.queryValue("SELECT bemi.compacted_until() = date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"))
        .isEqualTo(true);
    assertThat(db.queryValue("SELECT bool_and(physical = recorded) FROM (SELECT"
        + " row_number() OVER (ORDER BY ctid) AS physical, row_number() OVER (ORDER BY \"table\" DESC, primary_key DESC,"
        + " schema DESC, commit_lsn DESC, change_index DESC) AS recorded FROM bemi." + lastMonth + ") x"))
        .as("stored in descending record order").isEqualTo(true);
    assertThat(column(db, "SELECT string_agg(relname || ' ' || (SELECT count(*) FROM pg_inherits WHERE inhrelid = indexrelid),"
        + " ', ' ORDER BY relname) FROM pg_index JOIN pg_class ON oid = indexrelid WHERE indrelid = 'bemi." + lastMonth + "'::regclass"
        + " AND relname NOT LIKE '%transaction_order_idx'"))
        .as("the same indexes, each still a partition of the parent's").isEqualTo(indexesBefore);
    assertThat(db.queryLong("SELECT count(*) FROM pg_class WHERE relname LIKE 'bemi_compacting%'")).isZero();
    assertThat(db.queryValue("SELECT has_table_privilege('compaction_writer', 'bemi." + lastMonth + "', 'INSERT')"))
        .as("the month's own grants (the ingester copies straight into a month)").isEqualTo(true);
    assertThat(debugMessages(db, "accounts")).anyMatch(m -> m.contains("reads the changes committed before"));
    assertThat(debugMessages(db, "counters")).as("one row changed 31 times: probes").noneMatch(m -> m.contains("record order"));

    // each table's state at the end of the compacted months: every answer still the same, the
    // instants after them read from it
    // (extended with last month's changes: a key moved back, a DELETE, a TRUNCATE and inserts after it)
    assertThat(refresh(db)).containsExactly("3 extended, 0 taken, 30 written", "bemi: the state of public.accounts (source '') extended",
        "bemi: the state of public.counters (source '') extended", "bemi: the state of public.tags (source '') extended");
    assertThat(db.queryLong(REFRESH)).as("current: not taken again").isZero();
    assertThat(answers(db)).isEqualTo(before);
    assertThat(debugMessages(db, "accounts")).anyMatch(m -> m.contains("starts from its state at"));
    assertThat(debugMessages(db, "counters")).anyMatch(m -> m.contains("starts from its state at"));
    assertThat(column(db, "SELECT \"table\" || ' ' || rows FROM bemi.compacted_state_tables ORDER BY 1"))
        .containsExactly("accounts 38", "counters 1", "tags 2");
    String extended = column(db, STATES).get(0);
    db.execute("DELETE FROM bemi.compacted_state_tables");
    assertThat(refresh(db)).as("taken from all the compacted changes, every row the same")
        .contains("0 extended, 3 taken, 0 written", "bemi: the state of public.tags (source '') taken from its changes");
    assertThat(column(db, STATES)).containsExactly(extended);
    // a context backfilled into a compacted month does not change a state
    db.execute("UPDATE bemi.changes SET context = '{\"userId\": 1}' WHERE \"table\" = 'tags' AND primary_key = 'b'");
    assertThat(db.queryLong("SELECT count(*) FROM bemi.compacted_state_tables")).isEqualTo(3);

    // a late change stored into a compacted month is found like any other: the states are stale
    db.execute("INSERT INTO bemi.changes (primary_key, after, database, schema, \"table\", operation, committed_at,"
        + " queued_at, transaction_id, position, commit_lsn, change_index)"
        + " SELECT '900', '{\"id\": 900}', database, schema, 'accounts', 'CREATE', committed_at, queued_at, transaction_id,"
        + " position, commit_lsn, 1000 FROM bemi.changes WHERE operation = 'TRUNCATE'");
    assertThat(column(db, "SELECT \"table\" FROM bemi.compacted_state_tables ORDER BY 1"))
        .as("only the table changed is stale").containsExactly("counters", "tags");
    assertThat(debugMessages(db, "accounts")).noneMatch(m -> m.contains("starts from its state at"));
    assertThat(debugMessages(db, "tags")).anyMatch(m -> m.contains("starts from its state at"));
    assertThat(column(db, "SELECT \"row\"::text FROM bemi.table_as_of('accounts', 'infinity') WHERE primary_key = '900'"))
        .containsExactly("{\"id\": 900}");
    String rowVersions = "SELECT string_agg(primary_key || ' ' || xmin, ', ' ORDER BY primary_key) FROM bemi.compacted_states"
        + " WHERE \"table\" = 'accounts' AND primary_key NOT IN ('900', '12')";
    List<String> versionsBefore = column(db, rowVersions);
    assertThat(refresh(db)).containsExactly("0 extended, 1 taken, 1 written",
        "bemi: the state of public.accounts (source '') taken from its changes");
    assertThat(column(db, "SELECT \"row\"::text FROM bemi.table_as_of('accounts', 'infinity') WHERE primary_key = '900'"))
        .containsExactly("{\"id\": 900}");
    assertThat(debugMessages(db, "accounts")).anyMatch(m -> m.contains("starts from its state at"));
    assertThat(column(db, rowVersions)).as("taken again: only the rows that differ are written").isEqualTo(versionsBefore);
    // a compacted change corrected in place, to a value jsonb's = calls equal: its key's row is replaced
    db.execute("UPDATE bemi.changes SET after = jsonb_set(after, '{balance}', '111.0') WHERE \"table\" = 'accounts'"
        + " AND primary_key = '12' AND after ->> 'balance' = '111'");
    assertThat(refresh(db)).containsExactly("0 extended, 1 taken, 1 written",
        "bemi: the state of public.accounts (source '') taken from its changes");
    assertThat(column(db, "SELECT \"row\" ->> 'balance' FROM bemi.table_as_of('accounts', 'infinity') WHERE primary_key = '12'"))
        .containsExactly("111.0");
    assertThat(column(db, rowVersions)).isEqualTo(versionsBefore);
    String retaken = column(db, STATES).get(0);
    db.execute("DELETE FROM bemi.compacted_state_tables", "DELETE FROM bemi.compacted_states");
    assertThat(refresh(db)).hasSize(4).first().isEqualTo("0 extended, 3 taken, 42 written");
    assertThat(column(db, STATES)).as("the same as taken from nothing").containsExactly(retaken);
    // a compacted month truncated: every state is stale
    db.execute("TRUNCATE bemi." + lastMonth);
    assertThat(db.queryLong("SELECT count(*) FROM bemi.compacted_state_tables")).isZero();
  }

  @Test
  void retentionMakesTheHistoryPartitionCompactableAgainAndForgetsTheMonthItDrops(TestDatabase shared)
      throws SQLException {
    TestDatabase db = trailWithAClosedMonth(shared, "compaction_retention");
    writeThreeMonths(db);
    String lastMonth = "changes_" + column(db, "SELECT to_char(now() AT TIME ZONE 'UTC' - interval '1 month', 'YYYY_MM')").get(0);
    for (String partition : column(db, "SELECT bemi.partitions_to_compact(now())")) {
      db.queryLong("SELECT bemi.compact_partition('" + partition + "')");
    }
    assertThat(db.queryLong(REFRESH)).isEqualTo(3);
    String today = "SELECT string_agg(primary_key || '=' || \"row\"::text, '; ' ORDER BY primary_key)"
        + " FROM bemi.table_as_of(?, 'infinity')";
    List<String> before = new ArrayList<>();
    for (String table : List.of("accounts", "counters", "tags")) {
      before.addAll(column(db, today, table));
    }

    assertThat(db.queryValue("SELECT bemi.expire_oldest_partition(date_trunc('month', now() AT TIME ZONE 'UTC')"
        + " AT TIME ZONE 'UTC')")).isEqualTo(lastMonth);

    assertThat(column(db, "SELECT partition_name FROM bemi.compacted_partitions UNION ALL"
        + " SELECT DISTINCT partition_name FROM bemi.compacted_tables"))
        .as("the dropped month and the history partition, appended to").isEmpty();
    assertThat(db.queryLong("SELECT count(*) FROM bemi.compacted_state_tables")).as("stale").isZero();
    assertThat(db.queryValue("SELECT bemi.compacted_until()")).isNull();
    assertThat(column(db, "SELECT bemi.partitions_to_compact(now())")).containsExactly("changes_history");
    List<String> after = new ArrayList<>();
    for (String table : List.of("accounts", "counters", "tags")) {
      after.addAll(column(db, today, table));
    }
    assertThat(after).isEqualTo(before);

    db.queryLong("SELECT bemi.compact_partition('changes_history')");
    assertThat(column(db, "SELECT bemi.partitions_to_compact(now())")).isEmpty();
    assertThat(debugMessages(db, "accounts")).anyMatch(m -> m.contains("reads the changes committed before"));
    assertThat(db.queryLong(REFRESH)).isEqualTo(3);
    assertThat(debugMessages(db, "accounts")).anyMatch(m -> m.contains("starts from its state at"));
    List<String> recompacted = new ArrayList<>();
    for (String table : List.of("accounts", "counters", "tags")) {
      recompacted.addAll(column(db, today, table));
    }
    assertThat(recompacted).isEqualTo(before);
  }

  @Test
  void eachSourcesStateIsTakenAndReadOnItsOwn(TestDatabase shared) throws SQLException {
    TestDatabase db = trailWithAClosedMonth(shared, "compaction_sources");
    String start = column(db, "SELECT clock_timestamp()::text").get(0);
    write(db, "INSERT INTO accounts SELECT i, 'u' || i, 100 FROM generate_series(1, 5) i");
    write(db, "UPDATE accounts SET id = 6 WHERE id = 2", "DELETE FROM accounts WHERE id = 3");
    movePastChanges(db, "'" + start + "'::timestamptz", "now() - interval '40 days'");
    write(db, "UPDATE accounts SET balance = 0 WHERE id = 1");
    db.execute("""
        INSERT INTO bemi.changes
        SELECT (jsonb_populate_record(c, jsonb_build_object('id', gen_random_uuid(), 'source', 'b',
                  'after', coalesce(jsonb_set(c.after, '{email}', to_jsonb('B-' || (c.after ->> 'email'))), c.after)))).*
          FROM bemi.changes c WHERE c."table" = 'accounts'""");
    String query = "SELECT string_agg(primary_key || '=' || \"row\"::text, '; ' ORDER BY primary_key)"
        + " FROM bemi.table_as_of('accounts', 'infinity', ?)";
    String a = column(db, query, "").get(0);
    String b = column(db, query, "b").get(0);
    assertThat(b).contains("B-u1").doesNotContain("=u1");

    db.execute("SELECT bemi.compact_partition(p) FROM bemi.partitions_to_compact(now()) p");
    assertThat(db.queryLong(REFRESH)).isEqualTo(2);

    assertThat(column(db, "SELECT source || ' ' || rows FROM bemi.compacted_state_tables ORDER BY 1"))
        .containsExactly(" 4", "b 4");
    assertThat(column(db, query, "")).containsExactly(a);
    assertThat(column(db, query, "b")).containsExactly(b);
  }

  @Test
  void aReaderWithoutTheGrantOnTheCompactionTablesGetsTheSameAnswer(TestDatabase shared) throws SQLException {
    TestDatabase db = trailWithAClosedMonth(shared, "compaction_reader");
    writeThreeMonths(db);
    db.execute("SELECT bemi.compact_partition(p) FROM bemi.partitions_to_compact(now()) p",
        REFRESH,
        "CREATE ROLE compaction_reader", "GRANT USAGE ON SCHEMA bemi TO compaction_reader",
        "GRANT SELECT ON bemi.changes, bemi.activity TO compaction_reader");
    String query = "SELECT string_agg(primary_key || '=' || \"row\"::text, '; ' ORDER BY primary_key)"
        + " FROM bemi.table_as_of('accounts', 'infinity')";
    String owner = column(db, query).get(0);
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("SET ROLE compaction_reader");
      var rs = s.executeQuery(query);
      rs.next();
      assertThat(rs.getString(1)).isEqualTo(owner);
    }
  }

  @Test
  void takingTheStatesWaitsForAWriterOfLateChangesWithoutHoldingAMonthItWants(TestDatabase shared) throws Exception {
    TestDatabase db = trailWithAClosedMonth(shared, "compaction_states_lock");
    writeThreeMonths(db);
    db.execute("SELECT bemi.compact_partition(p) FROM bemi.partitions_to_compact(now()) p");
    String late = "INSERT INTO bemi.changes (primary_key, after, database, schema, \"table\", operation, committed_at,"
        + " queued_at, transaction_id, position, commit_lsn, change_index) SELECT '%s', '{}', database, schema, \"table\","
        + " 'CREATE', committed_at, queued_at, transaction_id, position, commit_lsn, 1000 FROM bemi.changes"
        + " WHERE \"table\" = '%s' AND committed_at < bemi.compacted_until() ORDER BY committed_at %s LIMIT 1";
    try (Connection writer = db.connect(); Statement w = writer.createStatement()) {
      writer.setAutoCommit(false);
      w.execute(String.format(late, "late-1", "tags", "DESC")); // last month, the second of the two compacted
      CompletableFuture<Long> refresh = CompletableFuture.supplyAsync(() -> {
        try {
          return db.queryLong(REFRESH);
        } catch (SQLException e) {
          throw new IllegalStateException(e.getMessage(), e);
        }
      });
      Thread.sleep(500); // the refresh asks for both months again and again meanwhile
      // into the first compacted month, which a refresh locking the months one by one would hold:
      // each would wait for the other
      w.execute(String.format(late, "late-2", "counters", "ASC"));
      writer.commit();
      assertThat(refresh.get(30, TimeUnit.SECONDS)).isEqualTo(3);
    }
    assertThat(column(db, "SELECT \"table\" FROM bemi.compacted_state_tables ORDER BY 1"))
        .containsExactly("accounts", "counters", "tags");
    assertThat(db.queryLong("SELECT count(*) FROM bemi.table_as_of('tags', 'infinity') WHERE primary_key = 'late-1'"))
        .isEqualTo(1);

    // a writer that does not finish: the refresh gives up after 5 s, saying why
    try (Connection writer = db.connect(); Statement w = writer.createStatement()) {
      writer.setAutoCommit(false);
      w.execute(String.format(late, "late-3", "accounts", "DESC"));
      assertThatThrownBy(() -> db.queryLong(REFRESH))
          .hasMessageContaining("a compacted partition is being written (its lock was not granted in 5 s); states not taken");
      writer.rollback();
    }
  }

  @Test
  void aWriterWaitingForTheMonthMakesTheCompactionGiveWay(TestDatabase shared) throws Exception {
    TestDatabase db = trailWithAClosedMonth(shared, "compaction_writer");
    writeThreeMonths(db);
    long stored = db.queryLong("SELECT count(*) FROM bemi.changes");
    try (Connection writer = db.connect(); Statement w = writer.createStatement()) {
      writer.setAutoCommit(false);
      w.execute("LOCK TABLE ONLY bemi.changes IN ROW EXCLUSIVE MODE"); // as an INSERT holds it until commit
      CompletableFuture<Void> compaction = CompletableFuture.runAsync(() -> {
        try {
          db.execute("SELECT bemi.compact_partition('changes_history', 1000)");
        } catch (SQLException e) {
          throw new IllegalStateException(e.getMessage(), e);
        }
      });
      while (db.queryLong("SELECT count(*) FROM pg_locks WHERE relation = 'bemi.changes'::regclass"
          + " AND mode = 'AccessExclusiveLock' AND NOT granted") == 0) {
        Thread.sleep(20); // the compaction has copied the month and waits for the swap
      }
      CompletableFuture<Void> late = CompletableFuture.runAsync(() -> {
        try {
          w.execute("INSERT INTO bemi.changes (primary_key, after, database, schema, \"table\", operation, committed_at,"
              + " queued_at, transaction_id, position, commit_lsn, change_index) VALUES ('77', '{}', 'app', 'public',"
              + " 'accounts', 'CREATE', now() - interval '1 year', now(), 1, 1, 1, 1000)");
          writer.commit();
        } catch (SQLException e) {
          throw new IllegalStateException(e.getMessage(), e);
        }
      });
      assertThatThrownBy(() -> compaction.get(60, TimeUnit.SECONDS))
          .hasMessageContaining("a writer is waiting to store into changes_history; compaction abandoned");
      late.get(60, TimeUnit.SECONDS);
    }
    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes")).isEqualTo(stored + 1);
    assertThat(db.queryLong("SELECT count(*) FROM bemi.compacted_partitions")).isZero();
    assertThat(db.queryLong("SELECT count(*) FROM pg_class WHERE relname LIKE 'bemi_compacting%'")).isZero();
    assertThat(db.queryLong("SELECT bemi.compact_partition('changes_history')")).isEqualTo(
        db.queryLong("SELECT count(*) FROM bemi.changes_history"));
  }

  @Test
  void aLongReaderMakesTheSwapGiveUpAfterItsAttemptsWithoutStallingOthers(TestDatabase shared) throws Exception {
    TestDatabase db = trailWithAClosedMonth(shared, "compaction_reader_lock");
    writeThreeMonths(db);
    try (Connection reader = db.connect(); Statement r = reader.createStatement()) {
      reader.setAutoCommit(false);
      r.executeQuery("SELECT count(*) FROM bemi.changes").close();
      long started = System.nanoTime();
      assertThatThrownBy(() -> db.execute("SELECT bemi.compact_partition('changes_history', 3)"))
          .hasMessageContaining("could not lock bemi.changes for the swap of changes_history in 3 attempts");
      assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(10);
      reader.commit();
    }
    assertThat(db.queryLong("SELECT count(*) FROM bemi.compacted_partitions")).isZero();
    assertThat(db.queryLong("SELECT count(*) FROM pg_class WHERE relname LIKE 'bemi_compacting%'")).isZero();
  }

  @Test
  void theMonthBeingWrittenAndUnknownNamesAreRefusedAndOnlyTheOwnerMayCompact(TestDatabase shared) throws SQLException {
    TestDatabase db = trailWithAClosedMonth(shared, "compaction_refused");
    String thisMonth = "changes_" + column(db, "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM')").get(0);
    assertThatThrownBy(() -> db.execute("SELECT bemi.compact_partition('" + thisMonth + "')"))
        .hasMessageContaining("is still being written");
    assertThatThrownBy(() -> db.execute("SELECT bemi.compact_partition('accounts')"))
        .hasMessageContaining("accounts is not a partition of bemi.changes")
        .hasMessageContaining("bemi.changes_partitions()");
    db.execute("CREATE ROLE compaction_stranger", "GRANT USAGE ON SCHEMA bemi TO compaction_stranger",
        "GRANT SELECT, INSERT ON bemi.changes TO compaction_stranger");
    assertThatThrownBy(() -> db.execute("BEGIN; SET LOCAL ROLE compaction_stranger;"
        + " SELECT bemi.compact_partition('changes_history'); COMMIT"))
        .hasMessageContaining("permission denied for function compact_partition");
  }
}

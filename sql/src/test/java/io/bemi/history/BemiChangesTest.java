package io.bemi.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Java query API over the SQL functions. */
@WithPostgres
class BemiChangesTest {

  private static Instant afterCreate;
  private static Instant afterUpdate;

  @BeforeAll
  static void recordAUser(TestDatabase db) throws Exception {
    Trail.install(db);
    db.execute("CREATE TABLE users (id bigint PRIMARY KEY, email text, plan text)",
        "CREATE TABLE memberships (org text, user_id bigint, role text, PRIMARY KEY (org, user_id))");
    Trail.capture(db, "users");
    Trail.capture(db, "memberships");
    db.execute("BEGIN; SET LOCAL bemi.test_context = '{\"requestId\": \"r-1\", \"userId\": 42}';"
        + " INSERT INTO users VALUES (42, 'a@example.com', 'free'); INSERT INTO memberships VALUES ('acme \"inc\"', 42, 'admin'); COMMIT");
    afterCreate = Instant.now();
    Thread.sleep(5);
    db.execute("UPDATE users SET plan = 'pro' WHERE id = 42");
    afterUpdate = Instant.now();
    Thread.sleep(5);
    db.execute("DELETE FROM users WHERE id = 42");
  }

  @Test
  void historyListsEveryVersionOfARecordOldestFirst(TestDatabase db) throws SQLException {
    List<Change> history = BemiChanges.of(db.dataSource()).history("public.users", 42);

    assertThat(history).extracting(Change::operation).containsExactly(Operation.CREATE, Operation.UPDATE, Operation.DELETE);
    assertThat(history.get(0).after()).isEqualTo("{\"id\": 42, \"plan\": \"free\", \"email\": \"a@example.com\"}");
    assertThat(history.get(0).context()).isEqualTo("{\"userId\": 42, \"requestId\": \"r-1\"}");
    assertThat(history.get(0).committedAt()).isBefore(afterCreate);
  }

  @Test
  void historyPagesFollowEachOtherWithoutGapOrOverlap(TestDatabase db) throws SQLException {
    BemiChanges bemi = BemiChanges.of(db.dataSource());

    List<Change> first = bemi.history("public.users", 42, null, 2);
    List<Change> second = bemi.history("public.users", 42, first.get(1), 2);

    assertThat(first).extracting(Change::operation).containsExactly(Operation.CREATE, Operation.UPDATE);
    assertThat(second).extracting(Change::operation).containsExactly(Operation.DELETE);
    assertThat(bemi.history("public.users", 42, second.get(0), 2)).isEmpty();
  }

  @Test
  void historyReadsBackwardsPageByPageFromTheNewest(TestDatabase db) throws SQLException {
    BemiChanges bemi = BemiChanges.of(db.dataSource());

    List<Change> newest = bemi.historyBefore("users", 42, Long.MAX_VALUE, 0, 2);
    Change update = newest.get(0);
    List<Change> older = bemi.historyBefore("users", 42, update.commitLsn(), update.changeIndex(), 2);

    assertThat(newest).extracting(Change::operation).containsExactly(Operation.UPDATE, Operation.DELETE);
    assertThat(older).extracting(Change::operation).containsExactly(Operation.CREATE);
    assertThat(bemi.historyAfter("users", 42, update.commitLsn(), update.changeIndex(), 5))
        .extracting(Change::operation).containsExactly(Operation.DELETE);
  }

  /** Two source servers' positions can be equal (a database and its copy, the same migrations run on both). */
  @Test
  void twoSourcesAtTheSamePositionsKeepEachTheirChangesInTheHistoryAndItsPages(TestDatabase db) throws SQLException {
    db.execute("INSERT INTO bemi.changes (primary_key, before, after, context, database, schema, \"table\", operation,"
        + " committed_at, queued_at, transaction_id, position, commit_lsn, change_index, source)"
        + " SELECT primary_key, before, after, context, database, schema, \"table\", operation, committed_at, queued_at,"
        + " transaction_id, position, commit_lsn, change_index, 'eu' FROM bemi.changes WHERE \"table\" = 'users'");
    try {
      String bothSources = "CREATE ,CREATE eu,UPDATE ,UPDATE eu,DELETE ,DELETE eu";
      assertThat(db.queryValue("SELECT string_agg(operation || ' ' || source, ',') FROM bemi.record_history('users', '42')"))
          .isEqualTo(bothSources);
      assertThat(db.queryValue("SELECT string_agg(operation, ',') FROM bemi.record_history('users', '42', p_source => 'eu')"))
          .isEqualTo("CREATE,UPDATE,DELETE");

      // a page of 1 ends after both sources' change at its position: the next page's cursor skips neither
      BemiChanges bemi = BemiChanges.of(db.dataSource());
      List<Change> first = bemi.history("users", 42, null, 1);
      assertThat(first).extracting(Change::operation, Change::source)
          .containsExactly(tuple(Operation.CREATE, ""), tuple(Operation.CREATE, "eu"));
      StringBuilder walked = new StringBuilder();
      for (List<Change> page = first; !page.isEmpty(); page = bemi.history("users", 42, page.get(page.size() - 1), 1)) {
        page.forEach(c -> walked.append(walked.length() == 0 ? "" : ",").append(c.operation()).append(' ').append(c.source()));
      }
      assertThat(walked).hasToString(bothSources);
      assertThat(bemi.historyBefore("users", 42, Long.MAX_VALUE, 0, 1)).extracting(Change::source)
          .containsExactlyInAnyOrder("", "eu");

      // a key moved in one source follows that source's record only
      db.execute("INSERT INTO bemi.changes (primary_key, previous_primary_key, before, after, database, schema, \"table\","
          + " operation, committed_at, queued_at, transaction_id, position, commit_lsn, change_index, source)"
          + " SELECT '43', '42', '{\"id\": 42}', '{\"id\": 43}', database, schema, \"table\", 'UPDATE', now(), now(),"
          + " transaction_id + 1, commit_lsn + 100, commit_lsn + 100, 0, 'eu'"
          + " FROM bemi.changes WHERE \"table\" = 'users' AND source = 'eu' ORDER BY commit_lsn DESC LIMIT 1");
      assertThat(db.queryValue("SELECT string_agg(operation || ' ' || primary_key || ' ' || source, ',')"
          + " FROM bemi.record_history('users', '43')"))
          .isEqualTo("CREATE 42 eu,UPDATE 42 eu,DELETE 42 eu,UPDATE 43 eu");
    } finally {
      db.execute("DELETE FROM bemi.changes WHERE source = 'eu'", "DELETE FROM bemi.activity WHERE source = 'eu'");
    }
  }

  @Test
  void theLastChangeAsOfAnInstantIsTheOneThatMadeTheRowThen(TestDatabase db) throws SQLException {
    BemiChanges bemi = BemiChanges.of(db.dataSource());

    assertThat(bemi.lastChangeAsOf("users", 42, afterUpdate)).map(Change::operation).contains(Operation.UPDATE);
    assertThat(bemi.lastChangeAsOf("users", 42, Instant.EPOCH)).isEmpty();
  }

  @Test
  void aChangeCarriesWhenItWasQueuedAndStored(TestDatabase db) throws SQLException {
    Change create = BemiChanges.of(db.dataSource()).history("users", 42).get(0);

    assertThat(create.queuedAt()).isNotNull();
    assertThat(create.createdAt()).isAfterOrEqualTo(create.committedAt());
    assertThat(create.qualifiedTable()).isEqualTo("public.users");
  }

  @Test
  void boundedReadsOfATransactionAndAContext(TestDatabase db) throws SQLException {
    BemiChanges bemi = BemiChanges.of(db.dataSource()).withQueryTimeout(5);
    Change create = bemi.history("users", 42).get(0);

    assertThat(bemi.commitChanges(create.commitLsn(), 1)).extracting(Change::table).containsExactly("users");
    assertThat(bemi.commitChanges(create.commitLsn(), 10)).extracting(Change::table).containsExactly("users", "memberships");
    assertThat(bemi.transactionCommits(create.transactionId())).containsExactly(create.commitLsn());
    assertThat(bemi.latestByContext("{\"requestId\": \"r-1\"}", 1)).extracting(Change::table).containsExactly("memberships");
  }

  @Test
  void aHistoryPageOfOnlySomeSourcesChangesIsAskedInSql(TestDatabase db) throws SQLException {
    db.execute("UPDATE bemi.changes SET source = 'eu' WHERE \"table\" = 'users' AND operation = 'UPDATE'");
    try {
      assertThat(db.queryValue("SELECT string_agg(operation, ',') FROM bemi.record_history('users', '42', p_source => 'eu')"))
          .isEqualTo("UPDATE");
      assertThat(db.queryValue("SELECT string_agg(operation, ',') FROM bemi.record_history('users', '42', 1)"))
          .isEqualTo("CREATE");
      assertThat(BemiChanges.of(db.dataSource()).history("public.users", 42)) // each change says its source
          .extracting(Change::operation, Change::source)
          .containsExactly(tuple(Operation.CREATE, ""), tuple(Operation.UPDATE, "eu"), tuple(Operation.DELETE, ""));
    } finally {
      db.execute("UPDATE bemi.changes SET source = '' WHERE source = 'eu'");
    }
  }

  @Test
  void asOfGivesTheRowAtAnInstantAndNothingBeforeItExistedOrAfterItWasDeleted(TestDatabase db) throws SQLException {
    BemiChanges bemi = BemiChanges.of(db.dataSource());

    assertThat(bemi.asOf("users", 42, afterCreate.minusSeconds(60))).isEmpty();
    assertThat(bemi.asOf("users", 42, afterCreate)).hasValueSatisfying(row -> assertThat(row).contains("\"free\""));
    assertThat(bemi.asOf("users", 42, afterUpdate)).hasValueSatisfying(row -> assertThat(row).contains("\"pro\""));
    assertThat(bemi.asOf("users", 42, Instant.now())).isEmpty();
  }

  @Test
  void compositeKeysAreGivenAsAListInKeyOrder(TestDatabase db) throws SQLException {
    BemiChanges bemi = BemiChanges.of(db.dataSource());

    assertThat(bemi.history("memberships", List.of("acme \"inc\"", 42))).hasSize(1);
    assertThat(bemi.tableAsOf("memberships", Instant.now()))
        .containsExactly(new TableRow("[\"acme \\\"inc\\\"\",42]", "{\"org\": \"acme \\\"inc\\\"\", \"role\": \"admin\", \"user_id\": 42}"));
  }

  @Test
  void contextTransactionAndDiffQueriesReturnTypedRecords(TestDatabase db) throws SQLException {
    BemiChanges bemi = BemiChanges.of(db.dataSource());

    List<Change> request = bemi.byContext(Map.of("requestId", "r-1"));
    List<Change> update = bemi.history("users", 42).subList(1, 2);

    assertThat(request).extracting(Change::table).containsExactly("users", "memberships");
    assertThat(bemi.transaction(request.get(0).transactionId())).isEqualTo(request);
    assertThat(bemi.change(update.get(0).id())).contains(update.get(0));
    assertThat(bemi.diff(update.get(0).id())).containsExactly(new ColumnChange("plan", "\"free\"", "\"pro\""));
  }

  @Test
  void aRevertPlanListsStepsNewestFirst(TestDatabase db) throws SQLException {
    BemiChanges bemi = BemiChanges.of(db.dataSource());
    List<Change> history = bemi.history("users", 42);

    List<RevertStep> plan = bemi.revertPlan(history.stream().map(Change::id).toList());

    assertThat(plan).extracting(RevertStep::operation).containsExactly(Operation.DELETE, Operation.UPDATE, Operation.CREATE);
    assertThat(plan).extracting(RevertStep::action).containsExactly("insert the row again", "restore the changed columns", "delete the row");
    assertThat(plan).extracting(RevertStep::conflict).containsOnly(false);
  }

  @Test
  void keysAndContextsAreWrittenAsTheIngesterStoresThem() {
    assertThat(BemiChanges.keyText(42L)).isEqualTo("42");
    assertThat(BemiChanges.keyText(List.of("a\"b\n", 1, 2.5))).isEqualTo("[\"a\\\"b\\n\",1,2.5]");
    assertThat(JsonArguments.write(Map.of("nested", List.of(true, Map.of())))).isEqualTo("{\"nested\":[true,{}]}");
  }
}

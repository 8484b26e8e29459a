package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@WithPostgres
@Tag("replication")
class RowsKeysAndSchemaChangesTest {

  private static IngesterHarness harness;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    db.execute(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, email text, balance numeric)",
        "CREATE TABLE memberships (org text, member_no int, role text, PRIMARY KEY (member_no, org))",
        "CREATE TABLE events (kind text, payload jsonb)",
        "CREATE TABLE documents (code text PRIMARY KEY, body text, version int)",
        "CREATE TABLE truncate_a (id int PRIMARY KEY)",
        "CREATE TABLE truncate_b (id int PRIMARY KEY)",
        "CREATE TABLE evolving (id int PRIMARY KEY, old_name text, dropped text)",
        "CREATE TABLE measurements (id int, taken date, value int, PRIMARY KEY (id, taken)) PARTITION BY RANGE (taken)",
        "CREATE TABLE measurements_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
        "CREATE TABLE measurements_2025 PARTITION OF measurements FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')");
    harness = IngesterHarness.start(db);
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  private static Map<String, Object> only(String where) throws Exception {
    List<Map<String, Object>> rows = harness.changes(where);
    assertThat(rows).hasSize(1);
    return rows.get(0);
  }

  @Test
  void anUpdateStoresTheWholeRowBeforeAndAfter(TestDatabase db) throws Exception {
    db.execute("INSERT INTO accounts VALUES (7, 'a@example.com', 10)",
        "UPDATE accounts SET balance = 12.5 WHERE id = 7");
    harness.awaitCaughtUp();

    Map<String, Object> update = only("\"table\" = 'accounts' AND operation = 'UPDATE' AND primary_key = '7'");
    assertThat(update.get("before")).isEqualTo("{\"id\": 7, \"email\": \"a@example.com\", \"balance\": 10}");
    assertThat(update.get("after")).isEqualTo("{\"id\": 7, \"email\": \"a@example.com\", \"balance\": 12.5}");
    assertThat(update.get("primary_key")).isEqualTo("7");
    assertThat(update.get("schema")).isEqualTo("public");
    assertThat(update.get("database")).isEqualTo(db.name());
  }

  @Test
  void aDeleteStoresTheOldRowAsBeforeAndAnEmptyAfter(TestDatabase db) throws Exception {
    db.execute("INSERT INTO accounts VALUES (8, 'b@example.com', 1)", "DELETE FROM accounts WHERE id = 8");
    harness.awaitCaughtUp();

    Map<String, Object> delete = only("\"table\" = 'accounts' AND operation = 'DELETE' AND primary_key = '8'");
    assertThat(delete.get("before")).isEqualTo("{\"id\": 8, \"email\": \"b@example.com\", \"balance\": 1}");
    assertThat(delete.get("after")).isEqualTo("{}");
    assertThat(delete.get("primary_key")).isEqualTo("8");
  }

  @Test
  void aCompositeKeyIsAJsonArrayInKeyOrder(TestDatabase db) throws Exception {
    db.execute("INSERT INTO memberships VALUES ('acme', 3, 'admin')");
    harness.awaitCaughtUp();
    assertThat(only("\"table\" = 'memberships'").get("primary_key")).isEqualTo("[3,\"acme\"]");
  }

  @Test
  void aTableWithoutKeyIsStoredWithANullKey(TestDatabase db) throws Exception {
    db.execute("INSERT INTO events VALUES ('click', '{\"x\": 1}')", "UPDATE events SET kind = 'tap'");
    harness.awaitCaughtUp();
    assertThat(harness.changes("\"table\" = 'events'"))
        .extracting(r -> r.get("operation"), r -> r.get("primary_key"))
        .containsExactly(org.assertj.core.groups.Tuple.tuple("CREATE", null),
            org.assertj.core.groups.Tuple.tuple("UPDATE", null));
    assertThat(harness.changes("\"table\" = 'events' AND operation = 'UPDATE'").get(0).get("before"))
        .isEqualTo("{\"kind\": \"click\", \"payload\": {\"x\": 1}}");
  }

  @Test
  void truncatingSeveralTablesStoresOneChangePerTable(TestDatabase db) throws Exception {
    db.execute("INSERT INTO truncate_a VALUES (1)", "INSERT INTO truncate_b VALUES (1)",
        "TRUNCATE truncate_a, truncate_b");
    harness.awaitCaughtUp();
    List<Map<String, Object>> truncates = harness.changes("operation = 'TRUNCATE'");
    assertThat(truncates).extracting(r -> r.get("table")).containsExactlyInAnyOrder("truncate_a", "truncate_b");
    assertThat(truncates).extracting(r -> r.get("commit_lsn")).containsOnly(truncates.get(0).get("commit_lsn"));
    assertThat(truncates).extracting(r -> r.get("before"), r -> r.get("after"))
        .containsOnly(org.assertj.core.groups.Tuple.tuple("{}", "{}"));
  }

  @Test
  void anUnchangedLargeToastValueIsFilledFromTheOldRow(TestDatabase db) throws Exception {
    db.execute("INSERT INTO documents VALUES ('big', (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 5000) i), 1)",
        "UPDATE documents SET version = 2 WHERE code = 'big'");
    harness.awaitCaughtUp();

    Object sameAsSource = db.queryValue("SELECT c.after = to_jsonb(d) FROM bemi.changes c, documents d "
        + "WHERE c.\"table\" = 'documents' AND c.operation = 'UPDATE' AND d.code = 'big'");
    assertThat(sameAsSource).isEqualTo(true);
    assertThat(db.queryLong("SELECT length(after->>'body') FROM bemi.changes WHERE \"table\" = 'documents' "
        + "AND operation = 'UPDATE'")).isEqualTo(160_000);
    assertThat(harness.metrics().missingToastValues()).isZero();
  }

  @Test
  void columnAndTableChangesMidStreamAreFollowed(TestDatabase db) throws Exception {
    db.execute("INSERT INTO evolving VALUES (1, 'a', 'x')",
        "ALTER TABLE evolving ADD COLUMN added int DEFAULT 5",
        "ALTER TABLE evolving DROP COLUMN dropped",
        "ALTER TABLE evolving RENAME COLUMN old_name TO new_name",
        "INSERT INTO evolving VALUES (2, 'b', 6)",
        "ALTER TABLE evolving RENAME TO evolved",
        "UPDATE evolved SET added = 7 WHERE id = 2");
    harness.awaitCaughtUp();

    assertThat(harness.changes("\"table\" IN ('evolving', 'evolved')"))
        .extracting(r -> r.get("table"), r -> r.get("after"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("evolving", "{\"id\": 1, \"dropped\": \"x\", \"old_name\": \"a\"}"),
            org.assertj.core.groups.Tuple.tuple("evolving", "{\"id\": 2, \"added\": 6, \"new_name\": \"b\"}"),
            org.assertj.core.groups.Tuple.tuple("evolved", "{\"id\": 2, \"added\": 7, \"new_name\": \"b\"}"));
  }

  @Test
  void changesOfPartitionsAreStoredAsTheirPartitionedTable(TestDatabase db) throws Exception {
    db.execute("INSERT INTO measurements VALUES (1, '2024-06-01', 10), (2, '2025-06-01', 20)",
        "UPDATE measurements SET value = 11 WHERE id = 1");
    harness.awaitCaughtUp();

    assertThat(harness.changes("\"table\" LIKE 'measurements%'"))
        .extracting(r -> r.get("table"), r -> r.get("operation"), r -> r.get("primary_key"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("measurements", "CREATE", "[1,\"2024-06-01\"]"),
            org.assertj.core.groups.Tuple.tuple("measurements", "CREATE", "[2,\"2025-06-01\"]"),
            org.assertj.core.groups.Tuple.tuple("measurements", "UPDATE", "[1,\"2024-06-01\"]"));
    assertThat(harness.changes("\"table\" = 'measurements' AND operation = 'UPDATE'").get(0).get("before"))
        .isEqualTo("{\"id\": 1, \"taken\": \"2024-06-01\", \"value\": 10}");
  }

  @Test
  void theIngestersOwnWritesAreNotCapturedWhenTheDestinationIsTheSource(TestDatabase db) throws Exception {
    db.execute("INSERT INTO accounts VALUES (100, 'c@example.com', 0)");
    harness.awaitCaughtUp();
    harness.awaitCaughtUp();
    assertThat(harness.changes("schema = 'bemi'")).isEmpty();
    assertThat(db.queryLong("SELECT count(*) FROM pg_publication_tables WHERE pubname = 'bemi' AND schemaname = 'bemi'"))
        .isZero();
  }

  @Test
  void changesOfOneTransactionShareItsCommitLsnAndAreNumberedInOrder(TestDatabase db) throws Exception {
    db.execute("BEGIN; INSERT INTO accounts VALUES (200, 'd', 0); UPDATE accounts SET balance = 1 WHERE id = 200; "
        + "DELETE FROM accounts WHERE id = 200; COMMIT");
    harness.awaitCaughtUp();
    List<Map<String, Object>> rows = harness.changes("\"table\" = 'accounts' AND primary_key = '200'");
    assertThat(rows).extracting(r -> r.get("change_index")).containsExactly(0, 1, 2);
    assertThat(rows).extracting(r -> r.get("commit_lsn")).containsOnly(rows.get(0).get("commit_lsn"));
    assertThat(rows).extracting(r -> r.get("transaction_id")).containsOnly(rows.get(0).get("transaction_id"));
    assertThat((Long) rows.get(0).get("position")).isLessThan((Long) rows.get(1).get("position"));
    assertThat((Long) rows.get(2).get("position")).isLessThan((Long) rows.get(0).get("commit_lsn"));
  }
}

package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The attribution rule on a real stream; each test writes its own table rows (a = test id). */
@WithPostgres
@Tag("replication")
class ContextAttributionTest {

  private static IngesterHarness harness;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE notes (test text, n int, PRIMARY KEY (test, n))",
        "CREATE TABLE triggered (id serial PRIMARY KEY, test text)",
        // A Bemi-style row trigger: one message per row, from a session setting, before the row is written.
        """
        CREATE FUNCTION emit_context() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_logical_emit_message(true, '_bemi', current_setting('app.context'));
          RETURN NEW;
        END $$""",
        "CREATE TRIGGER triggered_context BEFORE INSERT ON triggered FOR EACH ROW EXECUTE FUNCTION emit_context()");
    harness = IngesterHarness.start(db, null, c -> c.withMaxContextBytes(1000));
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  private static void transaction(TestDatabase db, boolean commit, String... statements) throws Exception {
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      for (String sql : statements) {
        s.execute(sql);
      }
      if (commit) {
        c.commit();
      } else {
        c.rollback();
      }
    }
  }

  private static String message(String json) {
    return "SELECT pg_logical_emit_message(true, '_bemi', '" + json + "')";
  }

  private static String insert(String test, int n) {
    return "INSERT INTO notes VALUES ('" + test + "', " + n + ")";
  }

  private static java.util.List<Object> contexts(String test) throws Exception {
    return harness.column("context", "\"table\" = 'notes' AND after->>'test' = '" + test + "'");
  }

  @Test
  void aTransactionWithoutMessageGetsAnEmptyContext(TestDatabase db) throws Exception {
    transaction(db, true, insert("none", 1));
    harness.awaitCaughtUp();
    assertThat(contexts("none")).containsExactly("{}");
  }

  @Test
  void eachChangeGetsTheLatestPrecedingMessage(TestDatabase db) throws Exception {
    transaction(db, true, message("{\"op\": 1}"), insert("latest", 1), insert("latest", 2),
        message("{\"op\": 2}"), insert("latest", 3));
    harness.awaitCaughtUp();
    assertThat(contexts("latest")).containsExactly("{\"op\": 1}", "{\"op\": 1}", "{\"op\": 2}");
  }

  @Test
  void changesBeforeTheFirstMessageGetTheFirstMessagesContext(TestDatabase db) throws Exception {
    transaction(db, true, insert("first", 1), insert("first", 2), message("{\"op\": \"first\"}"),
        insert("first", 3), message("{\"op\": \"second\"}"), insert("first", 4));
    harness.awaitCaughtUp();
    assertThat(contexts("first")).containsExactly(
        "{\"op\": \"first\"}", "{\"op\": \"first\"}", "{\"op\": \"first\"}", "{\"op\": \"second\"}");
  }

  @Test
  void aRolledBackTransactionLeavesNeitherChangesNorContext(TestDatabase db) throws Exception {
    transaction(db, false, message("{\"op\": \"rolled back\"}"), insert("rollback", 1));
    transaction(db, true, insert("rollback", 2));
    harness.awaitCaughtUp();
    assertThat(contexts("rollback")).containsExactly("{}");
  }

  @Test
  void aRolledBackSavepointKeepsTheOuterContext(TestDatabase db) throws Exception {
    transaction(db, true, message("{\"op\": \"outer\"}"), insert("savepoint", 1), "SAVEPOINT s",
        message("{\"op\": \"inner\"}"), insert("savepoint", 2), "ROLLBACK TO SAVEPOINT s", insert("savepoint", 3));
    harness.awaitCaughtUp();
    assertThat(contexts("savepoint")).containsExactly("{\"op\": \"outer\"}", "{\"op\": \"outer\"}");
  }

  @Test
  void perRowTriggerMessagesAttributeEachRow(TestDatabase db) throws Exception {
    transaction(db, true, "SET LOCAL app.context = '{\"user\": \"ann\"}'",
        "INSERT INTO triggered (test) VALUES ('trigger'), ('trigger')",
        "SET LOCAL app.context = '{\"user\": \"bob\"}'",
        "INSERT INTO triggered (test) VALUES ('trigger')");
    harness.awaitCaughtUp();
    assertThat(harness.column("context", "\"table\" = 'triggered'"))
        .containsExactly("{\"user\": \"ann\"}", "{\"user\": \"ann\"}", "{\"user\": \"bob\"}");
  }

  @Test
  void malformedMessagesAreCountedAndTheirChangesGetTheirTextOrAReducedContext(TestDatabase db) throws Exception {
    long before = harness.metrics().malformedContextMessages();
    transaction(db, true, message("{\"op\": \"good\"}"), insert("malformed", 1),
        message("not json"), insert("malformed", 2),
        message("[1, 2]"), insert("malformed", 3),
        message("{\"big\": \"" + "x".repeat(2000) + "\"}"), insert("malformed", 4),
        message("{\"op\": \"good again\"}"), insert("malformed", 5));
    harness.awaitCaughtUp();
    assertThat(contexts("malformed")).hasSize(5).startsWith("{\"op\": \"good\"}").endsWith("{\"op\": \"good again\"}");
    assertThat((String) contexts("malformed").get(1)).contains("\"_bemi_unparsed\"").contains("\"text\": \"not json\"");
    assertThat(contexts("malformed").get(2))
        .isEqualTo("{\"_bemi_unparsed\": {\"text\": \"[1, 2]\", \"problem\": \"not a JSON object\"}}");
    assertThat(contexts("malformed").get(3))
        .isEqualTo("{\"_bemi_truncated\": {\"droppedKeys\": [\"big\"], \"originalBytes\": 2011}}");
    assertThat(harness.metrics().malformedContextMessages() - before).isEqualTo(2);
  }

  @Test
  void aNonTransactionalMessageIsCountedAndIgnored(TestDatabase db) throws Exception {
    long before = harness.metrics().malformedContextMessages();
    transaction(db, true, "SELECT pg_logical_emit_message(false, '_bemi', '{\"op\": \"outside\"}')",
        insert("nontransactional", 1));
    harness.awaitCaughtUp();
    assertThat(contexts("nontransactional")).containsExactly("{}");
    assertThat(harness.metrics().malformedContextMessages() - before).isEqualTo(1);
  }

  @Test
  void messagesWithOtherPrefixesAreIgnored(TestDatabase db) throws Exception {
    transaction(db, true, message("{\"op\": \"mine\"}"),
        "SELECT pg_logical_emit_message(true, 'other', '{\"op\": \"theirs\"}')", insert("prefix", 1));
    harness.awaitCaughtUp();
    assertThat(contexts("prefix")).containsExactly("{\"op\": \"mine\"}");
  }
}

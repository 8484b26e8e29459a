package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code _bemi} messages PostgreSQL accepts but the destination's jsonb would refuse: the stream
 * goes on, the message is kept in the documented fallback form, the changes around it are intact.
 */
@WithPostgres
@Tag("replication")
class HostileMessagesTest {

  private static IngesterHarness harness;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE notes (test text, n int, PRIMARY KEY (test, n))");
    harness = IngesterHarness.start(db);
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  private static void writeWithMessage(TestDatabase db, String test, String content) throws Exception {
    db.execute("BEGIN; SELECT pg_logical_emit_message(true, '_bemi', " + literal(content) + "); "
        + "INSERT INTO notes VALUES ('" + test + "', 1); COMMIT",
        "BEGIN; SELECT pg_logical_emit_message(true, '_bemi', '{\"after\": \"" + test + "\"}'); "
        + "INSERT INTO notes VALUES ('" + test + "', 2); COMMIT");
  }

  private static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  @Test
  void aNumberBeyondNumericRangeInAMessageDoesNotStopTheStream(TestDatabase db) throws Exception {
    writeWithMessage(db, "overflow", "{\"user\": \"mallory\", \"n\": 1e999999}");
    harness.awaitCaughtUp();

    assertThat(harness.column("context", "\"table\" = 'notes' AND after->>'test' = 'overflow'")).containsExactly(
        "{\"_bemi_unparsed\": {\"text\": \"{\\\"user\\\": \\\"mallory\\\", \\\"n\\\": 1e999999}\", "
            + "\"problem\": \"number 1e999999 is outside what jsonb can hold\"}}",
        "{\"after\": \"overflow\"}");
    assertThat(harness.metrics().malformedContextMessages()).isPositive();
  }

  @Test
  void aNulEscapeInAMessageIsKeptAsText(TestDatabase db) throws Exception {
    writeWithMessage(db, "nul", "{\"user\": \"a\\u0000b\"}");
    harness.awaitCaughtUp();

    assertThat(harness.column("context", "\"table\" = 'notes' AND after->>'test' = 'nul' AND primary_key LIKE '%1%'"))
        .singleElement().asString().contains("_bemi_unparsed").contains("a\\\\u0000b");
  }

  @Test
  void aLoneSurrogateInAMessageIsKeptAsText(TestDatabase db) throws Exception {
    writeWithMessage(db, "surrogate", "{\"user\": \"\\ud800\"}");
    harness.awaitCaughtUp();

    assertThat(harness.column("context", "\"table\" = 'notes' AND after->>'test' = 'surrogate'"))
        .first().asString().contains("_bemi_unparsed").contains("\\\\ud800");
  }

  @Test
  void aMessageNestedDeeperThanJsonbAllowsIsKeptAsText(TestDatabase db) throws Exception {
    String deep = "{\"a\":".repeat(5000) + "1" + "}".repeat(5000);
    writeWithMessage(db, "deep", deep);
    harness.awaitCaughtUp();

    assertThat(harness.column("context", "\"table\" = 'notes' AND after->>'test' = 'deep'"))
        .first().asString().contains("_bemi_unparsed");
  }

  @Test
  void oddButValidNumbersAreStoredAsNumbers(TestDatabase db) throws Exception {
    writeWithMessage(db, "odd", "{\"a\": -0, \"b\": 1E-400, \"c\": 12345678901234567890.5}");
    harness.awaitCaughtUp();

    assertThat(harness.column("context", "\"table\" = 'notes' AND after->>'test' = 'odd'")).first()
        .isEqualTo(db.queryValue("SELECT '{\"a\": -0, \"b\": 1E-400, \"c\": 12345678901234567890.5}'::jsonb::text"));
  }
}

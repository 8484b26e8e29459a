package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Row values PostgreSQL accepts that jsonb refuses, or whose text is not what the value mapping
 * assumes: stored in the fallback form or exactly, never a stopped stream.
 */
@WithPostgres
@Tag("replication")
class HostileValuesTest {

  private static IngesterHarness harness;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE docs (id text PRIMARY KEY, doc json, docs json[])",
        "CREATE TABLE vectors (id int PRIMARY KEY, i int2vector, o oidvector, ia int2vector[])");
    harness = IngesterHarness.start(db);
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  private static Object after(String table, String id) throws Exception {
    return harness.column("after", "\"table\" = '" + table + "' AND primary_key = '" + id + "'").get(0);
  }

  @Test
  void aJsonNumberBeyondNumericRangeIsKeptAsTextAndTheNextRowIsStored(TestDatabase db) throws Exception {
    db.execute("INSERT INTO docs (id, doc) VALUES ('overflow', '{\"n\": 1e999999}')",
        "INSERT INTO docs (id, doc) VALUES ('overflow-next', '{\"n\": 1}')");
    harness.awaitCaughtUp();

    assertThat(after("docs", "overflow")).isEqualTo("{\"id\": \"overflow\", \"doc\": {\"_bemi_unparsed\": {\"text\": "
        + "\"{\\\"n\\\": 1e999999}\", \"problem\": \"number 1e999999 is outside what jsonb can hold\"}}, \"docs\": null}");
    assertThat(after("docs", "overflow-next")).isEqualTo("{\"id\": \"overflow-next\", \"doc\": {\"n\": 1}, \"docs\": null}");
    assertThat(harness.metrics().valueFallbacks()).isPositive();
  }

  @Test
  void aNulEscapeInAJsonColumnIsKeptAsText(TestDatabase db) throws Exception {
    db.execute("INSERT INTO docs (id, doc) VALUES ('nul', '{\"s\": \"a\\u0000b\"}')");
    harness.awaitCaughtUp();

    assertThat((String) after("docs", "nul")).contains("\"text\": \"{\\\"s\\\": \\\"a\\\\u0000b\\\"}\"");
  }

  @Test
  void aLoneSurrogateInAJsonArrayElementIsKeptAsText(TestDatabase db) throws Exception {
    db.execute("INSERT INTO docs (id, docs) VALUES ('surrogate', ARRAY['\"\\ud800\"'::json, '1'::json])");
    harness.awaitCaughtUp();

    assertThat((String) after("docs", "surrogate")).contains("\"docs\": [{\"_bemi_unparsed\"").contains(", 1]");
  }

  @Test
  void vectorsAreStoredAsTo_jsonbRendersThem(TestDatabase db) throws Exception {
    db.execute("INSERT INTO vectors VALUES (1, '1 2 -3', '23 25', ARRAY['1 2'::int2vector, ''::int2vector])",
        "INSERT INTO vectors VALUES (2, '', '', NULL)");
    harness.awaitCaughtUp();

    assertThat(harness.column("after", "\"table\" = 'vectors'")).containsExactly(
        db.queryValue("SELECT to_jsonb(v)::text FROM vectors v WHERE id = 1"),
        db.queryValue("SELECT to_jsonb(v)::text FROM vectors v WHERE id = 2"));
  }
}

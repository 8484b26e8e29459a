package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@WithPostgres
@Tag("replication")
class RoundTripTest {

  private static IngesterHarness harness;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE items (id bigint PRIMARY KEY, name text, price numeric)");
    harness = IngesterHarness.start(db);
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  @Test
  void anInsertIsStoredWithItsRowAsAfter(TestDatabase db) throws Exception {
    db.execute("INSERT INTO items VALUES (1, 'pen', 1.50)");
    harness.awaitCaughtUp();

    assertThat(harness.changes("\"table\" = 'items'")).singleElement().satisfies(row -> {
      assertThat(row.get("operation")).isEqualTo("CREATE");
      assertThat(row.get("primary_key")).isEqualTo("1");
      assertThat(row.get("after")).isEqualTo("{\"id\": 1, \"name\": \"pen\", \"price\": 1.50}");
      assertThat(row.get("before")).isEqualTo("{}");
      assertThat(row.get("context")).isEqualTo("{}");
    });
  }
}

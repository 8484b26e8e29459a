package io.bemi.dashboard.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bemi.dashboard.Trail;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The record page and the history API follow a record across an UPDATE of its primary key. */
@WithPostgres
class KeyChangePagesTest {

  /** The story, then order 1 becomes order 7 at 12:30 (stored as the ingester stores a key update). */
  private static TestDatabase trailWithKeyChange(TestDatabase shared, String name) throws Exception {
    TestDatabase db = shared.createSibling(name);
    new Trail(db).story();
    db.execute("UPDATE public.orders SET id = 7 WHERE id = 1",
        "INSERT INTO bemi.changes (primary_key, previous_primary_key, before, after, context, database, schema, \"table\","
            + " operation, committed_at, queued_at, transaction_id, position, commit_lsn, change_index) SELECT '7', '1',"
            + " c.after, jsonb_set(c.after, '{id}', '7'), '{}', current_database(), 'public', 'orders', 'UPDATE',"
            + " '2024-05-01T12:30:00Z', now(), 500, 99000000, 99000100, 0 FROM bemi.changes c"
            + " WHERE c.\"table\" = 'orders' AND c.primary_key = '1' ORDER BY c.commit_lsn DESC LIMIT 1");
    return db;
  }

  private static List<String> operations(JsonNode history) {
    List<String> operations = new ArrayList<>();
    history.get("changes").forEach(c -> operations.add(c.get("operation").asText() + " " + c.get("primaryKey").asText()));
    return operations;
  }

  @Test
  void theHistoryByTheOldKeyOrTheNewKeyIsTheWholeLifeAndThePageNamesTheOtherKey(TestDatabase shared) throws Exception {
    TestDatabase db = trailWithKeyChange(shared, "key_change_history");
    TestApp.test(DashboardApp.create(TestApp.services(db, db.dataSource(), null)), (server, client) -> {
      ObjectMapper json = new ObjectMapper();
      for (String key : List.of("1", "7")) {
        JsonNode history = json.readTree(TestApp.get(client, "/api/records/history?schema=public&table=orders&pk=" + key)
            .body().string());
        assertThat(operations(history)).as("by key %s", key)
            .containsExactly("CREATE 1", "UPDATE 1", "UPDATE 1", "UPDATE 7");
        JsonNode moved = history.get("changes").get(3);
        assertThat(moved.get("previousPrimaryKey").asText()).isEqualTo("1");
        assertThat(moved.get("source").asText()).isEmpty(); // the column's default: stored without a source name
        assertThat(history.get("changes").get(2).get("previousPrimaryKey").isNull()).isTrue();
      }
      assertThat(TestApp.get(client, "/record?schema=public&table=orders&pk=1").body().string())
          .contains("under key <code>7</code>");
      assertThat(TestApp.get(client, "/record?schema=public&table=orders&pk=7").body().string())
          .contains("under key <code>1</code>");
    });
  }

  @Test
  void asOfBeforeTheKeyChangeByTheNewKeyFindsTheRowUnderItsOldKey(TestDatabase shared) throws Exception {
    TestDatabase db = trailWithKeyChange(shared, "key_change_as_of");
    TestApp.test(DashboardApp.create(TestApp.services(db, db.dataSource(), null)), (server, client) -> {
      JsonNode asOf = new ObjectMapper().readTree(TestApp.get(client,
          "/api/records/as-of?schema=public&table=orders&pk=7&at=2024-05-01T11:30:00Z").body().string());
      assertThat(asOf.get("exists").asBoolean()).isTrue();
      assertThat(asOf.get("state").get("id").asInt()).isEqualTo(1);
      assertThat(asOf.get("state").get("status").asText()).isEqualTo("paid");
    });
  }
}

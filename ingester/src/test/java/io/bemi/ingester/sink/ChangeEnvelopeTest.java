package io.bemi.ingester.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bemi.sql.Lsn;
import io.bemi.history.Operation;
import io.bemi.ingester.stitch.StoreEvent.Change;
import io.bemi.ingester.stitch.Transaction;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ChangeEnvelopeTest {

  private static final Transaction TRANSACTION =
      new Transaction("shop", 5731, Lsn.of(26193616), Instant.parse("2026-12-02T00:00:00Z"), Instant.parse("2026-12-02T00:00:01Z"));

  private static JsonNode bemi(String previousPrimaryKey) throws Exception {
    Change change = new Change(TRANSACTION, 0, Lsn.of(26193392), "public", "tags", Operation.UPDATE, "[\"acme\",5]",
        previousPrimaryKey, "{\"no\": 1, \"org\": \"acme\"}", "{\"no\": 5, \"org\": \"acme\"}", "{}");
    return new ObjectMapper().readTree(ChangeEnvelope.value(change, "shop", 0)).get("bemi");
  }

  @Test
  void anUpdateOfTheKeyCarriesTheKeyItLeftAndOtherChangesNoSuchField() throws Exception {
    assertThat(bemi("[\"acme\",1]").get("previous_primary_key").asText()).isEqualTo("[\"acme\",1]");
    assertThat(bemi("[\"acme\",1]").get("primary_key").asText()).isEqualTo("[\"acme\",5]");
    assertThat(bemi(null).has("previous_primary_key")).isFalse();
  }

  @Test
  void theTrailsNameOfTheSourceIsCarriedWhenGiven() throws Exception {
    Change change = new Change(TRANSACTION, 0, Lsn.of(26193392), "public", "tags", Operation.CREATE, "1", null, "{}",
        "{\"no\": 1}", "{}");
    ObjectMapper json = new ObjectMapper();

    JsonNode event = json.readTree(ChangeEnvelope.value(change, "bemi", "7318245510482345678/shop", 0));

    assertThat(event.get("bemi").get("source").asText()).isEqualTo("7318245510482345678/shop");
    assertThat(event.get("source").get("name").asText()).isEqualTo("bemi");
    assertThat(json.readTree(ChangeEnvelope.value(change, "bemi", 0)).get("bemi").has("source")).isFalse();
  }
}

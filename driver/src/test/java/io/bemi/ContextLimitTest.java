package io.bemi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The context size contract, pinned by the shared test vectors (src/test/resources/context-truncation-vectors.json). */
class ContextLimitTest {

  static Stream<Arguments> vectors() throws IOException {
    try (InputStream in = ContextLimitTest.class.getResourceAsStream("/context-truncation-vectors.json")) {
      List<Map<String, Object>> vectors = new ObjectMapper().readerForListOf(Map.class).readValue(in);
      return vectors.stream().map(v -> Arguments.of(v.get("name"), v.get("input"), v.get("limit"), v.get("expected")));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  @SuppressWarnings("unchecked")
  void theDriverReducesAContextAsTheSharedVectorsSay(String name, Object input, int limit, Object expected) {
    Map<String, Object> values = (Map<String, Object>) input;
    String result = ContextLimit.fit(values, Json.write(values), limit);
    assertThat(result).isEqualTo(Json.write(expected));
    boolean markerOnly = !result.contains("},\"");
    if (!markerOnly) {
      assertThat(ContextLimit.utf8Length(result)).as("size of " + result).isLessThanOrEqualTo(limit);
    }
  }

  @Test
  void aDroppedKeyIsListedByItsFirst256Characters() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("L".repeat(300), "v".repeat(2000));
    String result = ContextLimit.fit(values, Json.write(values), 600);
    assertThat(result).contains("\"" + "L".repeat(256) + "\"").doesNotContain("L".repeat(257));
  }

  @Test
  void aSnapshotWithinTheLimitReturnsItsOwnJson() {
    ContextSnapshot snapshot = ContextSnapshot.of(Map.of("user", "ann"));
    assertThat(snapshot.json(65_536)).isSameAs(snapshot.json());
  }

  @Test
  void theStatementTextAddedUnderSqlIsDroppedBeforeTheIdentifyingKeys() {
    ContextSnapshot snapshot = ContextSnapshot.of(Map.of("user", "ann"));
    String json = snapshot.jsonWith("SQL", "INSERT INTO t VALUES ('" + "x".repeat(2000) + "')", 200);
    assertThat(json).startsWith("{\"_bemi_truncated\":{\"originalBytes\":").endsWith("\"droppedKeys\":[\"SQL\"]},\"user\":\"ann\"}");
  }
}

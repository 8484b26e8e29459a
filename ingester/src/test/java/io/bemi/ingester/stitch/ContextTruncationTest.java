package io.bemi.ingester.stitch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The shared test vectors of the oversized-context contract (context-truncation-vectors.json). */
class ContextTruncationTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  static Stream<JsonNode> vectors() throws Exception {
    try (InputStream in = ContextTruncationTest.class.getResourceAsStream("/context-truncation-vectors.json")) {
      JsonNode root = JSON.readTree(in);
      return Stream.of(root.get("vectors")).flatMap(v -> java.util.stream.StreamSupport.stream(v.spliterator(), false));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void reducesAsTheContractSays(JsonNode vector) throws Exception {
    ObjectNode input = ((ObjectNode) vector.get("input")).deepCopy();
    if (vector.has("expand")) { // values longer than is readable in the file: "key": length in characters
      vector.get("expand").properties().forEach(e -> input.put(e.getKey(), "x".repeat(e.getValue().asInt())));
    }
    String original = JSON.writeValueAsString(input);
    int originalBytes = original.getBytes(StandardCharsets.UTF_8).length;

    ContextMessages.Parsed parsed = ContextMessages.parse(original.getBytes(StandardCharsets.UTF_8),
        vector.get("limit").asInt());

    assertThat(JSON.writeValueAsString(JSON.readTree(parsed.json())))
        .isEqualTo(JSON.writeValueAsString(vector.get("expected")));
    if (parsed.truncated()) {
      assertThat(parsed.json().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(vector.get("limit").asInt());
    }
    assertThat(parsed.truncated()).isEqualTo(originalBytes > vector.get("limit").asInt());
  }
}

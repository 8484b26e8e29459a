package io.bemi.dashboard.changes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContextConditionTest {

  @Test
  void equalityWithSpacesOrWithoutParsesTheSame() {
    assertThat(ContextCondition.parse("userId = 42")).isEqualTo(ContextCondition.parse("userId=42"));
    assertThat(ContextCondition.parse("userId = 42").comparison()).isEqualTo(ContextCondition.Comparison.EQUALS);
  }

  @Test
  void containsNeedsWordsAroundIt() {
    ContextCondition c = ContextCondition.parse("endpoint contains /orders/ 1");
    assertThat(c.comparison()).isEqualTo(ContextCondition.Comparison.CONTAINS);
    assertThat(c.value()).isEqualTo("/orders/ 1");
    assertThat(ContextCondition.parse("endpoint ~ /orders").comparison()).isEqualTo(ContextCondition.Comparison.CONTAINS);
  }

  @Test
  void notEqualsIsRecognisedBeforeEquals() {
    assertThat(ContextCondition.parse("role != admin").comparison()).isEqualTo(ContextCondition.Comparison.NOT_EQUALS);
  }

  @Test
  void aValueMayItselfContainAnEqualsSign() {
    assertThat(ContextCondition.parse("query = a=b").value()).isEqualTo("a=b");
  }

  @Test
  void aNumberMatchesTheNumberAndItsText() {
    List<JsonNode> values = ContextCondition.parse("userId = 42").candidateValues();
    assertThat(values).extracting(JsonNode::toString).containsExactly("42", "\"42\"");
  }

  @Test
  void aQuotedValueIsExactlyThatString() {
    assertThat(ContextCondition.parse("userId = \"42\"").candidateValues()).extracting(JsonNode::toString).containsExactly("\"42\"");
  }

  @Test
  void aDottedFieldIsAPathIntoNestedObjects() {
    ContextCondition c = ContextCondition.parse("user.id = 7");
    assertThat(c.containmentDocument(c.candidateValues().get(0)).toString()).isEqualTo("{\"user\":{\"id\":7}}");
  }

  @Test
  void textWithoutAnOperatorIsRejectedWithTheExpectedSyntax() {
    assertThatThrownBy(() -> ContextCondition.parse("userId"))
        .isInstanceOf(BadRequestException.class).hasMessageContaining("field = value");
  }

  @Test
  void anEmptyPathSegmentIsRejected() {
    assertThatThrownBy(() -> ContextCondition.parse("user..id = 1")).hasMessageContaining("empty field name");
  }
}

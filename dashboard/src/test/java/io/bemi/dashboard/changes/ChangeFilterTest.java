package io.bemi.dashboard.changes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChangeFilterTest {

  private static final Instant NOW = Instant.parse("2024-05-01T14:00:00Z");

  @Test
  void aQualifiedTableSplitsIntoSchemaAndTable() {
    ChangeFilter f = ChangeFilter.fromQuery(Map.of("table", List.of("sales.orders")), NOW);
    assertThat(f.schema()).isEqualTo("sales");
    assertThat(f.table()).isEqualTo("orders");
  }

  @Test
  void theFilterSurvivesTheTripThroughItsQueryString() {
    Map<String, List<String>> query = Map.of("table", List.of("public.orders"), "op", List.of("update,create"),
        "from", List.of("-2h"), "context", List.of("userId = 42", "endpoint contains /x"), "pk", List.of("7"));
    ChangeFilter f = ChangeFilter.fromQuery(query, NOW);
    assertThat(ChangeFilter.fromQuery(f.toParams(), NOW)).isEqualTo(f);
    assertThat(f.toQueryString()).isEqualTo("table=public.orders&pk=7&op=CREATE&op=UPDATE&from=2024-05-01T12%3A00%3A00Z"
        + "&context=userId+%3D+42&context=endpoint+contains+%2Fx");
  }

  @Test
  void blankParametersAreIgnored() {
    assertThat(ChangeFilter.fromQuery(Map.of("table", List.of(" "), "context", List.of("")), NOW).isEmpty()).isTrue();
  }

  @Test
  void aParameterGivenTwiceIsABadRequest() {
    assertThatThrownBy(() -> ChangeFilter.fromQuery(Map.of("table", List.of("a", "b")), NOW))
        .isInstanceOf(BadRequestException.class).hasMessageContaining("given 2 times");
  }

  @Test
  void timesWithoutOffsetAreUtc() {
    assertThat(Instants.parse("from", "2024-05-01T10:00", NOW)).isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
    assertThat(Instants.parse("from", "2024-05-01", NOW)).isEqualTo(Instant.parse("2024-05-01T00:00:00Z"));
    assertThat(Instants.parse("from", "2024-05-01T12:00:00+02:00", NOW)).isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
    assertThat(Instants.parse("from", "-7d", NOW)).isEqualTo(Instant.parse("2024-04-24T14:00:00Z"));
  }
}

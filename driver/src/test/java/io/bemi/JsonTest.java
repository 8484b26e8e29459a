package io.bemi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.test.JsonStringVectors;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class JsonTest {

  @Test
  void writesScalarsAsJsonTypes() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("s", "ann");
    values.put("i", 42);
    values.put("l", 9_007_199_254_740_993L);
    values.put("d", 1.5);
    values.put("big", new BigDecimal("12345678901234567890.000000001"));
    values.put("t", true);
    values.put("n", null);
    assertThat(Json.write(values)).isEqualTo(
        "{\"s\":\"ann\",\"i\":42,\"l\":9007199254740993,\"d\":1.5,\"big\":12345678901234567890.000000001,\"t\":true,\"n\":null}");
  }

  @Test
  void writesNestedMapsListsAndArrays() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("roles", List.of("admin", "ops"));
    values.put("job", Map.of("id", 7));
    values.put("ids", new Integer[] {1, 2});
    assertThat(Json.write(values)).isEqualTo("{\"roles\":[\"admin\",\"ops\"],\"job\":{\"id\":7},\"ids\":[1,2]}");
  }

  @Test
  void writesUuidsAndTimesAsIso8601Strings() {
    UUID id = UUID.fromString("0b7c3c3e-2f6b-4f0e-9a51-0c4c7d7e2a10");
    assertThat(Json.write(List.of(id, Instant.parse("2024-01-02T03:04:05.123Z"), LocalDate.of(2024, 1, 2),
        ZonedDateTime.of(2024, 1, 2, 3, 4, 5, 0, ZoneId.of("Europe/Paris")))))
        .isEqualTo("[\"0b7c3c3e-2f6b-4f0e-9a51-0c4c7d7e2a10\",\"2024-01-02T03:04:05.123Z\",\"2024-01-02\","
            + "\"2024-01-02T03:04:05+01:00\"]");
  }

  @Test
  void writesNonFiniteNumbersAsStrings() {
    assertThat(Json.write(List.of(Double.NaN, Double.POSITIVE_INFINITY))).isEqualTo("[\"NaN\",\"Infinity\"]");
  }

  @Test
  void writesOtherObjectsWithToString() {
    Object custom = new Object() {
      @Override
      public String toString() {
        return "custom \"value\"";
      }
    };
    assertThat(Json.write(custom)).isEqualTo("\"custom \\\"value\\\"\"");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.bemi.test.JsonStringVectors#all")
  void writesStringsAsEveryJsonWriterInTheHouseDoes(JsonStringVectors.Vector vector) {
    assertThat(Json.write(vector.input())).isEqualTo(vector.json());
  }

  @Test
  void refusesAMapThatContainsItself() {
    Map<String, Object> cyclic = new HashMap<>();
    cyclic.put("self", cyclic);
    assertThatThrownBy(() -> Json.write(cyclic)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("contain itself");
  }

  @Test
  void writesArraysOfPrimitivesAsArraysOfTheirValues() {
    assertThat(Json.write(List.of(new int[] {1, 2}, new double[] {0.5}, new boolean[] {true}, new char[] {'a'}, new long[0])))
        .isEqualTo("[[1,2],[0.5],[true],[\"a\"],[]]");
  }

  @Test
  void writesAnyIterable() {
    assertThat(Json.write(new ArrayList<>(Arrays.asList("a", null)))).isEqualTo("[\"a\",null]");
  }
}

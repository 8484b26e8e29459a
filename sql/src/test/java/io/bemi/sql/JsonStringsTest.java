package io.bemi.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.test.JsonStringVectors;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@WithPostgres
class JsonStringsTest {

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.bemi.test.JsonStringVectors#all")
  void writesStringsAsEveryJsonWriterInTheHouseDoes(JsonStringVectors.Vector vector) {
    StringBuilder out = new StringBuilder();
    JsonStrings.append(out, vector.input());

    assertThat(out.toString()).isEqualTo(vector.json());
  }

  @Test
  void escapesBetweenLongPlainRunsAreThoseOfEachPartAlone() {
    String run = "plain text, nothing to escape. ".repeat(100);
    for (JsonStringVectors.Vector a : JsonStringVectors.all()) {
      for (JsonStringVectors.Vector b : JsonStringVectors.all()) {
        StringBuilder out = new StringBuilder();
        JsonStrings.append(out, a.input() + run + b.input() + run + a.input()); // runs between: no surrogate pairs across parts

        assertThat(out.toString()).as(a.name() + " + " + b.name())
            .isEqualTo("\"" + inner(a) + run + inner(b) + run + inner(a) + "\"");
      }
    }
  }

  private static String inner(JsonStringVectors.Vector vector) {
    return vector.json().substring(1, vector.json().length() - 1);
  }

  @Test
  void jsonbAcceptsWhatItWrites(TestDatabase db) throws Exception {
    try (Connection c = db.connect(); PreparedStatement p = c.prepareStatement("SELECT ?::jsonb #>> '{}'")) {
      for (JsonStringVectors.Vector vector : JsonStringVectors.all()) {
        StringBuilder out = new StringBuilder();
        JsonStrings.append(out, vector.input());
        p.setString(1, out.toString());
        try (ResultSet rs = p.executeQuery()) {
          assertThat(rs.next()).as(vector.name()).isTrue();
          assertThat(rs.getString(1)).as(vector.name()).isNotNull();
        }
      }
    }
  }
}

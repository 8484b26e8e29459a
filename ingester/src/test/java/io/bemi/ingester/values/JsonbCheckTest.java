package io.bemi.ingester.values;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** JsonbCheck never lets through what the server's jsonb refuses, and refuses the known hostile classes. */
@WithPostgres
class JsonbCheckTest {

  private static final List<String> TEXTS = List.of("{}", "[]", "1", "-0", "1E-400", "1e1000", "1e-1000", "1e1001",
      "1e999999", "-1e-999999", "0." + "0".repeat(16382) + "1", "0." + "0".repeat(16383) + "1",
      "9".repeat(131072), "9".repeat(131073), "123.456e-16380", "\"\\u0000\"", "{\"\\u0000\": 1}", "\"\\ud800\"",
      "\"\\udc00\"", "\"\\ud83d\\ude00\"", "[".repeat(1000) + "]".repeat(1000), "[".repeat(1001) + "]".repeat(1001),
      "not json", "{\"a\": 1} x", "", " ", "{\"a\":1,\"a\":2}", "\"\\u00e9\"", "1.0e+2", "-", "01", "NaN");

  private static boolean jsonbAccepts(Connection c, String text) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT ?::jsonb IS NOT NULL")) {
      s.setString(1, text);
      s.execute();
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  @Test
  void whatTheCheckAcceptsJsonbAcceptsToo(TestDatabase db) throws Exception {
    try (Connection c = db.connect()) {
      for (String text : TEXTS) {
        if (JsonbCheck.problem(text) == null) {
          assertThat(jsonbAccepts(c, text)).as("jsonb accepts %s", JsonbCheck.shorten(text)).isTrue();
        }
      }
    }
  }

  @Test
  void theHostileClassesAreRefusedWithAReason() {
    assertThat(JsonbCheck.problem("{\"n\": 1e999999}")).isEqualTo("number 1e999999 is outside what jsonb can hold");
    assertThat(JsonbCheck.problem("\"a\\u0000\"")).contains("\\u0000");
    assertThat(JsonbCheck.problem("[\"\\ud800\"]")).contains("unpaired surrogate");
    assertThat(JsonbCheck.problem("[".repeat(1001) + "]".repeat(1001))).startsWith("not JSON");
    assertThat(JsonbCheck.problem("9".repeat(131073))).contains("outside what jsonb can hold");
    assertThat(JsonbCheck.problem("{\"a\": 1} x")).startsWith("not JSON");
    assertThat(JsonbCheck.problem("{\"a\": -0, \"b\": 1E-400, \"c\": [1.50]}")).isNull();
  }
}

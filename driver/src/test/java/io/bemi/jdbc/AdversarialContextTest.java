package io.bemi.jdbc;

import io.bemi.test.Wal;
import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.Bemi;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Hostile context values never change or break the statement: the JSON is a bound parameter, and
 * what reaches the WAL is valid JSON that PostgreSQL's {@code jsonb} accepts, equal to the value
 * set (NUL and lone surrogates replaced by U+FFFD, as documented).
 */
@WithPostgres
@Tag("replication")
class AdversarialContextTest {

  private TestDatabase db;
  private Wal wal;

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE a (id serial PRIMARY KEY, v text)");
  }

  @BeforeEach
  void openWal(TestDatabase db) throws SQLException {
    this.db = db;
    db.execute("DELETE FROM a");
    wal = Wal.open(db);
  }

  @AfterEach
  void closeWal() throws SQLException {
    Bemi.clearContext();
    wal.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "'); DROP TABLE a; --",
      "*/ DELETE FROM a; /*",
      "-- comment",
      "a;b;c",
      "\"quoted\" and \\backslashed\\",
      "$$ dollar $$ $tag$",
      "? ?? ?| placeholders",
      "control \u0001\u0002\u001f\t\r\n chars",
      "emoji 😀🚀 and 漢字",
      "E'\\x41'",
  })
  void theValueReachesTheWalIntactAndTheStatementRunsUnchanged(String hostile) throws SQLException {
    Bemi.setContext(Map.of("user", hostile));
    try (Connection c = DriverManager.getConnection(EmissionTest.bemiUrl(db), db.credentials());
        Statement s = c.createStatement();
        PreparedStatement p = c.prepareStatement("INSERT INTO a (v) VALUES (?)")) {
      assertThat(s.executeUpdate("INSERT INTO a (v) VALUES ('plain')")).isEqualTo(1);
      p.setString(1, hostile);
      assertThat(p.executeUpdate()).isEqualTo(1);
    }
    assertThat(db.queryLong("SELECT count(*) FROM a")).isEqualTo(2);
    List<String> messages = wal.messages();
    assertThat(messages).hasSize(2);
    for (String message : messages) {
      assertThat(userFromJsonb(message)).isEqualTo(hostile);
    }
  }

  @Test
  void nulBecomesTheReplacementCharacterBecausePostgresTextCannotHoldIt() throws SQLException {
    Bemi.setContext(Map.of("user", "a\u0000b"));
    try (Connection c = DriverManager.getConnection(EmissionTest.bemiUrl(db), db.credentials());
        Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO a (v) VALUES ('x')");
    }
    assertThat(userFromJsonb(wal.messages().get(0))).isEqualTo("a\uFFFDb");
  }

  @Test
  void aContextOfMoreThanOneMegabyteIsSentWhenAllowed() throws SQLException {
    String big = "x".repeat(1_200_000);
    Bemi.setContext(Map.of("user", big));
    try (Connection c = DriverManager.getConnection(EmissionTest.bemiUrl(db) + "?bemi.maxContextBytes=2000000",
        db.credentials()); Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO a (v) VALUES ('x')");
    }
    assertThat(userFromJsonb(wal.messages().get(0))).hasSize(big.length());
  }

  @Test
  void aContextOverTheDefault64KiBKeepsItsIdentifyingKeysAndTheWriteStillHappens() throws SQLException {
    Map<String, Object> context = new java.util.LinkedHashMap<>();
    context.put("blob", "x".repeat(100_000));
    context.put("user", "ann");
    context.put("requestId", "r-1");
    Bemi.setContext(context);
    try (Connection c = DriverManager.getConnection(EmissionTest.bemiUrl(db), db.credentials());
        Statement s = c.createStatement()) {
      assertThat(s.executeUpdate("INSERT INTO a (v) VALUES ('x')")).isEqualTo(1);
    }
    assertThat(wal.transactions()).containsExactly(List.of("message {\"_bemi_truncated\":{\"originalBytes\":100042,"
        + "\"droppedKeys\":[\"blob\"]},\"user\":\"ann\",\"requestId\":\"r-1\"}", "INSERT a"));
  }

  /** Parses the message as PostgreSQL does when the ingester stores it as jsonb. */
  private String userFromJsonb(String message) throws SQLException {
    try (Connection c = db.connect(); PreparedStatement p = c.prepareStatement("SELECT ?::jsonb ->> 'user'")) {
      p.setString(1, message);
      try (ResultSet rs = p.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }
}

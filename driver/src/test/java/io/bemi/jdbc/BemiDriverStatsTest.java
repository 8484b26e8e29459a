package io.bemi.jdbc;

import io.bemi.test.Wal;
import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.Bemi;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link BemiDriverStats} against what reached the WAL: the counters move by exactly the messages
 * and bytes the server received, and not at all for reads.
 */
@WithPostgres
@Tag("replication")
class BemiDriverStatsTest {

  /** The four counters at one moment; {@link #since} gives what moved. */
  private record Counts(long sent, long bytes, long truncated, long skipped) {

    static Counts now() {
      return new Counts(BemiDriverStats.messagesSent(), BemiDriverStats.contextBytesSent(),
          BemiDriverStats.contextsTruncated(), BemiDriverStats.messagesSkipped());
    }

    Counts since(Counts before) {
      return new Counts(sent - before.sent, bytes - before.bytes, truncated - before.truncated, skipped - before.skipped);
    }
  }

  private TestDatabase db;
  private Wal wal;

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE stats (id serial PRIMARY KEY, v text)");
  }

  @BeforeEach
  void openWal(TestDatabase db) throws SQLException {
    this.db = db;
    db.execute("DELETE FROM stats");
    wal = Wal.open(db);
  }

  @AfterEach
  void closeWal() throws SQLException {
    Bemi.clearContext();
    wal.close();
  }

  private Connection connect(String... options) throws SQLException {
    Properties properties = db.credentials();
    for (int i = 0; i < options.length; i += 2) {
      properties.setProperty(options[i], options[i + 1]);
    }
    return DriverManager.getConnection(EmissionTest.bemiUrl(db), properties);
  }

  private static long utf8Bytes(List<String> messages) {
    return messages.stream().mapToLong(m -> m.getBytes(StandardCharsets.UTF_8).length).sum();
  }

  @Test
  void autocommitWritesCountOneMessageEachWithTheBytesTheWalReceived() throws SQLException {
    Bemi.setContext(Map.of("user", "zoë", "note", "日本 🙂"));
    Counts before = Counts.now();
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO stats (v) VALUES ('a')");
      s.executeUpdate("UPDATE stats SET v = 'b'");
    }
    Counts moved = Counts.now().since(before);
    List<String> messages = wal.messages();
    assertThat(messages).hasSize(2);
    assertThat(moved).isEqualTo(new Counts(2, utf8Bytes(messages), 0, 0));
  }

  @Test
  void aTransactionUnderOneContextCountsOneMessageAndTheRepeatsAsSkipped() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    Counts before = Counts.now();
    try (Connection c = connect(); PreparedStatement insert = c.prepareStatement("INSERT INTO stats (v) VALUES (?)")) {
      c.setAutoCommit(false);
      for (String v : List.of("a", "b", "c")) {
        insert.setString(1, v);
        insert.executeUpdate();
      }
      c.commit();
    }
    Counts moved = Counts.now().since(before);
    assertThat(wal.messages()).containsExactly("{\"user\":\"ann\"}");
    assertThat(moved).isEqualTo(new Counts(1, "{\"user\":\"ann\"}".length(), 0, 2));
  }

  @Test
  void aBatchWhoseMessageTravelsWithTheCommitIsCountedOnce() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    Counts before = Counts.now();
    try (Connection c = connect(); PreparedStatement insert = c.prepareStatement("INSERT INTO stats (v) VALUES (?)")) {
      c.setAutoCommit(false);
      insert.setString(1, "a");
      insert.addBatch();
      insert.setString(1, "b");
      insert.addBatch();
      insert.executeBatch();
      c.commit();
    }
    Counts moved = Counts.now().since(before);
    assertThat(wal.messages()).containsExactly("{\"user\":\"ann\"}");
    assertThat(moved).isEqualTo(new Counts(1, "{\"user\":\"ann\"}".length(), 0, 0));
  }

  @Test
  void readsMoveNoCounter() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    Counts before = Counts.now();
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.executeQuery("SELECT * FROM stats").close();
      c.setAutoCommit(false);
      s.executeQuery("SELECT count(*) FROM stats").close();
      c.commit();
    }
    assertThat(Counts.now().since(before)).isEqualTo(new Counts(0, 0, 0, 0));
    assertThat(wal.messages()).isEmpty();
  }

  @Test
  void aContextReducedToFitMaxContextBytesIsCountedAsTruncated() throws SQLException {
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("payload", "a".repeat(300));
    context.put("user", "ann");
    Bemi.setContext(context);
    Counts before = Counts.now();
    try (Connection c = connect("bemi.maxContextBytes", "120"); Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO stats (v) VALUES ('a')");
    }
    Counts moved = Counts.now().since(before);
    List<String> messages = wal.messages();
    assertThat(messages).singleElement().asString().startsWith("{\"_bemi_truncated\"");
    assertThat(moved).isEqualTo(new Counts(1, utf8Bytes(messages), 1, 0));
  }

  @Test
  void utf8LengthMatchesTheEncoder() {
    for (String json : List.of("{}", "{\"user\":\"zoë\"}", "{\"n\":\"日本\"}", "{\"e\":\"🙂 a\"}", "{\"x\":\"\u07ff\u0800\uffff\"}")) {
      assertThat(BemiDriverStats.utf8Length(json)).as(json).isEqualTo(json.getBytes(StandardCharsets.UTF_8).length);
    }
  }
}

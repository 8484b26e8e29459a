package io.bemi.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/**
 * Proves the fixture gives what the product needs: a pgoutput slot that streams a committed row
 * change and a transactional {@code _bemi} message through pgjdbc's replication API.
 */
@WithPostgres
@Tag("replication")
class ReplicationSmokeTest {

  @Test
  void serverRunsTheRequestedMajorVersionWithLogicalWal(TestDatabase db) throws Exception {
    assertThat(db.queryValue("SHOW wal_level")).isEqualTo("logical");
    if (System.getenv(Servers.EXTERNAL_URL_ENV) == null) {
      assertThat(db.serverMajorVersion()).isEqualTo(Servers.requestedMajorVersion());
    }
  }

  @Test
  void pgoutputSlotStreamsARowChangeAndABemiMessage(TestDatabase db) throws Exception {
    db.execute(
        "CREATE TABLE smoke (id int PRIMARY KEY, name text)",
        "CREATE PUBLICATION smoke_pub FOR TABLE smoke",
        "SELECT pg_create_logical_replication_slot('smoke_slot', 'pgoutput')");

    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      try (PreparedStatement emit = c.prepareStatement("SELECT pg_logical_emit_message(true, '_bemi', ?)")) {
        emit.setString(1, "{\"userId\":42}");
        emit.execute();
      }
      c.createStatement().execute("INSERT INTO smoke VALUES (1, 'hello')");
      c.commit();
    }

    List<Character> kinds = new ArrayList<>();
    String messageContent = null;
    try (Connection replication = db.connectForReplication();
        PGReplicationStream stream = replication.unwrap(PGConnection.class).getReplicationAPI()
            .replicationStream().logical()
            .withSlotName("smoke_slot")
            .withSlotOption("proto_version", 1)
            .withSlotOption("publication_names", "smoke_pub")
            .withSlotOption("messages", true)
            .withStatusInterval(1, java.util.concurrent.TimeUnit.SECONDS)
            .withAutomaticFlush(false)
            .start()) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!kinds.contains('C') && System.nanoTime() < deadline) {
        ByteBuffer buffer = stream.readPending();
        if (buffer == null) {
          Thread.sleep(10);
          continue;
        }
        char kind = (char) buffer.get();
        kinds.add(kind);
        if (kind == 'M') {
          messageContent = readMessageContent(buffer);
        }
      }
      LogSequenceNumber last = stream.getLastReceiveLSN();
      stream.setFlushedLSN(last);
      stream.setAppliedLSN(last);
      stream.forceUpdateStatus();
    }

    assertThat(kinds).containsSubsequence('B', 'M', 'R', 'I', 'C');
    assertThat(messageContent).isEqualTo("{\"userId\":42}");
  }

  /** pgoutput Message: Int8 flags, Int64 LSN, String prefix (NUL-terminated), Int32 length, bytes. */
  private static String readMessageContent(ByteBuffer buffer) {
    buffer.get();
    buffer.getLong();
    StringBuilder prefix = new StringBuilder();
    for (byte b = buffer.get(); b != 0; b = buffer.get()) {
      prefix.append((char) b);
    }
    assertThat(prefix).hasToString("_bemi");
    byte[] content = new byte[buffer.getInt()];
    buffer.get(content);
    return new String(content, StandardCharsets.UTF_8);
  }
}

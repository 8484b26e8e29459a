package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Changes beyond the hold-back limit are stored first and get the first message's context afterwards. */
@WithPostgres
@Tag("replication")
class ContextBackfillTest {

  private static IngesterHarness harness;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE lines (n int PRIMARY KEY)");
    harness = IngesterHarness.start(db, null, c -> c.withBatching(3, Duration.ofMillis(200), 2));
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  @Test
  void changesBeforeALateFirstMessageGetItsContextEvenWhenAlreadyWritten(TestDatabase db) throws Exception {
    db.execute("BEGIN; INSERT INTO lines SELECT generate_series(1, 50); "
        + "SELECT pg_logical_emit_message(true, '_bemi', '{\"job\": \"late\"}'); "
        + "INSERT INTO lines VALUES (51); COMMIT");
    harness.awaitCaughtUp();

    assertThat(harness.column("context", "\"table\" = 'lines'")).hasSize(51).containsOnly("{\"job\": \"late\"}");
  }
}

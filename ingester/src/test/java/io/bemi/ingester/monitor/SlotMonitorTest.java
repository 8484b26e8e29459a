package io.bemi.ingester.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.bemi.ingester.PostgresUrl;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The monitor against the real server: its warnings are logged once, never per sample. */
@WithPostgres
@Tag("replication")
class SlotMonitorTest {

  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final List<SlotPosition> samples = new CopyOnWriteArrayList<>();
  private final SlotMonitor.Listener listener = new SlotMonitor.Listener() {
    @Override
    public void slotSampled(SlotPosition position, Instant caughtUpTo) {
      samples.add(position);
    }

    @Override
    public void heartbeatEmitted() {}
  };

  @BeforeEach
  void captureLog(TestDatabase db) throws Exception {
    log.start();
    ((Logger) LoggerFactory.getLogger(SlotMonitor.class)).addAppender(log);
    db.execute("SELECT pg_create_logical_replication_slot('watched', 'pgoutput') "
        + "WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = 'watched')");
  }

  @AfterEach
  void releaseLog() {
    ((Logger) LoggerFactory.getLogger(SlotMonitor.class)).detachAppender(log);
  }

  @Test
  void retainedWalOverTheThresholdIsLoggedOnceWithTheMaxSlotWalKeepSizeExplanation(TestDatabase db)
      throws Exception {
    db.execute("CREATE TABLE IF NOT EXISTS filler (t text)", "INSERT INTO filler SELECT repeat('x', 1000) "
        + "FROM generate_series(1, 3000)"); // ~3 MB of WAL the slot retains
    try (SlotMonitor monitor = SlotMonitor.start(PostgresUrl.parse(db.uri()), "watched",
        new SlotMonitor.Settings(Duration.ZERO, Duration.ofMillis(100), 1), listener, Clock.systemUTC())) {
      awaitSamples(5);
    }
    List<String> warnings = warnings();
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0)).startsWith("Retained WAL: the slot retains ").contains("max_slot_wal_keep_size = -1");
    assertThat(samples.get(samples.size() - 1).retainedBytes()).isGreaterThan(1024 * 1024);
  }

  @Test
  void aHeartbeatTheSourceRefusesIsLoggedOnceSayingWhatToGrant(TestDatabase db) throws Exception {
    String function = "pg_logical_emit_message(boolean, text, text" + (db.serverMajorVersion() >= 17 ? ", boolean)" : ")");
    db.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'no_emit') THEN "
            + "CREATE ROLE no_emit LOGIN PASSWORD 'secret'; END IF; END $$",
        "REVOKE EXECUTE ON FUNCTION " + function + " FROM PUBLIC");
    String uri = db.uri().replaceFirst("//[^@]+@", "//no_emit:secret@");
    try (SlotMonitor monitor = SlotMonitor.start(PostgresUrl.parse(uri), "watched",
        new SlotMonitor.Settings(Duration.ofMillis(100), Duration.ofMillis(100), 1_000_000), listener,
        Clock.systemUTC())) {
      awaitSamples(5); // several heartbeat intervals
    } finally {
      db.execute("GRANT EXECUTE ON FUNCTION " + function + " TO PUBLIC");
    }
    List<String> warnings = warnings();
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0)).startsWith("Heartbeats are off")
        .contains("GRANT EXECUTE ON FUNCTION " + function.replace(" ", "") + " TO no_emit;", "42501");
  }

  private List<String> warnings() {
    return log.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
  }

  private void awaitSamples(int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (samples.size() < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Fewer than " + count + " samples in 30 s; log: " + log.list);
      }
      Thread.sleep(50);
    }
  }
}

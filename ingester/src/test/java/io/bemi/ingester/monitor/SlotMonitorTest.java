package io.bemi.ingester.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.setup.SetupCoverage;
import io.bemi.ingester.setup.SourceSetup;
import io.bemi.ingester.setup.TableChoice;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
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
  private final List<SetupCoverage> setupChecks = new CopyOnWriteArrayList<>();
  private final SlotMonitor.Listener listener = new SlotMonitor.Listener() {
    @Override
    public void slotSampled(SlotPosition position, Instant caughtUpTo) {
      samples.add(position);
    }

    @Override
    public void heartbeatEmitted() {}

    @Override
    public void setupChecked(SetupCoverage coverage) {
      setupChecks.add(coverage);
    }
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
    try (SlotMonitor monitor = SlotMonitor.start(PostgresUrl.parse(db.uri()), "watched", "watched",
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
    try (SlotMonitor monitor = SlotMonitor.start(PostgresUrl.parse(uri), "watched", "watched",
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

  @Test
  void aTableCreatedSinceSetupIsLoggedOnceAndCountedUntilSetupRunsAgain(TestDatabase db) throws Exception {
    db.execute("CREATE SCHEMA grown", "CREATE TABLE grown.first (id int PRIMARY KEY)");
    try (Connection c = db.connect()) {
      SourceSetup.execute(c, SourceSetup.setupStatements(c, SourceSetup.trackedTables(c, "bemi", List.of("grown"),
          List.of()), new TableChoice("bemi", List.of("grown"), List.of(), List.of()), "grown", "watched"));
    }
    db.execute("CREATE TABLE grown.second (id int PRIMARY KEY)");
    try (SlotMonitor monitor = SlotMonitor.start(PostgresUrl.parse(db.uri()), "watched", "grown",
        new SlotMonitor.Settings(Duration.ZERO, Duration.ofMillis(20), 1_000_000), listener, Clock.systemUTC())) {
      awaitSetupCheck(coverage -> coverage != null && coverage.untracked().equals(List.of("grown.second")));
      int checks = setupChecks.size();
      awaitSetupCheck(coverage -> setupChecks.size() > checks + 1); // checked twice more: logged once

      db.execute("ALTER PUBLICATION grown ADD TABLE grown.second", "ALTER TABLE grown.second REPLICA IDENTITY FULL");
      awaitSetupCheck(coverage -> coverage != null && coverage.complete());
    }
    assertThat(warnings()).singleElement().asString().startsWith("Setup: 1 table(s) created since setup are not in "
        + "publication grown, so none of their changes is captured: grown.second.");
    assertThat(log.list).anyMatch(e -> e.getLevel() == Level.INFO && e.getFormattedMessage().contains(
        "every table setup chose is in publication grown with REPLICA IDENTITY FULL again"));
  }

  private void awaitSetupCheck(Predicate<SetupCoverage> wanted) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (setupChecks.isEmpty() || !wanted.test(setupChecks.get(setupChecks.size() - 1))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("No such setup check in 30 s: " + setupChecks + "; log: " + log.list);
      }
      Thread.sleep(20);
    }
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

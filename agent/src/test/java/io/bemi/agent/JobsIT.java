package io.bemi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.test.TestDatabase;
import io.bemi.test.Wal;
import io.bemi.test.WithPostgres;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Applications outside any HTTP request, in child JVMs with the agent. */
@WithPostgres
@Tag("replication")
class JobsIT {

  private Wal wal;

  @BeforeEach
  void freshTableAndSlot(TestDatabase db) throws Exception {
    db.execute("DROP TABLE IF EXISTS events", "CREATE TABLE events(id bigserial PRIMARY KEY, kind text NOT NULL)");
    wal = Wal.open(db);
  }

  @AfterEach
  void dropSlot() throws Exception {
    wal.close();
  }

  @Test
  void aJobsWritesCarryTheirThreadNameAndTheMainClass(TestDatabase db) throws Exception {
    runToCompletion(ChildJvm.Launch.withAgent(""), "com.example.jobs.NightlyJob", db);

    assertThat(wal.changes()).extracting(Wal.Change::context).containsExactly(
        "{\"thread\":\"main\",\"mainClass\":\"com.example.jobs.NightlyJob\"}",
        "{\"thread\":\"nightly-worker\",\"mainClass\":\"com.example.jobs.NightlyJob\"}");
  }

  @Test
  void theFieldsOptionFromTheEnvironmentLimitsWhatIsRecorded(TestDatabase db) throws Exception {
    runToCompletion(ChildJvm.Launch.withAgent("").withEnvironment(java.util.Map.of("BEMI_AGENT_FIELDS", "thread")),
        "com.example.jobs.NightlyJob", db);

    assertThat(wal.changes()).extracting(Wal.Change::context)
        .containsExactly("{\"thread\":\"main\"}", "{\"thread\":\"nightly-worker\"}");
  }

  @Test
  void anApplicationWithoutBemiDriverCanSetItsOwnContextThroughTheAgent(TestDatabase db) throws Exception {
    runToCompletion(ChildJvm.Launch.withAgent(""), "com.example.jobs.AttributedJob", db);

    assertThat(wal.changes()).extracting(Wal.Change::context).containsExactly("{\"job\":\"reindex\",\"user\":\"scheduler\"}");
  }

  @Test
  void anApplicationShippingBemiDriverSharesOneContextWithTheAgent(TestDatabase db) throws Exception {
    runToCompletion(ChildJvm.Launch.withAgent("").withClassPath(ChildJvm.bemiDriverJar()), "com.example.jobs.AttributedJob", db);

    assertThat(wal.changes()).extracting(Wal.Change::context).containsExactly("{\"job\":\"reindex\",\"user\":\"scheduler\"}");
  }

  @Test
  void aConnectionOpenedThroughJdbcBemiIsNotWrappedTwice(TestDatabase db) throws Exception {
    String bemiUrl = db.jdbcUrl().replace("jdbc:postgresql:", "jdbc:bemi:postgresql:");
    try (ChildJvm job = ChildJvm.start(ChildJvm.Launch.withAgent(""), "com.example.jobs.AttributedJob", bemiUrl, db.user(), db.password())) {
      assertThat(job.awaitExit(Duration.ofSeconds(60))).as(job.output()).isZero();
    }

    List<Wal.Change> changes = wal.changes();
    assertThat(changes).extracting(Wal.Change::context).containsExactly("{\"job\":\"reindex\",\"user\":\"scheduler\"}");
    assertThat(changes).extracting(Wal.Change::messagesInTransaction).containsExactly(1);
  }

  private static void runToCompletion(ChildJvm.Launch launch, String mainClass, TestDatabase db) throws Exception {
    try (ChildJvm job = ChildJvm.start(launch, mainClass, db.jdbcUrl(), db.user(), db.password())) {
      assertThat(job.awaitExit(Duration.ofSeconds(60))).as(job.output()).isZero();
    }
  }
}

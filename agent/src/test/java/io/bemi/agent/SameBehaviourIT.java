package io.bemi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.test.TestDatabase;
import io.bemi.test.Wal;
import io.bemi.test.WithPostgres;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The shop application answers the same and stores the same rows without the agent, with it, and
 * with an agent whose every hook throws (which the advice must swallow). Each run gets a fresh
 * database; the WAL of the faulty run must carry no context.
 */
@WithPostgres
@Tag("replication")
class SameBehaviourIT {

  private static Run plain;
  private static Run withAgent;
  private static Run withFaultyAgent;

  private record Run(List<String> responses, List<String> data, List<Wal.Change> changes) {}

  @BeforeAll
  static void runTheScenarioThreeWays(TestDatabase db) throws Exception {
    plain = run(db.createSibling("plain"), ChildJvm.Launch.withoutAgent());
    withAgent = run(db.createSibling("agent"), ChildJvm.Launch.withAgent(""));
    withFaultyAgent = run(db.createSibling("faulty"), ChildJvm.Launch.withAgent("faultInjection=true"));
  }

  private static Run run(TestDatabase db, ChildJvm.Launch launch) throws Exception {
    ShopScenario.createTables(db);
    Wal wal = Wal.open(db);
    List<String> responses;
    try (ChildJvm app = ShopScenario.start(launch, db)) {
      int port = Integer.parseInt(app.awaitLine("LISTENING ", Duration.ofSeconds(60)).trim());
      responses = ShopScenario.run(port);
    }
    return new Run(responses, ShopScenario.data(db), wal.changes());
  }

  @Test
  void theAgentChangesNoResponse() {
    assertThat(withAgent.responses()).isEqualTo(plain.responses());
  }

  @Test
  void theAgentChangesNoStoredRow() {
    assertThat(withAgent.data()).isEqualTo(plain.data());
  }

  @Test
  void theAgentAddsContextToTheWal() {
    assertThat(withAgent.changes()).extracting(Wal.Change::context).doesNotContainNull();
    assertThat(plain.changes()).extracting(Wal.Change::context).containsOnlyNulls();
  }

  @Test
  void exceptionsThrownInsideTheAdviceChangeNoResponse() {
    assertThat(withFaultyAgent.responses()).isEqualTo(plain.responses());
  }

  @Test
  void exceptionsThrownInsideTheAdviceChangeNoStoredRowAndAddNoContext() {
    assertThat(withFaultyAgent.data()).isEqualTo(plain.data());
    assertThat(withFaultyAgent.changes()).hasSameSizeAs(plain.changes()).extracting(Wal.Change::context).containsOnlyNulls();
  }
}

package io.bemi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.test.TestDatabase;
import io.bemi.test.Wal;
import io.bemi.test.WithPostgres;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The shop application (Javalin, HikariCP, a pgjdbc data source, DriverManager, a Basic-auth
 * filter; nothing of Bemi) in a child JVM with {@code -javaagent}: what its writes carry in the WAL.
 */
@WithPostgres
@Tag("replication")
class ShopAppIT {

  private static List<Wal.Change> changes;

  @BeforeAll
  static void runTheScenarioWithTheAgent(TestDatabase db) throws Exception {
    ShopScenario.createTables(db);
    Wal wal = Wal.open(db);
    try (ChildJvm app = ShopScenario.start(ChildJvm.Launch.withAgent("excludePaths=/health:/metrics/**"), db)) {
      int port = Integer.parseInt(app.awaitLine("LISTENING ", Duration.ofSeconds(60)).trim());
      ShopScenario.run(port);
    }
    changes = wal.changes();
  }

  @Test
  void aPooledInsertCarriesMethodRouteUserAndTheRequestIdHeader() {
    Wal.Change insert = only(c -> c.table().equals("items") && c.operation().equals("INSERT"));
    assertThat(insert.context())
        .contains("\"method\":\"POST\"", "\"endpoint\":\"/items\"", "\"user\":\"ann\"", "\"requestId\":\"req-create\"")
        .doesNotContain("thread");
  }

  @Test
  void anUpdateCarriesTheRouteTemplateAndTheTraceIdOfItsTraceparent() {
    Wal.Change update = only(c -> c.table().equals("items") && c.operation().equals("UPDATE"));
    assertThat(update.context())
        .contains("\"method\":\"PUT\"", "\"endpoint\":\"/items/{id}\"", "\"user\":\"bob\"", "\"traceId\":\"" + ShopScenario.TRACE_ID + "\"")
        .containsPattern("\"requestId\":\"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\"");
  }

  @Test
  void aDeleteCarriesItsOwnRequestsContext() {
    Wal.Change delete = only(c -> c.table().equals("items") && c.operation().equals("DELETE"));
    assertThat(delete.context()).contains("\"method\":\"DELETE\"", "\"user\":\"ann\"", "\"requestId\":\"req-delete\"");
  }

  @Test
  void aConnectionFromPgjdbcsDataSourceIsWrappedAndAnonymousRequestsHaveNoUser() {
    Wal.Change note = only(c -> c.table().equals("notes"));
    assertThat(note.context()).contains("\"method\":\"POST\"", "\"endpoint\":\"/notes\"").doesNotContain("\"user\"");
  }

  @Test
  void aConnectionFromDriverManagerIsWrapped() {
    Wal.Change event = only(c -> c.table().equals("events") && c.row().contains("'clicked'"));
    assertThat(event.context()).contains("\"endpoint\":\"/events\"", "\"requestId\":\"req-event\"");
  }

  @Test
  void theCurrentOpenTelemetrySpanGivesTheTraceIdAheadOfTheTraceparentHeader() {
    Wal.Change event = only(c -> c.table().equals("events") && c.row().contains("'traced'"));
    assertThat(event.context()).contains("\"traceId\":\"" + ShopScenario.SPAN_TRACE_ID + "\"");
  }

  @Test
  void anExcludedHealthCheckWritesWithoutAnyContext() {
    Wal.Change heartbeat = only(c -> c.row().contains("'heartbeat'"));
    assertThat(heartbeat.context()).isNull();
  }

  @Test
  void theStartUpJobCarriesTheMainThreadAndTheMainClass() {
    Wal.Change started = only(c -> c.row().contains("'started'"));
    assertThat(started.context()).isEqualTo("{\"thread\":\"main\",\"mainClass\":\"com.example.shop.ShopApp\"}");
  }

  @Test
  void eachTransactionCarriesOneMessagePerContext() {
    assertThat(changes).isNotEmpty().allSatisfy(change -> assertThat(change.messagesInTransaction()).isLessThanOrEqualTo(1));
  }

  private static Wal.Change only(Predicate<Wal.Change> which) {
    List<Wal.Change> matching = changes.stream().filter(which).toList();
    assertThat(matching).as("changes in the WAL: %s", changes).hasSize(1);
    return matching.get(0);
  }
}

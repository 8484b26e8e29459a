package io.bemi.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bemi.test.TestDatabase;
import io.bemi.test.Wal;
import io.bemi.test.WithPostgres;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The agent on a current JDK (Temurin 25 where installed): the shop's writes carry context and nothing is printed. */
@WithPostgres
@Tag("replication")
class Java25IT {

  @Test
  void theShopOnJava25RecordsRequestContextWithoutJvmWarnings(TestDatabase db) throws Exception {
    assumeTrue(Files.isExecutable(ChildJvm.TEMURIN_25.resolve("bin/java")), "Temurin 25 is not installed at " + ChildJvm.TEMURIN_25);
    ShopScenario.createTables(db);
    Wal wal = Wal.open(db);
    String output;
    try (ChildJvm app = ShopScenario.start(ChildJvm.Launch.withAgent("").on(ChildJvm.TEMURIN_25), db)) {
      int port = Integer.parseInt(app.awaitLine("LISTENING ", Duration.ofSeconds(60)).trim());
      ShopScenario.run(port);
      output = app.output();
    }

    List<Wal.Change> changes = wal.changes();
    assertThat(changes).filteredOn(c -> c.table().equals("items") && c.operation().equals("INSERT"))
        .singleElement().extracting(Wal.Change::context).asString()
        .contains("\"method\":\"POST\"", "\"endpoint\":\"/items\"", "\"user\":\"ann\"", "\"requestId\":\"req-create\"");
    assertThat(output).doesNotContain("WARNING", "warning:", "bemi-agent");
  }
}

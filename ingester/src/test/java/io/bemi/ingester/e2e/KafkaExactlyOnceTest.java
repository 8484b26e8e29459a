package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.ingester.e2e.KafkaRecords.Event;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import io.bemi.test.kafka.KafkaBrokers;
import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of {@code run --sink kafka} at random moments while a writer commits a ledger: a
 * read_committed consumer then sees every committed row exactly once, with its context.
 */
@WithPostgres
@Tag("replication")
class KafkaExactlyOnceTest {

  @Test
  void killingTheKafkaIngesterRepeatedlyPublishesEveryChangeExactlyOnce(TestDatabase db) throws Exception {
    LedgerWriter.createTable(db);
    IngesterHarness.setUpSource(db);
    File log = new File("target/kafka-exactly-once-ingester.log");
    log.delete();
    try (KafkaBrokers kafka = KafkaBrokers.start(1)) {
      List<String> run = List.of("run", "--source-url", db.uri(), "--sink", "kafka",
          "--kafka-bootstrap-servers", kafka.bootstrapServers(), "--max-batch-delay-ms", "50");
      LedgerWriter writer = LedgerWriter.start(db, 5);
      Random random = new Random(42);
      for (int crash = 1; crash <= 4; crash++) {
        Process child = ChildCommand.start(log, run);
        ChildCommand.awaitLog(log, "Streaming slot", crash);
        Thread.sleep(300 + random.nextInt(1500)); // while it publishes, commits, confirms
        child.destroyForcibly();
        child.waitFor(10, TimeUnit.SECONDS);
      }
      long rows = writer.stop();
      Process last = ChildCommand.start(log, run);
      List<Event> events = KafkaRecords.readCommitted(kafka.bootstrapServers(), "bemi\\.public\\.ledger", (int) rows,
          Duration.ofSeconds(120));
      last.destroy();
      assertThat(last.waitFor(30, TimeUnit.SECONDS)).isTrue();

      assertThat(rows).isGreaterThan(100);
      List<Long> ids = events.stream().map(e -> e.value().get("after").get("id").asLong()).toList();
      assertThat(ids).doesNotHaveDuplicates();
      assertThat(ids).hasSize((int) rows);
      assertThat(ids.stream().collect(Collectors.toSet())).allMatch(id -> id >= 1 && id <= rows);
      assertThat(events).allMatch(e -> e.value().get("context").get("seq").asLong()
          == e.value().get("after").get("seq").asLong());
    }
  }
}

package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bemi.ingester.Ingester;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code run} as its own process with each log format: JSON lines that parse, or the plain text lines. */
@WithPostgres
@Tag("replication")
class LogFormatTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void jsonFormatWritesEveryLineAsAJsonObject(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE IF NOT EXISTS pings (id int PRIMARY KEY)");
    IngesterHarness.setUpSource(db);
    File log = new File("target/log-format-json.log");
    log.delete();
    Process child = ChildIngester.start(db, log, List.of(), List.of("--log-format=json"));
    try {
      awaitLine(log, "Streaming slot");
    } finally {
      child.destroy(); // SIGTERM: logs "Stopping…" and "Stopped after…"
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(log.toPath())) {
      lines.add(JSON.readTree(line)); // throws on any line that is not JSON
    }
    assertThat(lines).allSatisfy(line -> assertThat(line.isObject()).isTrue());
    JsonNode streaming = lines.stream().filter(l -> l.path("message").asText().startsWith("Streaming slot"))
        .findFirst().orElseThrow();
    assertThat(streaming.path("level").asText()).isEqualTo("INFO");
    assertThat(streaming.path("logger").asText()).isEqualTo(Ingester.class.getName());
    assertThat(streaming.path("thread").asText()).isEqualTo("main");
    assertThat(streaming.path("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
    assertThat(lines).anySatisfy(line -> assertThat(line.path("message").asText()).startsWith("Stopped after"));
  }

  @Test
  void aFatalErrorInJsonFormatIsAJsonLineToo(TestDatabase db) throws Exception {
    TestDatabase withoutSetup = db.createSibling("nosetup");
    File log = new File("target/log-format-json-error.log");
    log.delete();
    Process child = ChildIngester.start(withoutSetup, log, List.of(), List.of("--log-format", "json"));
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(child.exitValue()).isNotZero();
    List<String> lines = Files.readAllLines(log.toPath());
    JsonNode last = JSON.readTree(lines.get(lines.size() - 1));
    assertThat(last.path("level").asText()).isEqualTo("ERROR");
    assertThat(last.path("message").asText()).contains("setup");
  }

  @Test
  void textFormatIsTheDefaultWithATimestampedLinePerEvent(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE IF NOT EXISTS pings (id int PRIMARY KEY)");
    IngesterHarness.setUpSource(db);
    File log = new File("target/log-format-text.log");
    log.delete();
    Process child = ChildIngester.start(db, log);
    try {
      awaitLine(log, "Streaming slot");
    } finally {
      child.destroy();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(Files.readAllLines(log.toPath()))
        .anySatisfy(line -> assertThat(line).matches(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z \\[main] INFO io\\.bemi\\.ingester\\.Ingester - Streaming slot bemi.*"));
  }

  private static void awaitLine(File log, String text) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!(log.exists() && Files.readString(log.toPath()).contains(text))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("No '" + text + "' in " + log + " within 60 s:\n"
            + (log.exists() ? Files.readString(log.toPath()) : "(no log)"));
      }
      Thread.sleep(200);
    }
  }
}

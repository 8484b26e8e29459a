package io.bemi.ingester.bench;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The webhook sink and one large source transaction: N MB of 1 KB rows inserted in one transaction,
 * streamed by the fat jar ({@code java -Xmx256m -jar ingester/target/bemi-ingester.jar run --sink
 * webhook}) to a WireMock receiver that answers 204 and keeps no journal. Delivered when the
 * ingester's checkpoint reaches a transaction committed after it. {@code -Dbench.ingesterJar=…}
 * runs another jar (one from before transactions were posted in parts), {@code -Dbench.heap} another heap.
 */
public final class WebhookPartsBenchmark {

  private WebhookPartsBenchmark() {}

  public static void main(String[] args) throws Exception {
    File jar = BenchPostgres.ingesterJar();
    String heap = System.getProperty("bench.heap", "256m");
    WireMockServer receiver = new WireMockServer(options().dynamicPort().disableRequestJournal());
    receiver.start();
    receiver.stubFor(post("/hook").willReturn(aResponse().withStatus(204)));
    System.out.printf("one transaction of N MB (1 KB rows) to a webhook through java -Xmx%s -jar %s run --sink webhook%n",
        heap, jar.getPath());
    try (BenchPostgres server = BenchPostgres.start("webhook_parts")) {
      int n = 0;
      for (int mb : new int[] {64, 128, 256, 512}) {
        System.out.printf("%6d MB  %s%n", mb, run(server, jar, heap, mb, receiver.baseUrl() + "/hook", n++));
      }
    } finally {
      receiver.stop();
    }
  }

  private static String run(BenchPostgres server, File jar, String heap, int mb, String url, int n) throws Exception {
    String slot = "parts" + n;
    try (BenchPostgres db = BenchPostgres.onServer(server.uri(), "parts_" + n)) {
      db.execute("CREATE TABLE lines (id int PRIMARY KEY, body text)");
      db.setUpSource(slot);
      db.execute("INSERT INTO lines SELECT i, repeat(md5(i::text), 32) FROM generate_series(1, " + mb * 1024 + ") i");
      // a transaction after it: an LSN taken inside it is below its commit LSN
      String after = db.queryString("INSERT INTO lines VALUES (0, 'after') RETURNING pg_current_wal_insert_lsn()::text");
      File log = File.createTempFile("webhook-parts-", ".log");
      List<String> command = new ArrayList<>(List.of(new File(System.getProperty("java.home"), "bin/java").getPath(),
          "-Xmx" + heap, "-jar", jar.getPath(), "run", "--slot", slot, "--publication", slot, "--sink", "webhook",
          "--webhook-url", url, "--webhook-secret", "a-secret-of-sixteen-or-more"));
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log);
      builder.environment().put("BEMI_SOURCE_URL", db.uri());
      long started = System.nanoTime();
      Process child = builder.start();
      try {
        long deadline = started + TimeUnit.SECONDS.toNanos(300);
        while (!delivered(db, after) && child.isAlive() && System.nanoTime() < deadline) {
          Thread.sleep(200);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        if (delivered(db, after)) {
          log.delete();
          return String.format("delivered in %.1f s", seconds);
        }
        return !child.isAlive() ? (Files.readString(log.toPath()).contains("OutOfMemoryError") ? "out of memory, exit "
            : "stopped, exit ") + child.exitValue() + " (" + log + ")" : "not delivered in 300 s (" + log + ")";
      } finally {
        child.destroy();
        child.waitFor(30, TimeUnit.SECONDS);
        db.dropSlot(slot);
      }
    }
  }

  /** Whether the webhook checkpoint is at or past the transaction committed after the large one. */
  private static boolean delivered(BenchPostgres db, String after) throws Exception {
    try {
      return "t".equals(db.queryString("SELECT coalesce(bool_or(commit_lsn >= pg_lsn('" + after + "') - '0/0'::pg_lsn),"
          + " false) FROM bemi.ingester_checkpoints"));
    } catch (java.sql.SQLException e) {
      return false; // the trail's tables do not exist yet
    }
  }
}

package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code run} as its own process: health and metrics over HTTP, a clean exit on SIGTERM, a failing exit code otherwise. */
@WithPostgres
@Tag("replication")
class RunProcessTest {

  @Test
  void runServesHealthAndMetricsAndExitsZeroOnSigterm(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE pings (id int PRIMARY KEY)");
    IngesterHarness.setUpSource(db);
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    File log = new File("target/run-process-ingester.log");
    log.delete();
    Process child = ChildIngester.start(db, log, List.of(), List.of("--http-port", String.valueOf(port)));
    try {
      HttpClient client = HttpClient.newHttpClient();
      URI health = URI.create("http://127.0.0.1:" + port + "/health");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      int status = 0;
      while (status != 200 && System.nanoTime() < deadline) {
        try {
          status = client.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (java.io.IOException notYetListening) {
          status = 0;
        }
        Thread.sleep(200);
      }
      assertThat(status).as("/health while streaming").isEqualTo(200);

      db.execute("INSERT INTO pings VALUES (1), (2)");
      String metrics = "";
      while (!metrics.contains("bemi_ingester_changes_stored_total 2.0") && System.nanoTime() < deadline) {
        metrics = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        Thread.sleep(100);
      }
      assertThat(metrics).contains("bemi_ingester_changes_stored_total 2.0");
    } finally {
      child.destroy(); // SIGTERM
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(child.exitValue()).isZero();
  }

  @Test
  void runThatCannotStreamExitsWithAFailureCodeNotZero(TestDatabase db) throws Exception {
    TestDatabase withoutSetup = db.createSibling("nosetup");
    File log = new File("target/run-process-nosetup.log");
    log.delete();
    Process child = ChildIngester.start(withoutSetup, log);
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(child.exitValue()).as("exit code of a run that found no slot").isNotZero();
    assertThat(java.nio.file.Files.readString(log.toPath())).contains("setup");
  }
}

package io.bemi.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the demo as the launcher does — its own JVM, with the ingester and dashboard jars — and
 * checks what a newcomer would see, then that stopping it leaves no process behind.
 */
class DemoTest {

  private static final String TOKEN = "demo-test-token-0123";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration CHANGES_TIMEOUT = Duration.ofSeconds(90);

  @TempDir
  Path dataDir;

  private final List<String> output = Collections.synchronizedList(new ArrayList<>());
  private final HttpClient http = HttpClient.newHttpClient();
  private int dashboardPort;
  private Thread outputReader;

  @Test
  void recordsChangesWithAndWithoutContextFromSeveralTablesAndStopsItsWholeProcessTree() throws Exception {
    Process demo = startDemo();
    long postmaster = -1;
    try {
      awaitReady(demo);
      List<Long> children = demo.descendants().map(ProcessHandle::pid).toList();
      postmaster = ShopDatabase.postmasterPid(dataDir.resolve("postgres")).orElseThrow();

      ChangesSeen seen = awaitChanges();
      assertThat(seen.tablesWithContext()).as("tables with changes that carry a context")
          .contains("orders", "order_items");
      assertThat(seen.tablesWithoutContext()).as("tables with changes made by direct SQL")
          .contains("products");
      assertThat(seen.contextKeys()).as("context keys").contains("user", "endpoint", "requestId");

      // SIGTERM, as a service manager (or Ctrl-C) would stop it. Not Process.destroy(), which also
      // closes the pipes, so the demo's last words would be lost.
      demo.toHandle().destroy();
      assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("the demo stops within a minute").isTrue();
      outputReader.join(TimeUnit.SECONDS.toMillis(5));
      assertThat(children).as("the ingester and the dashboard were started").hasSizeGreaterThanOrEqualTo(2);
      assertThat(children).as("child processes still alive").noneMatch(DemoTest::isAlive);
      assertThat(demo.exitValue()).as("exit code after SIGTERM").isEqualTo(143);
      assertThat(output).as("the demo's output").anyMatch(line -> line.contains("PostgreSQL stopped"));
      assertThat(isAlive(postmaster))
          .as("PostgreSQL still running").isFalse();
      assertThat(dataDir.resolve("postgres/postmaster.pid")).as("PostgreSQL shut down cleanly").doesNotExist();
    } finally {
      // After a failure, leave nothing running (PostgreSQL is not a descendant: pg_ctl detaches it).
      demo.descendants().forEach(ProcessHandle::destroyForcibly);
      demo.destroyForcibly();
      ProcessHandle.of(postmaster).ifPresent(ProcessHandle::destroy);
      outputReader.join(TimeUnit.SECONDS.toMillis(5));
      Files.write(Path.of("target", "demo-test-output.log"), output);
    }
  }

  private Process startDemo() throws IOException {
    dashboardPort = freePort();
    List<String> command = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        Demo.class.getName(),
        "--data-dir", dataDir.toString(),
        "--port", Integer.toString(dashboardPort),
        "--token", TOKEN,
        "--writes-per-second", "5",
        "--ingester-jar", System.getProperty("bemi.ingester.jar"),
        "--dashboard-jar", System.getProperty("bemi.dashboard.jar"));
    Process demo = new ProcessBuilder(command).redirectErrorStream(true).start();
    outputReader = new Thread(() -> collectOutput(demo), "demo-output");
    outputReader.setDaemon(true);
    outputReader.start();
    return demo;
  }

  private void collectOutput(Process demo) {
    try (BufferedReader lines = new BufferedReader(
        new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        output.add(line);
      }
    } catch (IOException e) {
      // the demo is gone
    }
  }

  /** Waits for the ready banner. */
  private void awaitReady(Process demo) throws InterruptedException {
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      assertThat(demo.isAlive()).as(() -> "the demo is running; its output:\n" + outputText()).isTrue();
      synchronized (output) {
        if (output.stream().anyMatch(line -> line.contains("Bemi demo ready in"))) {
          return;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the demo was not ready within " + START_TIMEOUT + "; its output:\n" + outputText());
  }

  /** The output so far; the reader thread appends to it meanwhile (iterating it unlocked throws). */
  private String outputText() {
    synchronized (output) {
      return String.join("\n", output);
    }
  }

  /** What the dashboard API shows so far, summarised. */
  private record ChangesSeen(Set<String> tablesWithContext, Set<String> tablesWithoutContext, Set<String> contextKeys) {
    boolean enough() {
      return tablesWithContext.containsAll(List.of("orders", "order_items"))
          && tablesWithoutContext.contains("products")
          && contextKeys.containsAll(List.of("user", "endpoint", "requestId"));
    }
  }

  private ChangesSeen awaitChanges() throws Exception {
    Instant deadline = Instant.now().plus(CHANGES_TIMEOUT);
    ChangesSeen seen = readChanges();
    while (!seen.enough() && Instant.now().isBefore(deadline)) {
      Thread.sleep(1000);
      seen = readChanges();
    }
    return seen;
  }

  /** {@code GET /api/changes?table=…} for each shop table, with the Bearer token. */
  private ChangesSeen readChanges() throws Exception {
    Set<String> withContext = new TreeSet<>();
    Set<String> withoutContext = new TreeSet<>();
    Set<String> keys = new TreeSet<>();
    for (String table : List.of("customers", "products", "orders", "order_items")) {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + dashboardPort + "/api/changes?limit=200&table=" + table))
          .header("Authorization", "Bearer " + TOKEN)
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as("GET /api/changes?table=%s: %s", table, response.body()).isEqualTo(200);
      for (JsonNode change : JSON.readTree(response.body()).path("changes")) {
        JsonNode context = change.path("context");
        (context.isEmpty() ? withoutContext : withContext).add(change.path("table").asText());
        context.fieldNames().forEachRemaining(keys::add);
      }
    }
    return new ChangesSeen(withContext, withoutContext, keys);
  }

  /**
   * Whether a process still runs, waiting a few seconds for one that is on its way out. PostgreSQL
   * is not our child (pg_ctl detaches it), so after it exits it may stay a zombie until its
   * adoptive parent reaps it; a zombie has stopped, so it counts as gone.
   */
  private static boolean isAlive(long pid) {
    Instant deadline = Instant.now().plusSeconds(10);
    while (isRunning(pid) && Instant.now().isBefore(deadline)) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return isRunning(pid);
  }

  private static boolean isRunning(long pid) {
    if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      return false;
    }
    try {
      // /proc/PID/stat: "PID (name) STATE ..."; Z is a zombie
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (IOException e) {
      return false; // gone between the two checks
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

package io.bemi.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the demo as the launcher does — its own JVM, with the ingester and dashboard jars — and
 * checks what a newcomer would see, then that stopping it leaves no process behind.
 */
class DemoTest {

  private static final Pattern PSQL_URL = Pattern.compile("psql 'postgresql://postgres@localhost:(\\d+)/shop'");
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration CHANGES_TIMEOUT = Duration.ofSeconds(90);

  @TempDir
  Path dataDir;

  private final List<String> output = Collections.synchronizedList(new ArrayList<>());

  @Test
  void recordsChangesWithAndWithoutContextFromSeveralTablesAndStopsItsWholeProcessTree() throws Exception {
    Process demo = startDemo();
    try {
      int pgPort = awaitPostgresPort(demo);
      List<Long> children = demo.descendants().map(ProcessHandle::pid).toList();
      long postmaster = ShopDatabase.postmasterPid(dataDir.resolve("postgres")).orElseThrow();

      ChangesSeen seen = awaitChanges(pgPort);
      assertThat(seen.tablesWithContext()).as("tables with changes that carry a context")
          .contains("orders", "order_items");
      assertThat(seen.tablesWithoutContext()).as("tables with changes made by direct SQL")
          .contains("products");
      assertThat(seen.contextKeys()).as("context keys").contains("user", "endpoint", "requestId");

      demo.destroy(); // SIGTERM, as a service manager (or Ctrl-C) would stop it
      assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("the demo stops within a minute").isTrue();
      assertThat(children).as("the ingester and the dashboard were started").hasSizeGreaterThanOrEqualTo(2);
      assertThat(children).as("child processes still alive")
          .noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
      assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false))
          .as("PostgreSQL still running").isFalse();
      assertThat(dataDir.resolve("postgres/postmaster.pid")).as("PostgreSQL shut down cleanly").doesNotExist();
      assertThat(output).anyMatch(line -> line.contains("PostgreSQL stopped"));
    } finally {
      demo.descendants().forEach(ProcessHandle::destroyForcibly);
      demo.destroyForcibly();
      Files.write(Path.of("target", "demo-test-output.log"), output);
    }
  }

  private Process startDemo() throws IOException {
    List<String> command = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        Demo.class.getName(),
        "--data-dir", dataDir.toString(),
        "--port", Integer.toString(freePort()),
        "--token", "demo-test-token-0123",
        "--writes-per-second", "5",
        "--ingester-jar", System.getProperty("bemi.ingester.jar"),
        "--dashboard-jar", System.getProperty("bemi.dashboard.jar"));
    Process demo = new ProcessBuilder(command).redirectErrorStream(true).start();
    Thread reader = new Thread(() -> collectOutput(demo), "demo-output");
    reader.setDaemon(true);
    reader.start();
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

  /** Waits for the ready banner, which names PostgreSQL's port. */
  private int awaitPostgresPort(Process demo) throws InterruptedException {
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      assertThat(demo.isAlive()).as("the demo is running; its output:%n%s", String.join("\n", output)).isTrue();
      Optional<Integer> port = findPort();
      if (port.isPresent()) {
        return port.get();
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the demo was not ready within " + START_TIMEOUT + "; its output:\n" + String.join("\n", output));
  }

  private Optional<Integer> findPort() {
    synchronized (output) {
      for (String line : output) {
        Matcher matcher = PSQL_URL.matcher(line);
        if (matcher.find()) {
          return Optional.of(Integer.parseInt(matcher.group(1)));
        }
      }
    }
    return Optional.empty();
  }

  /** What bemi.changes holds so far, summarised. */
  private record ChangesSeen(Set<String> tablesWithContext, Set<String> tablesWithoutContext, Set<String> contextKeys) {
    boolean enough() {
      return tablesWithContext.containsAll(List.of("orders", "order_items"))
          && tablesWithoutContext.contains("products")
          && contextKeys.containsAll(List.of("user", "endpoint", "requestId"));
    }
  }

  private ChangesSeen awaitChanges(int pgPort) throws Exception {
    Instant deadline = Instant.now().plus(CHANGES_TIMEOUT);
    ChangesSeen seen = readChanges(pgPort);
    while (!seen.enough() && Instant.now().isBefore(deadline)) {
      Thread.sleep(1000);
      seen = readChanges(pgPort);
    }
    return seen;
  }

  private static ChangesSeen readChanges(int pgPort) throws SQLException {
    Set<String> withContext = new TreeSet<>();
    Set<String> withoutContext = new TreeSet<>();
    Set<String> keys = new TreeSet<>();
    String url = "jdbc:postgresql://localhost:" + pgPort + "/shop?user=postgres";
    try (Connection connection = DriverManager.getConnection(url); Statement statement = connection.createStatement()) {
      if (!tableExists(statement)) {
        return new ChangesSeen(withContext, withoutContext, keys);
      }
      try (ResultSet rows = statement.executeQuery(
          "SELECT \"table\", context = '{}'::jsonb FROM bemi.changes GROUP BY 1, 2")) {
        while (rows.next()) {
          (rows.getBoolean(2) ? withoutContext : withContext).add(rows.getString(1));
        }
      }
      try (ResultSet rows = statement.executeQuery(
          "SELECT DISTINCT jsonb_object_keys(context) FROM bemi.changes")) {
        while (rows.next()) {
          keys.add(rows.getString(1));
        }
      }
    }
    return new ChangesSeen(withContext, withoutContext, keys);
  }

  private static boolean tableExists(Statement statement) throws SQLException {
    try (ResultSet rows = statement.executeQuery("SELECT to_regclass('bemi.changes') IS NOT NULL")) {
      rows.next();
      return rows.getBoolean(1);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

package io.bemi.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Everything the demo runs, started in dependency order and stopped in the reverse one:
 * PostgreSQL, then the ingester, the dashboard and the shop; the shop stops first and
 * PostgreSQL last, so nothing reports a lost connection on the way out.
 */
final class DemoStack {

  private static final Pattern URL = Pattern.compile("https?://\\S+");
  private static final long INGESTER_START_TIMEOUT_SECONDS = 60;
  private static final long DASHBOARD_START_TIMEOUT_SECONDS = 60;

  private final DemoSettings settings;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CompletableFuture<String> signInUrl = new CompletableFuture<>();
  private final long startedAt = System.nanoTime();

  private Path dataDir;
  private boolean temporaryDataDir;
  private ShopDatabase database;
  /** Started children, stopped last-started first. */
  private final Deque<ChildProcess> children = new ArrayDeque<>();
  private ShopApplication shop;
  private volatile String failure;
  private boolean closed;

  DemoStack(DemoSettings settings) {
    this.settings = settings;
  }

  /** Starts everything, runs until Ctrl-C, {@code --duration} or a failure, stops; the exit code. */
  int run() throws Exception {
    try {
      start();
    } catch (CancellationException e) {
      return 130; // Ctrl-C while starting; close() runs in the shutdown hook
    } catch (Exception e) {
      System.err.println();
      System.err.println("The demo could not start: " + e.getMessage());
      close();
      return 1;
    }
    if (settings.durationSeconds() > 0) {
      stopRequested.await(settings.durationSeconds(), TimeUnit.SECONDS);
    } else {
      stopRequested.await();
    }
    close();
    if (failure != null) {
      System.err.println("The demo stopped because " + failure);
      return 1;
    }
    return 0;
  }

  private void start() throws Exception {
    requireFreePort(settings.bind(), settings.port());
    dataDir = prepareDataDir();

    step("Starting PostgreSQL 17 (embedded, wal_level=logical)");
    synchronized (this) {
      abortIfClosed();
      database = ShopDatabase.start(dataDir.toAbsolutePath(), settings.pgPort());
    }
    done(database.toString());

    step("Creating the shop schema (customers, products, orders, order_items)");
    try (Connection connection = database.connect()) {
      ShopSchema.create(connection);
    }
    done("database " + ShopDatabase.DATABASE);

    step("Running the ingester's setup (replica identity, publication, slot)");
    ChildProcess setup = launch("setup", settings.ingesterJar(),
        BemiCommandLines.ingesterSetup(database.jdbcUrl()), line -> {});
    int setupExit = setup.process().waitFor();
    forget(setup);
    if (setupExit != 0) {
      throw new IllegalStateException("the ingester's setup failed with exit code " + setupExit + " (see above)");
    }
    done("");

    step("Starting the ingester");
    int metricsPort = freeLoopbackPort();
    ChildProcess ingester = launch("ingester", settings.ingesterJar(),
        BemiCommandLines.ingesterRun(database.jdbcUrl(), metricsPort), line -> {});
    superviseExit(ingester);
    awaitChangesTable();
    done("pid " + ingester.pid() + ", bemi.changes ready");

    step("Starting the dashboard");
    ChildProcess dashboard = launch("dashboard", settings.dashboardJar(),
        BemiCommandLines.dashboard(database.jdbcUrl(), settings.bind(), settings.port(), settings.token(),
            BemiCommandLines.ingesterMetricsUrl(metricsPort)),
        this::watchForSignInUrl);
    superviseExit(dashboard);
    String url = awaitSignInUrl();
    done("pid " + dashboard.pid());

    step("Starting the sample shop");
    synchronized (this) {
      abortIfClosed();
      shop = ShopApplication.start(database, settings.writesPerSecond());
    }
    done(settings.writesPerSecond() + " writes/s");

    printBanner(url);
  }

  /** Starts a child unless the demo is stopping, so that {@link #close} stops every child. */
  private synchronized ChildProcess launch(String name, Path jar, List<String> args, Consumer<String> lines) {
    abortIfClosed();
    ChildProcess child = ChildProcess.startJar(name, jar, args, lines);
    children.push(child);
    return child;
  }

  /** A child that finished its work and needs no stopping. */
  private synchronized void forget(ChildProcess child) {
    abortIfClosed();
    children.remove(child);
  }

  private synchronized void abortIfClosed() {
    if (closed) {
      throw new CancellationException("the demo is stopping");
    }
  }

  /** A port on 127.0.0.1 nothing listens on now, for the ingester's /metrics. */
  private static int freeLoopbackPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1 for the ingester's metrics", e);
    }
  }

  /** Port 7070 taken is the likeliest first-run failure; say so before starting anything. */
  private static void requireFreePort(String bind, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(bind, port));
    } catch (IOException e) {
      throw new IllegalStateException("the dashboard's port " + bind + ":" + port + " is not free ("
          + e.getMessage() + "); choose another with --port");
    }
  }

  // ---- data directory ---------------------------------------------------------------

  private Path prepareDataDir() throws IOException {
    if (settings.dataDir() != null) {
      Files.createDirectories(settings.dataDir());
      return settings.dataDir();
    }
    temporaryDataDir = true;
    return Files.createTempDirectory("bemi-demo-");
  }

  // ---- the steps ------------------------------------------------------------------------------

  /** {@code run} applies the destination migrations first; the dashboard reads what they create. */
  private void awaitChangesTable() throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(INGESTER_START_TIMEOUT_SECONDS);
    while (!database.hasChangesTable()) {
      if (stopRequested.getCount() == 0) {
        throw new IllegalStateException(failure != null ? failure : "the demo is stopping");
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the ingester did not create bemi.changes within "
            + INGESTER_START_TIMEOUT_SECONDS + " s (its output is above)");
      }
      Thread.sleep(200);
    }
  }

  /** The dashboard prints its sign-in URL when it is ready; pick it out of its output. */
  private void watchForSignInUrl(String line) {
    Matcher url = URL.matcher(line);
    if (url.find() && !signInUrl.isDone()) {
      signInUrl.complete(url.group());
    }
  }

  private String awaitSignInUrl() throws InterruptedException {
    try {
      return signInUrl.get(DASHBOARD_START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("the dashboard printed no sign-in URL within "
          + DASHBOARD_START_TIMEOUT_SECONDS + " s (its output is above)");
    }
  }

  /** A child that dies while the demo runs stops the demo: a half-working demo would mislead. */
  private void superviseExit(ChildProcess child) {
    child.process().onExit().thenAccept(process -> {
      if (stoppedCleanly(process.exitValue())) {
        // Ctrl-C reaches the whole process group, children included: they stop on their own.
        stopRequested.countDown();
      } else if (stopRequested.getCount() > 0) {
        failure = "the " + child.name() + " exited with code " + process.exitValue() + " (its output is above)";
        signInUrl.completeExceptionally(new IllegalStateException(failure));
        stopRequested.countDown();
      }
    });
  }

  // ---- stopping -------------------------------------------------------------------------------

  /** Stops everything that was started, in reverse order. Safe to call more than once, from any thread. */
  synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopRequested.countDown();
    if (database == null && children.isEmpty()) { // nothing was started
      if (temporaryDataDir && dataDir != null) {
        deleteRecursively(dataDir);
      }
      return;
    }
    System.out.println();
    System.out.println("Stopping the demo...");
    try {
      if (shop != null) {
        shop.close();
        System.out.println("  shop stopped after " + shop.writes() + " writes");
      }
      while (!children.isEmpty()) {
        ChildProcess child = children.pop();
        int exitCode = child.stop(15);
        System.out.println("  " + child.name() + " stopped"
            + (stoppedCleanly(exitCode) ? "" : " (exit code " + exitCode + ")"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (database != null) {
      database.close();
      System.out.println("  PostgreSQL stopped");
    }
    if (temporaryDataDir) {
      deleteRecursively(dataDir);
      System.out.println("  removed " + dataDir);
    } else if (dataDir != null) {
      System.out.println("  data kept in " + dataDir.toAbsolutePath() + " (next start: ./bemi demo --data-dir "
          + dataDir + ")");
    }
  }

  /** 0, or a JVM's exit code after SIGINT (130) or SIGTERM (143), having run its shutdown hooks. */
  private static boolean stoppedCleanly(int exitCode) {
    return exitCode == 0 || exitCode == 130 || exitCode == 143;
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("Could not remove " + dir, e);
    }
  }

  // ---- output ---------------------------------------------------------------------------------

  private void step(String what) {
    System.out.println("==> " + what);
  }

  private void done(String detail) {
    double seconds = (System.nanoTime() - startedAt) / 1e9;
    System.out.printf("    ok %s(%.1f s since start)%n", detail.isEmpty() ? "" : detail + " ", seconds);
  }

  private void printBanner(String url) {
    double seconds = (System.nanoTime() - startedAt) / 1e9;
    String line = "=".repeat(Math.max(60, url.length() + 4));
    System.out.println();
    System.out.println(line);
    System.out.printf("  Bemi demo ready in %.1f s. Open the dashboard:%n", seconds);
    System.out.println();
    System.out.println("  " + url);
    if (settings.token() != null) {
      System.out.println("  (sign in with the --token you gave; API: Authorization: Bearer <token>)");
    }
    System.out.println();
    System.out.println("  PostgreSQL: psql " + "'postgresql://" + ShopDatabase.USER + "@localhost:"
        + database.port() + "/" + ShopDatabase.DATABASE + "'");
    System.out.println(settings.durationSeconds() > 0
        ? "  Stops by itself after " + settings.durationSeconds() + " s (or press Ctrl-C)."
        : "  Press Ctrl-C to stop.");
    System.out.println(line);
    System.out.println();
  }
}

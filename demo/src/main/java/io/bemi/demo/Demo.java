package io.bemi.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./bemi demo}: the whole product on an embedded PostgreSQL, with a sample shop writing to
 * it, until Ctrl-C (or {@code --duration}).
 */
@Command(
    name = "bemi demo",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    version = "bemi demo 0.1.0",
    description = "Runs Bemi end to end on an embedded PostgreSQL 17: the ingester, the dashboard and a sample "
        + "shop that writes through jdbc:bemi: (with context) and by direct SQL (without). Ctrl-C stops everything.")
public final class Demo implements Callable<Integer> {

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Keep the database here between runs. "
          + "Default: a temporary folder, removed at exit.")
  Path dataDir;

  @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "0",
      description = "Stop by itself after this many seconds (0: run until Ctrl-C). Default: ${DEFAULT-VALUE}.")
  long durationSeconds;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "7070",
      description = "Dashboard port. Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
      description = "Dashboard bind address. Default: ${DEFAULT-VALUE}.")
  String bind;

  @Option(names = "--token", paramLabel = "TOKEN",
      description = "Dashboard token (16+ characters). Default: the dashboard makes one and prints a sign-in URL.")
  String token;

  @Option(names = "--pg-port", paramLabel = "PORT", defaultValue = "0",
      description = "PostgreSQL port. Default: a free port.")
  int pgPort;

  @Option(names = "--writes-per-second", paramLabel = "N", defaultValue = "2",
      description = "How busy the sample shop is. Default: ${DEFAULT-VALUE}.")
  double writesPerSecond;

  @Option(names = "--ingester-jar", paramLabel = "JAR", defaultValue = "ingester/target/bemi-ingester.jar",
      description = "Default: ${DEFAULT-VALUE}.")
  Path ingesterJar;

  @Option(names = "--dashboard-jar", paramLabel = "JAR", defaultValue = "dashboard/target/bemi-dashboard.jar",
      description = "Default: ${DEFAULT-VALUE}.")
  Path dashboardJar;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Demo()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    for (Path jar : new Path[] {ingesterJar, dashboardJar}) {
      if (!Files.isRegularFile(jar)) {
        System.err.println("Missing " + jar + ": build it with ./mvnw -DskipTests package (./bemi demo does).");
        return 2;
      }
    }
    DemoSettings settings = new DemoSettings(dataDir, durationSeconds, bind, port, token, pgPort,
        writesPerSecond, ingesterJar.toAbsolutePath(), dashboardJar.toAbsolutePath());
    DemoStack stack = new DemoStack(settings);
    Thread shutdownHook = new Thread(stack::close, "demo-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    return stack.run();
  }
}

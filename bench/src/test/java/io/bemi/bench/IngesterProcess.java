package io.bemi.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The ingester's fat jar run as users run it ({@code java -jar bemi-ingester.jar run}), as a child
 * process that scenarios kill with SIGKILL, stop with SIGTERM, or let run through faults.
 */
final class IngesterProcess implements AutoCloseable {

  static final File JAR = locateJar();

  private final String sourceUri;
  private final String destinationUri;
  private final String slot;
  private final File log;
  private final File gcLog;
  private static final String HEAP = "-Xmx384m";

  private final List<String> jvmOptions = new ArrayList<>(List.of(HEAP));
  private Process process;
  private int starts;

  IngesterProcess(String sourceUri, String destinationUri, String slot) {
    this(sourceUri, destinationUri, slot, "ingester-" + slot);
  }

  /** A second process of the same slot (a standby) needs its own {@code logName}. */
  IngesterProcess(String sourceUri, String destinationUri, String slot, String logName) {
    this.sourceUri = sourceUri;
    this.destinationUri = destinationUri;
    this.slot = slot;
    this.log = output(logName + ".log");
    this.gcLog = output(logName + "-gc.log");
    log.getParentFile().mkdirs();
    log.delete();
  }

  /** A file in this module's target directory (runs start from the repository root or from bench/). */
  static File output(String name) {
    File dir = new File("bench").isDirectory() ? new File("bench/target") : new File("target");
    dir.mkdirs();
    return new File(dir, name);
  }

  private static File locateJar() {
    for (String candidate : List.of(System.getProperty("bench.ingesterJar", "ingester/target/bemi-ingester.jar"),
        "../ingester/target/bemi-ingester.jar")) {
      File jar = new File(candidate);
      if (jar.isFile()) {
        // A private copy: a rebuild of the ingester during a run must not swap classes under a running JVM.
        try {
          File copy = output("bemi-ingester-under-test.jar").getAbsoluteFile();
          copy.getParentFile().mkdirs();
          Files.copy(jar.toPath(), copy.toPath(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          return copy;
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    }
    throw new IllegalStateException("bemi-ingester.jar not found: build it with ./mvnw -o -pl ingester package "
        + "-DskipTests, or pass -Dbench.ingesterJar=<path>");
  }

  File log() {
    return log;
  }

  /** The JVM's GC log of the latest start ({@code -Xlog:gc}: one line per collection, heap before and after). */
  File gcLog() {
    return gcLog;
  }

  /** JVM options for the next starts of {@code run}, after the default {@code -Xmx384m} (so a later -Xmx wins). */
  IngesterProcess withJvmOptions(String... options) {
    jvmOptions.addAll(List.of(options));
    return this;
  }

  long pid() {
    return process.pid();
  }

  /** Runs {@code setup} (publication over every table of the source database, the slot), with {@code options}. */
  void setup(String... options) throws Exception {
    List<String> args = new java.util.ArrayList<>(List.of("setup", "--slot", slot));
    args.addAll(List.of(options));
    Process p = builder(List.of(HEAP), args.toArray(String[]::new)).start();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("setup failed; see " + log);
    }
  }

  void teardown() throws Exception {
    Process p = builder(List.of(HEAP), "teardown", "--yes", "--slot", slot).start();
    p.waitFor(60, TimeUnit.SECONDS);
  }

  /** Starts {@code run} and waits until its log says it streams. */
  void start(String... extraOptions) throws Exception {
    launch(extraOptions);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (streamingSessions() < starts) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("the ingester did not start streaming; see " + log);
      }
      Thread.sleep(50);
    }
  }

  /** Starts {@code run} without waiting (a standby does not stream). */
  void launch(String... extraOptions) throws IOException {
    List<String> arguments = new ArrayList<>(List.of("run", "--slot", slot));
    arguments.addAll(List.of(extraOptions));
    List<String> options = new ArrayList<>(jvmOptions);
    options.add("-Xlog:gc:file=" + gcLog.getAbsolutePath());
    process = builder(options, arguments.toArray(String[]::new)).start();
    starts++;
  }

  /** Sends a signal by name (STOP, CONT) to the running process. */
  void signal(String name) throws Exception {
    new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start().waitFor();
  }

  /** Waits until the log shows {@code sessions} streaming sessions in all (reconnects included). */
  void awaitStreamingSessions(long sessions, long timeoutSeconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (streamingSessions() < sessions) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the ingester did not stream again within " + timeoutSeconds + " s; see " + log);
      }
      Thread.sleep(50);
    }
  }

  private long streamingSessions() throws IOException {
    return Files.readAllLines(log.toPath()).stream().filter(l -> l.contains("Streaming slot")).count();
  }

  /** The exit code if the process has ended, else null. */
  Integer exitCode() {
    return process != null && !process.isAlive() ? process.exitValue() : null;
  }

  boolean isAlive() {
    return process != null && process.isAlive();
  }

  void kill() throws InterruptedException {
    process.destroyForcibly(); // SIGKILL on Unix
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM; returns the exit code. */
  int terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return -1;
    }
    return process.exitValue();
  }

  /** Waits until a log line contains {@code fragment}; false if none did within the timeout. */
  boolean awaitLogLine(String fragment, long timeoutSeconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (logLines(fragment) == 0) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(100);
    }
    return true;
  }

  long logLines(String fragment) throws IOException {
    return Files.readAllLines(log.toPath()).stream().filter(l -> l.contains(fragment)).count();
  }

  private ProcessBuilder builder(List<String> options, String... arguments) {
    List<String> command = new ArrayList<>(List.of(new File(System.getProperty("java.home"), "bin/java").getPath()));
    command.addAll(options);
    command.addAll(List.of("-jar", JAR.getPath()));
    command.addAll(List.of(arguments));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log));
    Map<String, String> env = builder.environment();
    env.put("BEMI_SOURCE_URL", sourceUri);
    env.put("BEMI_DESTINATION_URL", destinationUri);
    return builder;
  }

  @Override
  public void close() throws Exception {
    if (isAlive()) {
      kill();
    }
  }
}

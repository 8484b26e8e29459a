package io.bemi.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A {@code java -jar} child process whose output is printed line by line behind a name tag.
 *
 * <p>Children run in their own JVM so that the ingester's and the dashboard's class paths never
 * meet the demo's, and so that stopping one is a signal, as it is in production.
 */
final class ChildProcess {

  /**
   * JVM options that suit a small demo: quick start, small heap, one GC thread; and libraries'
   * logs (Flyway, Jetty, HikariCP) only when something is wrong, Bemi's own at info level.
   */
  private static final List<String> DEMO_JVM_OPTIONS = List.of(
      "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
      "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
      "-Dorg.slf4j.simpleLogger.log.io.bemi=info");

  private final String name;
  private final Process process;
  private final Thread outputPump;

  private ChildProcess(String name, Process process, Thread outputPump) {
    this.name = name;
    this.process = process;
    this.outputPump = outputPump;
  }

  /**
   * Starts {@code java -jar jar args…}. Every output line goes to {@code lineListener} (after it is
   * printed with the name tag). Environment variables starting with {@code BEMI_} are removed, so
   * settings meant for a real deployment never leak into the demo.
   */
  static ChildProcess startJar(String name, Path jar, List<String> args, Consumer<String> lineListener) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(DEMO_JVM_OPTIONS);
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(key -> key.startsWith("BEMI_"));
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start the " + name + " (" + jar + "): " + e.getMessage(), e);
    }
    Thread pump = new Thread(() -> pumpOutput(name, process, lineListener), name + "-output");
    pump.setDaemon(true);
    pump.start();
    return new ChildProcess(name, process, pump);
  }

  private static void pumpOutput(String name, Process process, Consumer<String> lineListener) {
    String tag = String.format("%-10s| ", name);
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        System.out.println(tag + line);
        lineListener.accept(line);
      }
    } catch (IOException e) {
      // The stream closes when the child dies; nothing more to print.
    }
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  Process process() {
    return process;
  }

  /**
   * Asks the child to stop (SIGTERM, which runs its shutdown hooks), waits up to {@code graceSeconds},
   * then kills it and anything it started. Returns the exit code.
   */
  int stop(long graceSeconds) throws InterruptedException {
    if (process.isAlive()) {
      // SIGTERM through the handle: Process.destroy() would also close the pipe, losing the
      // child's last lines (e.g. the ingester saying what it stored before stopping).
      process.toHandle().destroy();
      if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
        System.out.println(name + " did not stop within " + graceSeconds + " s; killing it");
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor();
      }
    }
    awaitOutput();
    return process.exitValue();
  }

  private void awaitOutput() throws InterruptedException {
    outputPump.join(TimeUnit.SECONDS.toMillis(2));
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ")";
  }
}

package io.bemi.bench;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Another command of the ingester's jar (e.g. {@code consume}) as a process of its own, output in a log. */
final class ChildProcess implements AutoCloseable {

  private final List<String> arguments;
  private final File log;
  private Process process;

  ChildProcess(String name, String... arguments) {
    this.arguments = List.of(arguments);
    this.log = IngesterProcess.output(name + ".log");
    log.delete();
  }

  void start() throws Exception {
    List<String> command = new ArrayList<>(List.of(new File(System.getProperty("java.home"), "bin/java").getPath(),
        "-Xmx256m", "-jar", IngesterProcess.JAR.getPath()));
    command.addAll(arguments);
    process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
  }

  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  int terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return -1;
    }
    return process.exitValue();
  }

  long logLines(String fragment) throws Exception {
    return log.exists() ? Files.readAllLines(log.toPath()).stream().filter(l -> l.contains(fragment)).count() : 0;
  }

  @Override
  public void close() throws Exception {
    if (process != null && process.isAlive()) {
      kill();
    }
  }

  @Override
  public String toString() {
    return String.join(" ", arguments.subList(0, 1)) + " (log " + log + ")";
  }
}

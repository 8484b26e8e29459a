package io.bemi.ingester.e2e;

import io.bemi.ingester.Main;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Any ingester command as a separate JVM with this test's class path, for kill -9 tests. */
final class ChildCommand {

  private ChildCommand() {}

  /** Starts {@code Main args…}, output appended to {@code log}. */
  static Process start(File log, List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(new File(System.getProperty("java.home"), "bin/java").getPath());
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(args);
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
  }

  /** Waits until {@code log} holds {@code text} at least {@code times} times. */
  static void awaitLog(File log, String text, int times) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      long seen = log.exists() ? Files.readAllLines(log.toPath()).stream().filter(l -> l.contains(text)).count() : 0;
      if (seen >= times) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("'" + text + "' did not appear " + times + " times in " + log);
  }
}

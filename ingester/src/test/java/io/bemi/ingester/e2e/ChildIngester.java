package io.bemi.ingester.e2e;

import io.bemi.ingester.Main;
import io.bemi.test.TestDatabase;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The ingester's {@code run} command as a separate JVM (the same classes as the fat jar), for kill -9 and -Xmx tests. */
final class ChildIngester {

  private ChildIngester() {}

  static Process start(TestDatabase source, File log, String... jvmOptions) throws IOException {
    return start(source, log, List.of(jvmOptions), List.of());
  }

  static Process start(TestDatabase source, File log, List<String> jvmOptions, List<String> runOptions)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(new File(System.getProperty("java.home"), "bin/java").getPath());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.add("run");
    command.addAll(runOptions);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log));
    builder.environment().put("BEMI_SOURCE_URL", source.uri());
    return builder.start();
  }
}

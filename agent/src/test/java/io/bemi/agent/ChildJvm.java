package io.bemi.agent;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A separate JVM running one of the test applications, optionally with {@code -javaagent}. Its class
 * path is this test JVM's minus everything of Bemi (the agent's classes, bemi-driver, Byte Buddy),
 * so the application sees exactly what the agent exposes. Output goes to a file the tests read.
 */
final class ChildJvm implements AutoCloseable {

  static final Path AGENT_JAR = Path.of(System.getProperty("bemi.agent.jar", "target/bemi-agent.jar")).toAbsolutePath();
  static final Path TEMURIN_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

  private final Process process;
  private final Path output;

  private ChildJvm(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /** What to launch. {@code agentOptions} null means without the agent, "" means with it and no options. */
  record Launch(Path javaHome, String agentOptions, List<String> extraClassPath, Map<String, String> environment) {

    static Launch withoutAgent() {
      return new Launch(Path.of(System.getProperty("java.home")), null, List.of(), Map.of());
    }

    static Launch withAgent(String options) {
      return new Launch(Path.of(System.getProperty("java.home")), options, List.of(), Map.of());
    }

    Launch on(Path javaHome) {
      return new Launch(javaHome, agentOptions, extraClassPath, environment);
    }

    Launch withClassPath(String entry) {
      List<String> entries = new ArrayList<>(extraClassPath);
      entries.add(entry);
      return new Launch(javaHome, agentOptions, entries, environment);
    }

    Launch withEnvironment(Map<String, String> variables) {
      return new Launch(javaHome, agentOptions, extraClassPath, variables);
    }
  }

  static ChildJvm start(Launch launch, String mainClass, String... arguments) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(launch.javaHome().resolve("bin/java").toString());
    command.add("-XX:TieredStopAtLevel=1");
    if (launch.agentOptions() != null) {
      command.add("-javaagent:" + AGENT_JAR + (launch.agentOptions().isEmpty() ? "" : "=" + launch.agentOptions()));
    }
    List<String> classPath = new ArrayList<>(launch.extraClassPath());
    classPath.addAll(applicationClassPath());
    command.add("-cp");
    command.add(String.join(File.pathSeparator, classPath));
    command.add(mainClass);
    command.addAll(Arrays.asList(arguments));
    Path output = Files.createTempFile("bemi-agent-child-", ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("BEMI_AGENT_"));
    builder.environment().putAll(launch.environment());
    return new ChildJvm(builder.start(), output);
  }

  /** This JVM's test class path without Bemi's own artifacts: what an application not written for Bemi has. */
  static List<String> applicationClassPath() {
    String all = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return Arrays.stream(all.split(File.pathSeparator))
        .filter(entry -> !entry.isBlank())
        .filter(entry -> !entry.replace('\\', '/').endsWith("agent/target/classes"))
        .filter(entry -> !entry.contains("bemi-driver") && !entry.contains("byte-buddy") && !entry.contains("bemi-test-support"))
        .filter(entry -> !entry.contains("surefire"))
        .collect(Collectors.toList());
  }

  /** The path of the bemi-driver jar on this JVM's class path (for applications that ship it themselves). */
  static String bemiDriverJar() {
    String all = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return Arrays.stream(all.split(File.pathSeparator)).filter(entry -> entry.contains("bemi-driver")).findFirst().orElseThrow();
  }

  /** Waits for a line starting with {@code prefix} and returns the rest of it. */
  String awaitLine(String prefix, Duration timeout) throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      for (String line : Files.readAllLines(output, StandardCharsets.UTF_8)) {
        if (line.startsWith(prefix)) {
          return line.substring(prefix.length());
        }
      }
      if (!process.isAlive()) {
        break;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("No line starting with '" + prefix + "' from the child JVM; its output:\n" + output());
  }

  /** Waits for the process to end and returns its exit code. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("The child JVM did not finish in " + timeout + "; its output:\n" + output());
    }
    return process.exitValue();
  }

  String output() {
    try {
      return Files.readString(output, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
    Files.deleteIfExists(output);
  }
}

package io.bemi.agent.bench;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.modifier.Visibility;
import net.bytebuddy.implementation.FixedValue;

/**
 * What attaching the agent adds to a JVM start on a Spring-sized class path: generates
 * {@code classes} small classes (a fraction of them servlets, as in a web application) into a jar,
 * then starts {@link StartupLoader} on that jar plus this module's test class path (Javalin, Jetty,
 * Kotlin, HikariCP, pgjdbc) with and without {@code -javaagent}, interleaved, and prints the median
 * wall time of each and the difference.
 *
 * <pre>
 * ./mvnw -q -o -pl agent package -DskipTests
 * ./mvnw -q -o -pl agent test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.bemi.agent.bench.StartupBench [-Dexec.args="CLASSES ROUNDS [AGENT_OPTIONS]"]
 * </pre>
 */
public final class StartupBench {

  private static final int SERVLET_EVERY = 100;

  public static void main(String[] args) throws Exception {
    int classes = args.length > 0 ? Integer.parseInt(args[0]) : 8000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    String agent = "-javaagent:" + agentJar() + (args.length > 2 ? "=" + args[2] : "");
    Path work = Files.createTempDirectory("bemi-startup-bench");
    Path generated = generate(work.resolve("generated.jar"), classes);
    String classPath = generated + File.pathSeparator + String.join(File.pathSeparator, testClassPath());
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    List<Long> without = new ArrayList<>();
    List<Long> with = new ArrayList<>();
    List<Long> cpuWithout = new ArrayList<>();
    List<Long> cpuWith = new ArrayList<>();
    run(java, null, classPath, classes); // warm the file system cache and the agent's extraction directory
    run(java, agent, classPath, classes);
    for (int round = 0; round < rounds; round++) {
      long[] plain = run(java, null, classPath, classes);
      without.add(plain[0]);
      cpuWithout.add(plain[1]);
      long[] attached = run(java, agent, classPath, classes);
      with.add(attached[0]);
      cpuWith.add(attached[1]);
    }
    long medianWithout = median(without);
    long medianWith = median(with);
    System.out.printf("JVM start loading %d generated classes + Javalin/Jetty/Kotlin/HikariCP/pgjdbc, %d interleaved rounds (Java %s, %s)%n",
        classes, rounds, System.getProperty("java.version"), agent);
    System.out.printf("  without agent: median %d ms  %s%n", medianWithout, without);
    System.out.printf("  with agent:    median %d ms  %s%n", medianWith, with);
    System.out.printf("  added by the agent: %d ms wall (ratio %.2f); target < 300 ms%n", medianWith - medianWithout,
        (double) medianWith / medianWithout);
    System.out.printf("  process CPU time: without %d ms, with %d ms, added %d ms%n",
        median(cpuWithout), median(cpuWith), median(cpuWith) - median(cpuWithout));
    System.out.printf("  load average during the run: %.1f on %d cores%n",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), Runtime.getRuntime().availableProcessors());
    try (var files = Files.walk(work)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  /** Wall time of one child JVM from launch to exit and the CPU time it reports, in milliseconds. */
  private static long[] run(String java, String agent, String classPath, int classes) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(java));
    if (agent != null) {
      command.add(agent);
    }
    command.addAll(List.of("-cp", classPath, StartupLoader.class.getName(), String.valueOf(classes)));
    long start = System.nanoTime();
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException("The loader failed: " + command + "\n" + output);
    }
    long wall = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    long cpu = Long.parseLong(output.substring(output.indexOf("CPU_MS ") + 7).trim());
    return new long[] {wall, cpu};
  }

  private static Path generate(Path jar, int classes) throws IOException {
    ByteBuddy byteBuddy = new ByteBuddy();
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      for (int i = 0; i < classes; i++) {
        String name = StartupLoader.className(i);
        byte[] bytes = (i % SERVLET_EVERY == 0
            ? byteBuddy.subclass(jakarta.servlet.http.HttpServlet.class)
            : byteBuddy.subclass(Object.class))
            .name(name)
            .defineMethod("value", int.class, Visibility.PUBLIC).intercept(FixedValue.value(i))
            .defineMethod("label", String.class, Visibility.PUBLIC).intercept(FixedValue.value("class " + i))
            .make()
            .getBytes();
        out.putNextEntry(new JarEntry(name.replace('.', '/') + ".class"));
        out.write(bytes);
        out.closeEntry();
      }
    }
    return jar;
  }

  private static Path agentJar() {
    for (String candidate : new String[] {System.getProperty("bemi.agent.jar", ""), "agent/target/bemi-agent.jar", "target/bemi-agent.jar"}) {
      if (!candidate.isEmpty() && Files.isRegularFile(Path.of(candidate))) {
        return Path.of(candidate).toAbsolutePath();
      }
    }
    throw new IllegalStateException("Build the agent first: ./mvnw -q -o -pl agent package -DskipTests");
  }

  /** The test class path without Bemi's own artifacts (as the agent tests give their child JVMs). */
  private static List<String> testClassPath() {
    List<String> entries = new ArrayList<>();
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader instanceof URLClassLoader urls) {
      for (URL url : urls.getURLs()) {
        entries.add(url.getPath());
      }
    } else {
      entries.addAll(Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator)));
    }
    entries.removeIf(entry -> entry.endsWith("agent/target/classes") || entry.endsWith("agent/target/classes/")
        || entry.contains("bemi-driver") || entry.contains("byte-buddy") || entry.contains("bemi-test-support"));
    return entries;
  }

  private static long median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    sorted.sort(null);
    return sorted.get(sorted.size() / 2);
  }
}

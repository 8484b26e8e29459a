package io.bemi.agent;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Entry point of {@code -javaagent:bemi-agent.jar}: the only class of the agent proper on the
 * application's class path. It lays out the two jars nested in the agent jar and hands over:
 *
 * <ul>
 *   <li>{@code api.jar} (bemi-driver: {@code io.bemi.Bemi} and the JDBC wrappers, plus the hook
 *       slots of {@code io.bemi.agent.hooks}) goes on the system class path, so the application can
 *       use the context API, the wrappers see {@code java.sql}, and advice inlined into pgjdbc or a
 *       servlet container reaches the hooks from any class loader that delegates to the system one;
 *   <li>{@code core.jar} (the agent and its relocated Byte Buddy) is loaded by a class loader of its
 *       own, invisible to the application.
 * </ul>
 *
 * <p>Nothing goes on the bootstrap class path: appending there would switch off class-data sharing
 * for every class outside {@code java.base}'s loader and make the JVM print a warning.
 *
 * <p>The nested jars are extracted once into {@code java.io.tmpdir/bemi-agent-<checksum>} and reused
 * by later JVMs. Any failure here is reported on stderr and the application starts without the agent.
 * The agent must be given at start-up ({@code -javaagent}); attaching it to a running JVM is not
 * supported, because classes already loaded are not changed.
 */
public final class BemiAgent {

  private static final String[] NESTED = {"api.jar", "core.jar"};

  private BemiAgent() {}

  public static synchronized void premain(String arguments, Instrumentation instrumentation) {
    if (System.getProperty("io.bemi.agent.started") != null) {
      return; // attached twice (e.g. -javaagent given twice): the first one does the work
    }
    System.setProperty("io.bemi.agent.started", "true");
    long started = System.nanoTime();
    try {
      Path directory = extract(agentJar());
      instrumentation.appendToSystemClassLoaderSearch(new JarFile(directory.resolve("api.jar").toFile()));
      ClassLoader core = new URLClassLoader("bemi-agent", new URL[] {directory.resolve("core.jar").toUri().toURL()},
          ClassLoader.getSystemClassLoader());
      Class.forName("io.bemi.agent.startup.AgentInstaller", true, core)
          .getMethod("install", String.class, Instrumentation.class)
          .invoke(null, arguments, instrumentation);
      if (System.getenv("BEMI_AGENT_TIMING") != null) {
        System.err.println("bemi-agent: started in " + (System.nanoTime() - started) / 1_000_000 + " ms");
      }
    } catch (Throwable e) {
      Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ? e.getCause() : e;
      System.err.println("bemi-agent: not started, the application runs without it: " + cause);
    }
  }

  private static Path agentJar() throws Exception {
    return Path.of(BemiAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  /** Extracts the nested jars unless a directory for the same content exists already; returns that directory. */
  static Path extract(Path agentJar) throws IOException {
    try (JarFile jar = new JarFile(agentJar.toFile())) {
      long checksum = 17;
      for (String name : NESTED) {
        JarEntry entry = requireEntry(jar, name);
        checksum = checksum * 31 + entry.getCrc();
        checksum = checksum * 31 + entry.getSize();
      }
      Path base = Path.of(System.getProperty("java.io.tmpdir"));
      Path target = base.resolve("bemi-agent-" + Long.toHexString(checksum));
      if (isComplete(target)) {
        return target;
      }
      Path staging = Files.createTempDirectory(base, "bemi-agent-staging-");
      for (String name : NESTED) {
        try (InputStream in = jar.getInputStream(requireEntry(jar, name))) {
          Files.copy(in, staging.resolve(name));
        }
      }
      try {
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException | java.nio.file.DirectoryNotEmptyException e) {
        deleteQuietly(staging); // another JVM extracted the same jars first
        if (!isComplete(target)) {
          throw e;
        }
      }
      return target;
    }
  }

  private static JarEntry requireEntry(JarFile jar, String name) throws IOException {
    JarEntry entry = jar.getJarEntry("bemi-agent/" + name);
    if (entry == null) {
      throw new IOException("bemi-agent/" + name + " is missing from " + jar.getName() + "; rebuild the agent jar");
    }
    return entry;
  }

  private static boolean isComplete(Path directory) {
    for (String name : NESTED) {
      if (!Files.isRegularFile(directory.resolve(name))) {
        return false;
      }
    }
    return true;
  }

  private static void deleteQuietly(Path directory) {
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // a leftover staging directory in tmp is harmless
    }
  }
}

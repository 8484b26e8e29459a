package io.bemi.agent.jobs;

import io.bemi.agent.hooks.FallbackContextHook;
import io.bemi.agent.core.AgentOptions;
import io.bemi.agent.core.DriverApi;
import io.bemi.agent.http.RequestCapture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Context for writes made outside servlet requests when the application set none:
 * {@code {"thread":"scheduling-1","mainClass":"com.example.App"}}. Built once per thread (again
 * when the thread is renamed).
 */
public final class JobContext implements FallbackContextHook {

  private final AgentOptions options;
  private volatile String mainClass; // read on first use: start-up should not open the application's jar
  private final ThreadLocal<Cached> cache = new ThreadLocal<>();

  private record Cached(String threadName, Object snapshot) {}

  public JobContext(AgentOptions options) {
    this.options = options;
  }

  @Override
  public Object whenEmpty(Object snapshot) {
    DriverApi api = DriverApi.get();
    if (snapshot == null || !api.isEmpty(snapshot)) {
      return snapshot; // the application's own context
    }
    if (options.faultInjection()) {
      throw new IllegalStateException("bemi-agent fault injection (faultInjection=true)");
    }
    if (RequestCapture.inRequest()) {
      return snapshot; // the request's context was cleared on purpose, or its path is excluded
    }
    String threadName = Thread.currentThread().getName();
    Cached cached = cache.get();
    if (cached == null || !cached.threadName().equals(threadName)) {
      cached = new Cached(threadName, snapshotOf(api, threadName));
      cache.set(cached);
    }
    return cached.snapshot();
  }

  private Object snapshotOf(DriverApi api, String threadName) {
    Map<String, Object> context = new LinkedHashMap<>();
    if (options.records(AgentOptions.THREAD)) {
      context.put(AgentOptions.THREAD, threadName);
    }
    if (options.records(AgentOptions.MAIN_CLASS)) {
      if (mainClass == null) {
        mainClass = mainClass(System.getProperty("sun.java.command"));
      }
      if (mainClass != null) {
        context.put(AgentOptions.MAIN_CLASS, mainClass);
      }
    }
    // ContextSnapshot has no public factory: make the context current for a moment and take it.
    AutoCloseable scope = api.withContext(context);
    try {
      return api.snapshot();
    } finally {
      close(scope);
    }
  }

  private static void close(AutoCloseable scope) {
    try {
      scope.close();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The application's main class from the launcher's command line ({@code sun.java.command}): the
   * class itself, the {@code Start-Class} (Spring Boot) or {@code Main-Class} of a {@code -jar}, or
   * the class of a {@code --module module/class}.
   */
  static String mainClass(String command) {
    if (command == null || command.isBlank()) {
      return null;
    }
    String first = command.trim().split("\\s+")[0];
    if (first.endsWith(".jar")) {
      return mainClassOfJar(Path.of(first));
    }
    int slash = first.indexOf('/');
    return slash >= 0 ? first.substring(slash + 1) : first;
  }

  private static String mainClassOfJar(Path jar) {
    if (!Files.isRegularFile(jar)) {
      return jar.getFileName().toString();
    }
    try (JarFile file = new JarFile(jar.toFile())) {
      Manifest manifest = file.getManifest();
      if (manifest != null) {
        String start = manifest.getMainAttributes().getValue("Start-Class");
        String main = manifest.getMainAttributes().getValue("Main-Class");
        if (start != null || main != null) {
          return start != null ? start : main;
        }
      }
    } catch (IOException e) {
      // fall through to the jar's name
    }
    return jar.getFileName().toString();
  }
}

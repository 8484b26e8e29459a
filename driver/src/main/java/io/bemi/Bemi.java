package io.bemi;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The application context attached to database writes: who is acting, from which endpoint, in
 * which job. Set it where you know it; the {@code jdbc:bemi:postgresql} driver emits it into the
 * write-ahead log before each write transaction that needs it.
 *
 * <p>The context belongs to the current thread (a virtual thread has its own). It does not follow
 * work handed to another thread: wrap the task ({@link #wrap(Runnable)}, {@link #wrap(Callable)})
 * or carry a {@link #snapshot()} across yourself.
 *
 * <pre>{@code
 * try (var scope = Bemi.withContext(Map.of("user", "ann", "endpoint", "/orders"))) {
 *   orders.save(order);            // the INSERT carries {"user":"ann","endpoint":"/orders"}
 * }                                // the previous context is back
 * }</pre>
 *
 * <p>Values may be strings, numbers, booleans, null, maps and lists of those, UUIDs and
 * {@code java.time} values (written as ISO-8601); anything else is written as its
 * {@code toString()}. The JSON is rendered when the context is set, so later changes to a map you
 * passed in are not seen.
 */
public final class Bemi {

  private static final ThreadLocal<ContextSnapshot> CURRENT = new ThreadLocal<>();

  private Bemi() {}

  /** Replaces this thread's context. An empty map or null clears it. */
  public static void setContext(Map<String, ?> context) {
    set(ContextSnapshot.of(context));
  }

  /** Adds entries to this thread's context, replacing entries with the same keys. */
  public static void mergeContext(Map<String, ?> entries) {
    set(merged(entries));
  }

  /** Removes this thread's context: writes from now on carry none. */
  public static void clearContext() {
    CURRENT.remove();
  }

  /** This thread's context (unmodifiable); empty when none is set. */
  public static Map<String, Object> getContext() {
    return snapshot().values();
  }

  /**
   * Replaces this thread's context until the returned scope is closed, which restores the context
   * that was there before. Close scopes in reverse order of opening (try-with-resources does).
   */
  public static Scope withContext(Map<String, ?> context) {
    return restore(ContextSnapshot.of(context));
  }

  /** Like {@link #withContext(Map)}, but adds the entries to the current context. */
  public static Scope withMergedContext(Map<String, ?> entries) {
    return restore(merged(entries));
  }

  /** This thread's context as an immutable value, to hand to another thread. */
  public static ContextSnapshot snapshot() {
    ContextSnapshot current = CURRENT.get();
    return current == null ? ContextSnapshot.EMPTY : current;
  }

  /** Makes {@code snapshot} this thread's context until the returned scope is closed. */
  public static Scope restore(ContextSnapshot snapshot) {
    ContextSnapshot previous = CURRENT.get();
    set(snapshot);
    return () -> set(previous);
  }

  /** A task that runs with the context of the thread calling {@code wrap} (not of the thread running it). */
  @SuppressWarnings("try") // the scope is only closed
  public static Runnable wrap(Runnable task) {
    ContextSnapshot captured = snapshot();
    return () -> {
      try (Scope ignored = restore(captured)) {
        task.run();
      }
    };
  }

  /** A task that runs with the context of the thread calling {@code wrap} (not of the thread running it). */
  @SuppressWarnings("try") // the scope is only closed
  public static <T> Callable<T> wrap(Callable<T> task) {
    ContextSnapshot captured = snapshot();
    return () -> {
      try (Scope ignored = restore(captured)) {
        return task.call();
      }
    };
  }

  private static ContextSnapshot merged(Map<String, ?> entries) {
    if (entries == null || entries.isEmpty()) {
      return snapshot();
    }
    Map<String, Object> combined = new LinkedHashMap<>(snapshot().values());
    combined.putAll(entries);
    return ContextSnapshot.of(combined);
  }

  private static void set(ContextSnapshot snapshot) {
    if (snapshot == null || snapshot.isEmpty()) {
      CURRENT.remove();
    } else {
      CURRENT.set(snapshot);
    }
  }

  /** A context scope; closing it restores the previous context. */
  @FunctionalInterface
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }
}

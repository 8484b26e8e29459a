package io.bemi.agent.core;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.sql.Connection;
import java.util.Map;
import java.util.Properties;

/**
 * The bemi-driver API the agent calls: {@code io.bemi.Bemi} and {@code io.bemi.jdbc.BemiJdbc} as the
 * system class loader sees them. That is the copy the agent put there, or the application's own
 * copy of bemi-driver when it ships one ahead of it on the class path; the agent and the
 * application then share one context either way. Bound by name, not linked, so that an older copy
 * lacking a method disables only the part that needs it (reported once) instead of the agent.
 */
public final class DriverApi {

  private final MethodHandle withContext;
  private final MethodHandle mergeContext;
  private final MethodHandle getContext;
  private final MethodHandle snapshot;
  private final MethodHandle snapshotIsEmpty;
  private final MethodHandle wrap;
  private final MethodHandle isWrapped;

  private DriverApi(ClassLoader loader) {
    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
    Class<?> bemi = load("io.bemi.Bemi", loader);
    Class<?> snapshotType = load("io.bemi.ContextSnapshot", loader);
    Class<?> scope = load("io.bemi.Bemi$Scope", loader);
    Class<?> jdbc = load("io.bemi.jdbc.BemiJdbc", loader);
    withContext = find(() -> lookup.findStatic(bemi, "withContext", MethodType.methodType(scope, Map.class)).asType(MethodType.methodType(Object.class, Map.class)));
    mergeContext = find(() -> lookup.findStatic(bemi, "mergeContext", MethodType.methodType(void.class, Map.class)));
    getContext = find(() -> lookup.findStatic(bemi, "getContext", MethodType.methodType(Map.class)));
    snapshot = find(() -> lookup.findStatic(bemi, "snapshot", MethodType.methodType(snapshotType)).asType(MethodType.methodType(Object.class)));
    snapshotIsEmpty = find(() -> lookup.findVirtual(snapshotType, "isEmpty", MethodType.methodType(boolean.class))
        .asType(MethodType.methodType(boolean.class, Object.class)));
    wrap = find(() -> lookup.findStatic(jdbc, "wrap", MethodType.methodType(Connection.class, Connection.class, Properties.class)));
    isWrapped = find(() -> lookup.findStatic(jdbc, "isWrapped", MethodType.methodType(boolean.class, Connection.class)));
  }

  private static volatile DriverApi instance;

  /** Bound on first use, after the agent's instrumentation is in place (binding loads {@code io.bemi.Bemi}). */
  public static DriverApi get() {
    DriverApi api = instance;
    if (api == null) {
      synchronized (DriverApi.class) {
        api = instance;
        if (api == null) {
          api = new DriverApi(ClassLoader.getSystemClassLoader());
          instance = api;
        }
      }
    }
    return api;
  }

  /** {@code Bemi.withContext(context)}: the returned scope restores the previous context. */
  public AutoCloseable withContext(Map<String, ?> context) {
    try {
      return (AutoCloseable) (Object) require(withContext, "Bemi.withContext(Map)").invokeExact((Map) context);
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  public void mergeContext(Map<String, ?> entries) {
    try {
      require(mergeContext, "Bemi.mergeContext(Map)").invokeExact((Map) entries);
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  @SuppressWarnings("unchecked")
  public Map<String, Object> getContext() {
    try {
      return (Map<String, Object>) (Map) require(getContext, "Bemi.getContext()").invokeExact();
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  /** {@code Bemi.snapshot()}, an {@code io.bemi.ContextSnapshot}. */
  public Object snapshot() {
    try {
      return (Object) require(snapshot, "Bemi.snapshot()").invokeExact();
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  public boolean isEmpty(Object snapshot) {
    try {
      return (boolean) require(snapshotIsEmpty, "ContextSnapshot.isEmpty()").invokeExact(snapshot);
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  public Connection wrap(Connection connection, Properties options) {
    try {
      return (Connection) require(wrap, "BemiJdbc.wrap(Connection, Properties)").invokeExact(connection, options);
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  public boolean isWrapped(Connection connection) {
    try {
      return (boolean) require(isWrapped, "BemiJdbc.isWrapped(Connection)").invokeExact(connection);
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  private static MethodHandle require(MethodHandle handle, String what) {
    if (handle == null) {
      throw new UnsupportedOperationException("bemi-driver on the class path has no " + what
          + "; an older bemi-driver shipped with the application hides the agent's copy");
    }
    return handle;
  }

  private static RuntimeException rethrow(Throwable e) {
    if (e instanceof RuntimeException runtime) {
      return runtime;
    }
    if (e instanceof Error error) {
      throw error;
    }
    return new IllegalStateException(e);
  }

  private static Class<?> load(String name, ClassLoader loader) {
    try {
      return Class.forName(name, false, loader);
    } catch (ClassNotFoundException e) {
      return null;
    }
  }

  private interface Finder {
    MethodHandle find() throws ReflectiveOperationException;
  }

  private static MethodHandle find(Finder finder) {
    try {
      return finder.find();
    } catch (ReflectiveOperationException | NullPointerException | IllegalArgumentException e) {
      return null; // reported when used: see invoke
    }
  }
}

package io.bemi.agent.hooks;

import java.util.Properties;

/**
 * What the code the agent adds to pgjdbc, servlet containers, Javalin, Spring MVC and
 * bemi-driver's {@code Session} (the connection's choke point) calls: one static method per interception point. Each one catches every
 * {@code Throwable} its hook may throw and carries on as if the agent were absent (the failure is
 * reported once through {@link BemiHooks#failures}), and each keeps a per-thread call depth so that
 * only the outermost of nested calls acts. Only {@code java.base} types appear here.
 */
public final class Dispatch {

  public static final String INTERNAL_NAME = "io/bemi/agent/hooks/Dispatch";

  /** Interception points that hand out a connection. */
  public static final int DRIVER_CONNECT = 0;
  public static final int DATA_SOURCE_GET_CONNECTION = 1;
  public static final int POOLED_GET_CONNECTION = 2;

  private Dispatch() {}

  /** Entering a method that hands out a connection. */
  public static void connectionEnter() {
    CallDepth.enter(CallDepth.CONNECTION);
  }

  /** Leaving such a method normally: returns what its caller should get instead of {@code connection}. */
  public static Object connectionExit(int site, Object connection, Object self, Object first, Object second) {
    if (CallDepth.exit(CallDepth.CONNECTION) != 0 || connection == null) {
      return connection;
    }
    try {
      Object result = switch (site) {
        case DRIVER_CONNECT -> BemiHooks.connections.driverConnected(connection, (String) first, (Properties) second);
        case DATA_SOURCE_GET_CONNECTION -> BemiHooks.connections.dataSourceConnected(connection, self);
        default -> BemiHooks.connections.pooledConnectionHandedOut(connection);
      };
      return result instanceof java.sql.Connection ? result : connection;
    } catch (Throwable failure) {
      report("wrapping a connection", failure);
      return connection;
    }
  }

  /** Leaving such a method with an exception (which the caller rethrows). */
  public static void connectionFailed() {
    CallDepth.exit(CallDepth.CONNECTION);
  }

  /** Entering {@code service(request, response)} of a servlet; returns what {@link #requestExit} needs. */
  public static Object requestEnter(Object request) {
    try {
      if (CallDepth.enter(CallDepth.REQUEST) == 0) {
        return BemiHooks.requests.requestStarted(request);
      }
      BemiHooks.requests.requestReentered(request);
    } catch (Throwable failure) {
      report("capturing a request's context", failure);
    }
    return null;
  }

  /** Leaving {@code service}, normally or not. */
  public static void requestExit(Object scope) {
    try {
      if (CallDepth.exit(CallDepth.REQUEST) == 0 && scope instanceof AutoCloseable closeable) {
        BemiHooks.requests.requestEnded(closeable);
      }
    } catch (Throwable failure) {
      report("restoring the context after a request", failure);
    }
  }

  /** Javalin is about to run the handler of {@code endpoint} (an {@code io.javalin.router.Endpoint}). */
  public static void javalinEndpoint(Object endpoint) {
    try {
      BemiHooks.requests.endpointMatched(endpoint);
    } catch (Throwable failure) {
      report("reading Javalin's route", failure);
    }
  }

  /** Spring MVC found the handler of {@code request}. */
  public static void springHandlerFound(Object request) {
    try {
      BemiHooks.requests.routeAttributeSet(request);
    } catch (Throwable failure) {
      report("reading Spring MVC's route", failure);
    }
  }

  /** The driver's wrapper read {@code snapshot} with {@code Bemi.snapshot()} to emit it; returns the snapshot to emit. */
  public static Object snapshot(Object snapshot) {
    if (snapshot == null) {
      return null;
    }
    try {
      Object result = BemiHooks.fallbackContext.whenEmpty(snapshot);
      return result != null && result.getClass() == snapshot.getClass() ? result : snapshot;
    } catch (Throwable failure) {
      report("supplying the job context", failure);
      return snapshot;
    }
  }

  private static void report(String what, Throwable failure) {
    try {
      BemiHooks.failures.failed(what, failure);
    } catch (Throwable ignored) {
      // reporting must never be what breaks the application
    }
  }
}

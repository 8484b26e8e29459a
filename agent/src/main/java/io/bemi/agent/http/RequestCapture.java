package io.bemi.agent.http;

import io.bemi.agent.hooks.RequestHook;
import io.bemi.agent.core.AgentLog;
import io.bemi.agent.core.AgentOptions;
import io.bemi.agent.core.DriverApi;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sets the context of each servlet request when it reaches the first servlet on its thread, and
 * restores the thread's previous context when that servlet returns (entries a filter set before
 * the servlet are kept and win over the automatic ones):
 * {@code {"method":"POST","endpoint":"/items/{id}","user":"ann","requestId":"…","traceId":"…"}}.
 * The application's own {@code io.bemi.Bemi} calls inside the request add to or override it.
 */
public final class RequestCapture implements RequestHook {

  private static final String SPRING_BEST_MATCHING_PATTERN = "org.springframework.web.servlet.HandlerMapping.bestMatchingPattern";

  /** What the request on this thread is: none, captured, or excluded by {@code excludePaths}. */
  private enum State { NONE, CAPTURED, EXCLUDED }

  private static final ThreadLocal<State> STATE = new ThreadLocal<>() {
    @Override
    protected State initialValue() {
      return State.NONE;
    }
  };

  private final AgentOptions options;
  private final PathPatterns excluded;

  public RequestCapture(AgentOptions options) {
    this.options = options;
    this.excluded = new PathPatterns(options.excludePaths());
  }

  /** True while a servlet request (captured or excluded) is running on this thread. */
  public static boolean inRequest() {
    return STATE.get() != State.NONE;
  }

  @Override
  public AutoCloseable requestStarted(Object request) {
    injectFault();
    ServletRequests.Accessor http = ServletRequests.of(request);
    if (http == null) {
      return null;
    }
    try {
      String path = http.path(request);
      if (excluded.matches(path)) {
        STATE.set(State.EXCLUDED); // no automatic context at all, job context included
        return RESET_STATE;
      }
      // Set first, so that reading the current context below does not yield the job context.
      STATE.set(State.CAPTURED);
      DriverApi api = DriverApi.get();
      // Context a servlet filter set before the servlet (e.g. bemi-driver's BemiContextFilter)
      // wins over the automatic values; the request's end restores exactly what was there.
      Map<String, Object> context = contextOf(http, request, path);
      context.putAll(api.getContext());
      AutoCloseable scope = api.withContext(context);
      return new AutoCloseable() {
        @Override
        public void close() throws Exception {
          STATE.remove();
          scope.close();
        }
      };
    } catch (RuntimeException | LinkageError e) {
      STATE.remove();
      AgentLog.failedOnce("capturing a request's context", e);
      return null;
    }
  }

  private static final AutoCloseable RESET_STATE = new AutoCloseable() {
    @Override
    public void close() {
      STATE.remove();
    }
  };

  private Map<String, Object> contextOf(ServletRequests.Accessor http, Object request, String path) {
    Map<String, Object> context = new LinkedHashMap<>();
    if (options.records(AgentOptions.METHOD)) {
      context.put(AgentOptions.METHOD, http.method(request));
    }
    if (options.records(AgentOptions.ENDPOINT)) {
      context.put(AgentOptions.ENDPOINT, path);
    }
    if (options.records(AgentOptions.USER)) {
      String user = userOf(http, request);
      if (user != null) {
        context.put(AgentOptions.USER, user);
      }
    }
    if (options.records(AgentOptions.REQUEST_ID)) {
      String requestId = http.header(request, options.requestIdHeader());
      context.put(AgentOptions.REQUEST_ID, requestId == null || requestId.isBlank() ? randomId() : requestId);
    }
    if (options.records(AgentOptions.TRACE_ID)) {
      String traceId = TraceIds.of(request, http.header(request, options.traceHeader()));
      if (traceId != null) {
        context.put(AgentOptions.TRACE_ID, traceId);
      }
    }
    return context;
  }

  private String userOf(ServletRequests.Accessor http, Object request) {
    String user = http.user(request);
    if (user == null && options.userHeader() != null) {
      user = http.header(request, options.userHeader());
    }
    return user;
  }

  @Override
  public void requestReentered(Object request) {
    injectFault();
    if (STATE.get() != State.CAPTURED || !options.records(AgentOptions.USER) || DriverApi.get().getContext().containsKey(AgentOptions.USER)) {
      return;
    }
    try {
      ServletRequests.Accessor http = ServletRequests.of(request);
      String user = http == null ? null : userOf(http, request);
      if (user != null) {
        DriverApi.get().mergeContext(Map.of(AgentOptions.USER, user));
      }
    } catch (RuntimeException | LinkageError e) {
      AgentLog.failedOnce("reading a request's user", e);
    }
  }

  @Override
  public void requestEnded(AutoCloseable scope) {
    if (scope == null) {
      return;
    }
    try {
      scope.close();
    } catch (Exception | LinkageError e) {
      STATE.remove();
      AgentLog.failedOnce("restoring the context after a request", e);
    }
  }

  @Override
  public void endpointMatched(Object endpoint) {
    injectFault();
    if (STATE.get() == State.CAPTURED && options.records(AgentOptions.ENDPOINT)) {
      routeMatched(JavalinEndpoints.httpRouteOf(endpoint));
    }
  }

  private void routeMatched(String template) {
    if (template != null && STATE.get() == State.CAPTURED && options.records(AgentOptions.ENDPOINT)) {
      DriverApi.get().mergeContext(Map.of(AgentOptions.ENDPOINT, template));
    }
  }

  @Override
  public void routeAttributeSet(Object request) {
    injectFault();
    ServletRequests.Accessor http = ServletRequests.of(request);
    if (http != null && STATE.get() == State.CAPTURED) {
      Object pattern = http.attribute(request, SPRING_BEST_MATCHING_PATTERN);
      routeMatched(pattern == null ? null : pattern.toString());
    }
  }

  /** A random (version 4) UUID without {@code SecureRandom}'s first-use cost on the request path. */
  private static String randomId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low).toString();
  }

  private void injectFault() {
    if (options.faultInjection()) {
      throw new IllegalStateException("bemi-agent fault injection (faultInjection=true)");
    }
  }
}

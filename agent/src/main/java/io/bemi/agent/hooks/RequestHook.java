package io.bemi.agent.hooks;

/** Sets and restores the context of servlet requests. Requests are {@code jakarta} or {@code javax} servlet requests. */
public interface RequestHook {

  RequestHook NONE = new RequestHook() {
    @Override
    public AutoCloseable requestStarted(Object request) {
      return null;
    }

    @Override
    public void requestReentered(Object request) {}

    @Override
    public void requestEnded(AutoCloseable scope) {}

    @Override
    public void endpointMatched(Object endpoint) {}

    @Override
    public void routeAttributeSet(Object request) {}
  };

  /** The outermost servlet entry of a request on this thread; returns the scope that {@link #requestEnded} closes. */
  AutoCloseable requestStarted(Object request);

  /** A nested servlet entry (filters or forwards passed by): the authenticated user may be known now. */
  void requestReentered(Object request);

  /** The outermost servlet entry returned or threw. */
  void requestEnded(AutoCloseable scope);

  /** Javalin matched the request to {@code endpoint} (an {@code io.javalin.router.Endpoint}, e.g. path {@code /items/{id}}). */
  void endpointMatched(Object endpoint);

  /** Spring MVC stored the best matching pattern in a request attribute. */
  void routeAttributeSet(Object request);
}

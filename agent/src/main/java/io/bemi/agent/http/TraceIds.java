package io.bemi.agent.http;

import java.lang.reflect.Method;

/**
 * The distributed trace a request belongs to: OpenTelemetry's current span when the OpenTelemetry
 * API (or its agent) is present and a span is active, else the W3C {@code traceparent} header.
 */
final class TraceIds {

  /** OpenTelemetry's API as seen from a request class's loader, or null when absent there. */
  private static final ClassValue<OpenTelemetry> OPEN_TELEMETRY = new ClassValue<>() {
    @Override
    protected OpenTelemetry computeValue(Class<?> requestClass) {
      return OpenTelemetry.find(requestClass.getClassLoader());
    }
  };

  private TraceIds() {}

  static String of(Object request, String traceparent) {
    OpenTelemetry otel = OPEN_TELEMETRY.get(request.getClass());
    String fromSpan = otel == null ? null : otel.currentTraceId();
    return fromSpan != null ? fromSpan : fromTraceparent(traceparent);
  }

  /**
   * {@code version-traceid-parentid-flags}, e.g. {@code 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01};
   * returns the 32-hex-digit trace id, or null when the header is absent or malformed or the id is all zeros.
   */
  static String fromTraceparent(String header) {
    if (header == null) {
      return null;
    }
    String[] parts = header.trim().split("-");
    if (parts.length < 4 || parts[0].length() != 2 || parts[0].equalsIgnoreCase("ff") || parts[1].length() != 32) {
      return null;
    }
    String traceId = parts[1];
    boolean allZero = true;
    for (int i = 0; i < traceId.length(); i++) {
      char c = traceId.charAt(i);
      if (Character.digit(c, 16) < 0 || Character.isUpperCase(c)) {
        return null;
      }
      allZero &= c == '0';
    }
    return allZero ? null : traceId;
  }

  private record OpenTelemetry(Method current, Method spanContext, Method isValid, Method traceId) {

    static OpenTelemetry find(ClassLoader loader) {
      try {
        Class<?> span = Class.forName("io.opentelemetry.api.trace.Span", false, loader);
        Class<?> context = Class.forName("io.opentelemetry.api.trace.SpanContext", false, loader);
        return new OpenTelemetry(span.getMethod("current"), span.getMethod("getSpanContext"),
            context.getMethod("isValid"), context.getMethod("getTraceId"));
      } catch (ReflectiveOperationException | LinkageError e) {
        return null;
      }
    }

    String currentTraceId() {
      try {
        Object context = spanContext.invoke(current.invoke(null));
        return Boolean.TRUE.equals(isValid.invoke(context)) ? (String) traceId.invoke(context) : null;
      } catch (ReflectiveOperationException | RuntimeException e) {
        return null;
      }
    }
  }
}

package com.example.shop;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;

/**
 * Makes an OpenTelemetry span current for the rest of the request when the caller names one in
 * {@code X-Span-Trace-Id}, as tracing instrumentation would (OpenTelemetry API only, no SDK).
 */
public final class SpanFilter implements Filter {

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
    String traceId = ((HttpServletRequest) request).getHeader("X-Span-Trace-Id");
    if (traceId == null) {
      chain.doFilter(request, response);
      return;
    }
    SpanContext context = SpanContext.create(traceId, "00f067aa0ba902b7", TraceFlags.getSampled(), TraceState.getDefault());
    try (Scope ignored = Span.wrap(context).makeCurrent()) {
      chain.doFilter(request, response);
    }
  }
}

package io.bemi.servlet;

import io.bemi.Bemi;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Sets the Bemi context for each HTTP request: {@code method}, {@code endpoint} (the request
 * path, without the query string), {@code user} (the remote user or principal name, when
 * authenticated) and {@code requestId} (the {@code X-Request-Id} header, or a random UUID). The
 * entries are merged into whatever context the thread has and the previous context is restored
 * when the request ends.
 *
 * <p>Register it after your authentication filter so the user is known. Work the request hands to
 * other threads (async servlets, executors) needs {@link Bemi#wrap(Runnable)}. Jakarta Servlet is
 * an optional dependency of bemi-driver: this class is only loaded if you use it.
 */
public class BemiContextFilter implements Filter {

  public static final String REQUEST_ID_HEADER = "X-Request-Id";
  /** Longer request ids are cut, so a client cannot inflate every message of the request. */
  static final int MAX_REQUEST_ID_LENGTH = 200;

  @Override
  @SuppressWarnings("try") // the scope is only closed
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!(request instanceof HttpServletRequest http)) {
      chain.doFilter(request, response);
      return;
    }
    try (Bemi.Scope ignored = Bemi.withMergedContext(contextOf(http))) {
      chain.doFilter(request, response);
    }
  }

  /** The entries for one request; override to add your own (tenant, client IP…). */
  protected Map<String, Object> contextOf(HttpServletRequest request) {
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("method", request.getMethod());
    context.put("endpoint", request.getRequestURI());
    String user = userOf(request);
    if (user != null) {
      context.put("user", user);
    }
    context.put("requestId", requestIdOf(request));
    return context;
  }

  private static String userOf(HttpServletRequest request) {
    String user = request.getRemoteUser();
    if (user != null) {
      return user;
    }
    Principal principal = request.getUserPrincipal();
    return principal == null ? null : principal.getName();
  }

  private static String requestIdOf(HttpServletRequest request) {
    String header = request.getHeader(REQUEST_ID_HEADER);
    if (header == null || header.isBlank()) {
      return UUID.randomUUID().toString();
    }
    String trimmed = header.trim();
    return trimmed.length() > MAX_REQUEST_ID_LENGTH ? trimmed.substring(0, MAX_REQUEST_ID_LENGTH) : trimmed;
  }
}

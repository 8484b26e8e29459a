package io.bemi.examples.todo;

import io.bemi.servlet.BemiContextFilter;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Bemi's servlet filter (method, endpoint, request id, and the authenticated user), plus the user
 * from an {@code X-User} header: this example has no authentication, a real application lets its
 * security filter set the user and uses {@link BemiContextFilter} as it is.
 */
final class HeaderUserContextFilter extends BemiContextFilter {

  @Override
  protected Map<String, Object> contextOf(HttpServletRequest request) {
    Map<String, Object> context = new LinkedHashMap<>(super.contextOf(request));
    String user = request.getHeader("X-User");
    if (user != null && !user.isBlank()) {
      context.put("user", user);
    }
    return context;
  }
}

package io.bemi.spring.boot;

import io.bemi.servlet.BemiContextFilter;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import java.util.function.Function;

/**
 * The driver's {@link BemiContextFilter} with the user taken from Spring Security's current
 * authentication when Spring Security is present (anonymous users are not recorded).
 */
final class BemiRequestContextFilter extends BemiContextFilter {

  private final Function<HttpServletRequest, String> users;
  private final BemiCounts counts;

  BemiRequestContextFilter(Function<HttpServletRequest, String> users, BemiCounts counts) {
    this.users = users;
    this.counts = counts;
  }

  @Override
  protected Map<String, Object> contextOf(HttpServletRequest request) {
    Map<String, Object> context = super.contextOf(request);
    String user = users.apply(request);
    if (user != null) {
      context.put("user", user);
    }
    counts.requestContexts.increment();
    return context;
  }
}

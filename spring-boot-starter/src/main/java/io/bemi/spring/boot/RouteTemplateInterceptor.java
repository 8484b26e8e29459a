package io.bemi.spring.boot;

import io.bemi.Bemi;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Replaces the request path with Spring MVC's matched route template ({@code /orders/{id}}) as
 * {@code endpoint}, so the trail groups by endpoint rather than by id. Runs inside the request
 * filter's scope, which restores the previous context when the request ends.
 */
final class RouteTemplateInterceptor implements HandlerInterceptor {

  @Override
  public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
    Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
    if (pattern != null && !Bemi.getContext().isEmpty()) {
      Bemi.mergeContext(Map.of("endpoint", pattern.toString()));
    }
    return true;
  }
}

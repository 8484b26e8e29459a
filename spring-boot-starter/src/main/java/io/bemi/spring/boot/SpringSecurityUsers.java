package io.bemi.spring.boot;

import jakarta.servlet.http.HttpServletRequest;
import java.util.function.Function;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/** The name of Spring Security's authenticated principal; loaded only when Spring Security is on the class path. */
final class SpringSecurityUsers implements Function<HttpServletRequest, String> {

  @Override
  public String apply(HttpServletRequest request) {
    Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
    if (authentication == null || !authentication.isAuthenticated() || authentication instanceof AnonymousAuthenticationToken) {
      return null;
    }
    return authentication.getName();
  }
}

package io.bemi.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.Bemi;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import java.security.Principal;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BemiContextFilterTest {

  private final BemiContextFilter filter = new BemiContextFilter();

  @AfterEach
  void clear() {
    Bemi.clearContext();
  }

  /** A request stub answering the few methods the filter reads. */
  private static HttpServletRequest request(Map<String, Object> answers) {
    return (HttpServletRequest) Proxy.newProxyInstance(BemiContextFilterTest.class.getClassLoader(),
        new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> {
          String key = method.getName().equals("getHeader") ? "header:" + args[0] : method.getName();
          return answers.get(key);
        });
  }

  private Map<String, Object> contextDuring(HttpServletRequest request) throws Exception {
    AtomicReference<Map<String, Object>> seen = new AtomicReference<>();
    FilterChain chain = (ServletRequest req, jakarta.servlet.ServletResponse res) -> seen.set(Bemi.getContext());
    filter.doFilter(request, null, chain);
    return seen.get();
  }

  @Test
  void setsMethodEndpointUserAndTheClientsRequestId() throws Exception {
    Map<String, Object> answers = new HashMap<>();
    answers.put("getMethod", "POST");
    answers.put("getRequestURI", "/orders/7");
    answers.put("getRemoteUser", "ann");
    answers.put("header:X-Request-Id", "req-42");
    assertThat(contextDuring(request(answers))).containsExactly(
        Map.entry("method", "POST"), Map.entry("endpoint", "/orders/7"), Map.entry("user", "ann"),
        Map.entry("requestId", "req-42"));
  }

  @Test
  void fallsBackToThePrincipalAndGeneratesARequestId() throws Exception {
    Map<String, Object> answers = new HashMap<>();
    answers.put("getMethod", "GET");
    answers.put("getRequestURI", "/");
    answers.put("getUserPrincipal", (Principal) () -> "bob");
    Map<String, Object> context = contextDuring(request(answers));
    assertThat(context).containsEntry("user", "bob");
    assertThat((String) context.get("requestId")).hasSize(36);
  }

  @Test
  void anonymousRequestsHaveNoUser() throws Exception {
    Map<String, Object> answers = new HashMap<>();
    answers.put("getMethod", "GET");
    answers.put("getRequestURI", "/health");
    assertThat(contextDuring(request(answers))).doesNotContainKey("user");
  }

  @Test
  void restoresTheThreadsContextAfterTheRequest() throws Exception {
    Bemi.setContext(Map.of("service", "shop"));
    Map<String, Object> answers = new HashMap<>();
    answers.put("getMethod", "GET");
    answers.put("getRequestURI", "/a");
    assertThat(contextDuring(request(answers))).containsEntry("service", "shop").containsEntry("endpoint", "/a");
    assertThat(Bemi.getContext()).containsExactly(Map.entry("service", "shop"));
  }
}

package io.bemi.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;

class ServletRequestsTest {

  /** A request whose every header and whose path are 5,000 characters long. */
  private static final Object HUGE_REQUEST = Proxy.newProxyInstance(ServletRequestsTest.class.getClassLoader(),
      new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
        case "getHeader" -> "h".repeat(5_000);
        case "getRequestURI" -> "/" + "p".repeat(4_999);
        default -> null;
      });

  @Test
  void headerValuesCopiedIntoTheContextAreCappedAt1024Characters() {
    assertThat(ServletRequests.of(HUGE_REQUEST).header(HUGE_REQUEST, "X-User")).hasSize(1024);
  }

  @Test
  void theRequestPathIsCappedAt1024Characters() {
    assertThat(ServletRequests.of(HUGE_REQUEST).path(HUGE_REQUEST)).hasSize(1024).startsWith("/p");
  }

  @Test
  void aCapNeverSplitsASurrogatePair() {
    String value = "a".repeat(1023) + "\uD83D\uDE00" + "b";
    assertThat(ServletRequests.Accessor.capped(value)).isEqualTo("a".repeat(1023));
  }

  @Test
  void shortValuesAreCopiedUnchanged() {
    assertThat(ServletRequests.Accessor.capped("ann")).isEqualTo("ann");
  }
}

package io.bemi.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PathPatternsTest {

  private final PathPatterns patterns = new PathPatterns(List.of("/health", "/actuator/**", "/api/*/ping"));

  @Test
  void anExactPathMatchesOnlyItself() {
    assertThat(patterns.matches("/health")).isTrue();
    assertThat(patterns.matches("/healthz")).isFalse();
  }

  @Test
  void aDoubleStarSpansSegments() {
    assertThat(patterns.matches("/actuator/health/liveness")).isTrue();
  }

  @Test
  void aSingleStarStaysWithinOneSegment() {
    assertThat(patterns.matches("/api/v1/ping")).isTrue();
    assertThat(patterns.matches("/api/v1/x/ping")).isFalse();
  }

  @Test
  void regexCharactersInPatternsAreLiteral() {
    assertThat(new PathPatterns(List.of("/a.b")).matches("/axb")).isFalse();
  }

  @Test
  void noPatternsMatchNothing() {
    assertThat(new PathPatterns(List.of()).matches("/health")).isFalse();
  }
}

package io.bemi.dashboard.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class SignInLimiterTest {

  private static final Instant START = Instant.parse("2026-12-05T10:00:20Z");

  private final MutableClock clock = new MutableClock(START);

  @Test
  void aClientMayFailItsBudgetAMinuteThenWaitsForTheNextMinute() {
    SignInLimiter limiter = new SignInLimiter(10, clock);
    for (int i = 0; i < 10; i++) {
      assertThat(limiter.attempt("10.0.0.1")).isZero();
    }
    assertThat(limiter.attempt("10.0.0.1")).as("seconds to the next window").isEqualTo(40);
    assertThat(limiter.attempt("10.0.0.2")).as("another client").isZero();

    clock.now = Instant.parse("2026-12-05T10:01:00Z");
    assertThat(limiter.attempt("10.0.0.1")).isZero();
  }

  @Test
  void theRightTokenGivesItsTryBackSoItNeverRunsOut() {
    SignInLimiter limiter = new SignInLimiter(3, clock);
    assertThat(limiter.attempt("10.0.0.1")).isZero(); // one wrong guess
    for (int i = 0; i < 1_000; i++) {
      assertThat(limiter.attempt("10.0.0.1")).isZero();
      limiter.succeeded("10.0.0.1");
    }
    assertThat(limiter.attempt("10.0.0.1")).isZero();
    assertThat(limiter.attempt("10.0.0.1")).isZero();
    assertThat(limiter.attempt("10.0.0.1")).as("the fourth failure of the minute").isPositive();
  }

  @Test
  void pastTheLimitOfAllClientsEachClientThatHasNotFailedStillGetsOneTry() {
    SignInLimiter limiter = new SignInLimiter(3, clock);
    for (int client = 0; client < 10; client++) { // 10 × 3 = the 30 failures all clients may make
      for (int i = 0; i < 3; i++) {
        assertThat(limiter.attempt("10.0.0." + client)).isZero();
      }
    }
    assertThat(limiter.attempt("10.0.1.1")).as("a new address: one try").isZero();
    assertThat(limiter.attempt("10.0.1.1")).as("its second, after failing").isPositive();

    assertThat(limiter.attempt("10.0.2.2")).as("the holder of the token").isZero();
    limiter.succeeded("10.0.2.2");
    for (int i = 0; i < 20; i++) {
      assertThat(limiter.attempt("10.0.2.2")).as("signs in again and again").isZero();
      limiter.succeeded("10.0.2.2");
    }
  }

  @Test
  void anIpv6ClientCountsByItsSlash64() {
    SignInLimiter limiter = new SignInLimiter(2, clock);
    assertThat(limiter.attempt("2001:db8:1:2::1")).isZero();
    assertThat(limiter.attempt("2001:db8:1:2:ffff::9")).isZero();
    assertThat(limiter.attempt("[2001:db8:1:2::abcd]")).as("a third host of the same /64").isPositive();
    assertThat(limiter.attempt("2001:db8:1:3::1")).as("another /64").isZero();

    assertThat(SignInLimiter.key("2001:DB8:1:2:0:0:0:1")).isEqualTo("20010db800010002::/64");
    assertThat(SignInLimiter.key("10.1.2.3")).isEqualTo("10.1.2.3");
    assertThat(SignInLimiter.key("::ffff:10.1.2.3")).as("IPv4-mapped").isEqualTo("::ffff:10.1.2.3");
    assertThat(SignInLimiter.key("proxy.example.com")).as("never looked up").isEqualTo("proxy.example.com");
    assertThat(SignInLimiter.key("x".repeat(8_000))).as("a forged header cannot fill the memory").hasSize(64);
  }

  @Test
  void whenTooManyClientsAreRememberedANewOneIsTreatedAsHavingFailed() {
    SignInLimiter limiter = new SignInLimiter(1, clock);
    for (int i = 0; i < SignInLimiter.MAX_CLIENTS; i++) {
      assertThat(limiter.attempt("c" + i)).isZero(); // each new client's one try, past the limit of all
    }
    assertThat(limiter.attempt("one-too-many")).isPositive();
  }
}

package io.bemi.ingester.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.sql.Lsn;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LagEstimateTest {

  private static final Instant T0 = Instant.parse("2026-11-28T04:00:00Z");

  @Test
  void aCaughtUpSampleMeansNoLag() {
    LagEstimate lag = new LagEstimate();
    Instant upTo = lag.observe(Lsn.of(500), Lsn.of(500), T0);
    assertThat(LagEstimate.seconds(upTo, T0)).isZero();
  }

  @Test
  void theLagIsTheAgeOfTheNewestSampleWhoseServerPositionIsConfirmed() {
    LagEstimate lag = new LagEstimate();
    lag.observe(Lsn.of(1000), Lsn.of(100), T0);
    lag.observe(Lsn.of(2000), Lsn.of(500), T0.plusSeconds(5));
    lag.observe(Lsn.of(3000), Lsn.of(900), T0.plusSeconds(10));
    Instant upTo = lag.observe(Lsn.of(4000), Lsn.of(2500), T0.plusSeconds(15));

    assertThat(upTo).isEqualTo(T0.plusSeconds(5)); // 2000 is confirmed, 3000 not yet
    assertThat(LagEstimate.seconds(upTo, T0.plusSeconds(15))).isEqualTo(10.0);
  }

  @Test
  void beforeAnySampleIsPassedTheLagCountsFromTheFirstSample() {
    LagEstimate lag = new LagEstimate();
    lag.observe(Lsn.of(1000), Lsn.of(100), T0);
    Instant upTo = lag.observe(Lsn.of(2000), Lsn.of(200), T0.plusSeconds(5));
    assertThat(LagEstimate.seconds(upTo, T0.plusSeconds(7))).isEqualTo(7.0);
  }
}

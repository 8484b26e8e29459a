package io.bemi.ingester;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.sql.Lsn;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressLineTest {

  private static final Lsn COMMIT = Lsn.parse("0/1F50590");

  @Test
  void whileCatchingUpItShowsTheRemainingWalAndAnEtaAtTheWindowsDrainRate() {
    // 100 MB drained in 10 s, 1 GB to go: 103 s (rounded up)
    String line = ProgressLine.format(120_000, Duration.ofSeconds(10), COMMIT, Duration.ofMillis(35_000),
        1024L * 1024 * 1024, 100L * 1024 * 1024 / 10 * 10);
    assertThat(line).isEqualTo("Stored 120000 changes in 10 s (12000/s); newest stored commit 0/1F50590 is 35000 ms "
        + "old; 1.0 GB of WAL to go, ETA 1 min 43 s");
  }

  @Test
  void caughtUpSaysSo() {
    String line = ProgressLine.format(500, Duration.ofSeconds(10), COMMIT, Duration.ofMillis(4), 0, 4096);
    assertThat(line).endsWith("is 4 ms old; caught up");
  }

  @Test
  void withoutASlotSampleItLeavesTheRemainderOut() {
    String line = ProgressLine.format(500, Duration.ofSeconds(10), COMMIT, Duration.ofMillis(4), -1, 4096);
    assertThat(line).endsWith("is 4 ms old");
  }

  @Test
  void withoutProgressInTheWindowThereIsNoEta() {
    String line = ProgressLine.format(1, Duration.ofSeconds(10), COMMIT, Duration.ofMillis(4), 5000, 0);
    assertThat(line).endsWith("; 4.9 kB of WAL to go");
  }

  @Test
  void longEtasReadInHoursAndMinutes() {
    assertThat(ProgressLine.duration(2 * 3600 + 5 * 60 + 9)).isEqualTo("2 h 5 min");
    assertThat(ProgressLine.duration(59)).isEqualTo("59 s");
  }
}

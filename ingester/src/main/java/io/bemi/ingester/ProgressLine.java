package io.bemi.ingester;

import io.bemi.sql.Lsn;
import java.time.Duration;
import java.util.Locale;

/**
 * The progress line the ingester logs every 10 s while it stores changes: throughput, how old the
 * newest stored commit is, and while catching up how much WAL remains and when it will be done
 * (at the rate the confirmed position advanced during the window).
 */
final class ProgressLine {

  private ProgressLine() {}

  /**
   * @param remainingBytes the server's sampled WAL position minus the stored position; -1 when not sampled yet
   * @param drainedBytes how far the stored position advanced during {@code elapsed}
   */
  static String format(long stored, Duration elapsed, Lsn newestCommit, Duration newestCommitAge, long remainingBytes,
      long drainedBytes) {
    long millis = Math.max(1, elapsed.toMillis());
    StringBuilder line = new StringBuilder()
        .append("Stored ").append(stored).append(" changes in ").append(elapsed.toSeconds()).append(" s (")
        .append(stored * 1000 / millis).append("/s); newest stored commit ").append(newestCommit).append(" is ")
        .append(newestCommitAge.toMillis()).append(" ms old");
    if (remainingBytes == 0) {
      line.append("; caught up");
    } else if (remainingBytes > 0) {
      line.append("; ").append(bytes(remainingBytes)).append(" of WAL to go");
      if (drainedBytes > 0) {
        long etaSeconds = (long) Math.ceil(remainingBytes / (drainedBytes * 1000.0 / millis));
        line.append(", ETA ").append(duration(etaSeconds));
      }
    }
    return line.toString();
  }

  static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"kB", "MB", "GB", "TB"};
    double value = bytes / 1024.0;
    int unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  static String duration(long seconds) {
    if (seconds < 60) {
      return seconds + " s";
    }
    if (seconds < 3600) {
      return seconds / 60 + " min " + seconds % 60 + " s";
    }
    return seconds / 3600 + " h " + seconds % 3600 / 60 + " min";
  }
}

package io.bemi.dashboard.changes;

import io.bemi.history.Change;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;

/**
 * Keyset position in the newest-first order {@code (committed_at, commit_lsn, change_index)}
 * descending: the next page starts strictly after this change. Opaque to clients
 * ({@code base64url("micros:commitLsn:changeIndex")}); no OFFSET anywhere.
 */
public record Cursor(Instant committedAt, long commitLsn, int changeIndex) {

  public static Cursor of(Change change) {
    return new Cursor(change.committedAt(), change.commitLsn(), change.changeIndex());
  }

  public String encode() {
    long micros = ChronoUnit.MICROS.between(Instant.EPOCH, committedAt);
    String plain = micros + ":" + commitLsn + ":" + changeIndex;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.US_ASCII));
  }

  public static Cursor decode(String token) {
    try {
      String plain = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII);
      String[] parts = plain.split(":");
      if (parts.length != 3) {
        throw new IllegalArgumentException(plain);
      }
      Instant at = Instant.EPOCH.plus(Long.parseLong(parts[0]), ChronoUnit.MICROS);
      return new Cursor(at, Long.parseLong(parts[1]), Integer.parseInt(parts[2]));
    } catch (IllegalArgumentException e) {
      throw new BadRequestException("after '" + token + "' is not a page cursor; use the `next` value of a previous page");
    }
  }
}

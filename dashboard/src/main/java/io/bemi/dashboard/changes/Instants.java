package io.bemi.dashboard.changes;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Instants as people type them in a URL: ISO-8601 with an offset ({@code 2024-01-02T03:04:05Z},
 * {@code …+02:00}), without one (taken as UTC: {@code 2024-01-02T03:04}, {@code 2024-01-02}), or
 * relative to now ({@code -15m}, {@code -24h}, {@code -7d}).
 */
public final class Instants {

  private static final Pattern RELATIVE = Pattern.compile("-(\\d{1,6})([smhd])");

  private Instants() {}

  public static Instant parse(String name, String text, Instant now) {
    String t = text.trim();
    Matcher relative = RELATIVE.matcher(t);
    if (relative.matches()) {
      long n = Long.parseLong(relative.group(1));
      Duration d = switch (relative.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
      return now.minus(d);
    }
    try {
      return OffsetDateTime.parse(t).toInstant();
    } catch (DateTimeParseException notWithOffset) {
      try {
        return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException notLocal) {
        try {
          return LocalDate.parse(t).atStartOfDay().toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException notDate) {
          throw new BadRequestException(name + " '" + text + "' is not a time; use ISO-8601 (2024-01-02T03:04:05Z,"
              + " 2024-01-02T03:04 taken as UTC, 2024-01-02) or a relative time (-15m, -24h, -7d)");
        }
      }
    }
  }
}

package io.bemi.sql;

import java.util.Optional;

/**
 * A position in the write-ahead log (PostgreSQL's {@code pg_lsn}), ordered as an unsigned 64-bit
 * number. Printed the way PostgreSQL prints it: {@code 16/B374D848} (two upper-case hexadecimal
 * numbers of up to 8 digits, the high and low 32 bits). Shared by the ingester (the replication
 * stream) and the dashboard (commit LSNs in pages and URLs).
 */
public record Lsn(long value) implements Comparable<Lsn> {

  public static final Lsn INVALID = new Lsn(0);

  public static Lsn of(long value) {
    return new Lsn(value);
  }

  /** Parses PostgreSQL's text form {@code XXXXXXXX/XXXXXXXX}. */
  public static Lsn parse(String text) {
    return tryParse(text).orElseThrow(() -> new IllegalArgumentException("Not an LSN (expected XXX/XXX): " + text));
  }

  /** An LSN from PostgreSQL's text form ({@code 0/16B3748}); empty when the text is not one. */
  public static Optional<Lsn> tryParse(String text) {
    if (text == null || !text.matches("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}")) {
      return Optional.empty();
    }
    int slash = text.indexOf('/');
    long high = Long.parseLong(text.substring(0, slash), 16);
    long low = Long.parseLong(text.substring(slash + 1), 16);
    return Optional.of(new Lsn((high << 32) | low));
  }

  /** PostgreSQL's text form of an LSN given as a number, e.g. {@code 0/16B3748}. */
  public static String text(long value) {
    return new Lsn(value).toString();
  }

  public boolean isValid() {
    return value != 0;
  }

  public boolean isAfter(Lsn other) {
    return compareTo(other) > 0;
  }

  @Override
  public int compareTo(Lsn other) {
    return Long.compareUnsigned(value, other.value);
  }

  @Override
  public String toString() {
    return Long.toHexString(value >>> 32).toUpperCase() + "/" + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase();
  }
}

package io.bemi.ingester.pgoutput;

/**
 * A position in the write-ahead log (PostgreSQL's {@code pg_lsn}), ordered as an unsigned 64-bit
 * number. Printed the way PostgreSQL prints it: {@code 16/B374D848}.
 */
public record Lsn(long value) implements Comparable<Lsn> {

  public static final Lsn INVALID = new Lsn(0);

  public static Lsn of(long value) {
    return new Lsn(value);
  }

  /** Parses PostgreSQL's text form {@code XXXXXXXX/XXXXXXXX}. */
  public static Lsn parse(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("Not an LSN (expected XXX/XXX): " + text);
    }
    long high = Long.parseLong(text.substring(0, slash), 16);
    long low = Long.parseLong(text.substring(slash + 1), 16);
    return new Lsn((high << 32) | low);
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

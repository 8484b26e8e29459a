package io.bemi.ingester.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;

/**
 * The monthly partitions of {@code changes} ahead of what a writer stores: extended by
 * {@code ensure_partitions} in the writer's open transaction when a change comes within a month of
 * their end, and remembered, so the common batch costs no round trip, until that transaction rolls
 * back (which takes the new partitions with it). Shared by the ingester's {@link ChangeStore} and
 * {@code consume}.
 *
 * <p>{@code ensure_partitions} creates them at most a year ahead of the destination's clock, so a
 * change committed later than that (a source clock far ahead) still has none after
 * {@link #extend}: {@link #has} says so, and the writer quarantines it instead of inserting it.
 */
public final class Partitions {

  /** Why a change committed at or after {@link #until()} is quarantined (after "committed at …, "). */
  public static final String BEYOND = "after the last partition of changes, which ensure_partitions creates at most a"
      + " year ahead of the destination's clock";

  private static final Duration MARGIN = Duration.ofDays(31);

  private final String ensureSql;
  private Instant until = Instant.MIN; // changes committed before this have a partition

  public Partitions(String schema) {
    this.ensureSql = "SELECT " + schema + ".ensure_partitions(?)";
  }

  /** Whether a change committed at {@code committedAt} has its partition, with a month to spare. */
  public boolean cover(Instant committedAt) {
    return committedAt.plus(MARGIN).isBefore(until);
  }

  /** Whether a change committed at {@code committedAt} has a partition to go to. */
  public boolean has(Instant committedAt) {
    return committedAt.isBefore(until);
  }

  /** The end of the last partition known: changes committed from then on have none. */
  public Instant until() {
    return until;
  }

  /** Creates the partitions up to two months past {@code committedAt} (at most a year ahead) in the open transaction. */
  public void extend(Connection connection, Instant committedAt) throws SQLException {
    try (PreparedStatement s = connection.prepareStatement(ensureSql)) {
      s.setTimestamp(1, Timestamp.from(committedAt.plus(MARGIN.multipliedBy(2))));
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        until = rs.getTimestamp(1).toInstant();
      }
    }
  }

  /** The open transaction rolled back: the partitions it created are gone. */
  public void forget() {
    until = Instant.MIN;
  }
}

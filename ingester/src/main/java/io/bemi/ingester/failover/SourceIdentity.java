package io.bemi.ingester.failover;

import io.bemi.ingester.PostgresUrl;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Which server the source is: its system identifier (the same on a physical standby, which is a
 * copy) and its timeline (one more after every promotion). From {@code IDENTIFY_SYSTEM} on a
 * replication connection, which needs no privilege beyond REPLICATION.
 */
public record SourceIdentity(String systemIdentifier, int timeline) {

  public static SourceIdentity identify(PostgresUrl source) throws SQLException {
    try (Connection replication = source.connectForReplication(); Statement s = replication.createStatement();
         ResultSet rs = s.executeQuery("IDENTIFY_SYSTEM")) {
      rs.next();
      return new SourceIdentity(rs.getString("systemid"), rs.getInt("timeline"));
    }
  }

  /**
   * The name changes from this server's database are stored under when {@code --source-name} is not
   * given: unique across servers (two clusters never share a system identifier) and stable across
   * a failover to a physical standby (a copy keeps it); {@code pg_upgrade} or a restore into a new
   * cluster changes it, so a source that will move sets {@code --source-name}.
   */
  public String sourceName(String database) {
    return systemIdentifier + "/" + database;
  }

  /**
   * The name a source's changes are stored and published under: {@code configured}
   * ({@code --source-name}) when given, else {@link #sourceName} of the server's identity.
   */
  public static String sourceName(PostgresUrl source, String configured, String database) throws SQLException {
    return configured != null ? configured : identify(source).sourceName(database);
  }

  @Override
  public String toString() {
    return "system " + systemIdentifier + ", timeline " + timeline;
  }
}

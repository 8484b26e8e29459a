package io.bemi.ingester.sink;

import java.sql.SQLException;

/** Opens the sink of one streaming session (a new one after every outage). */
public interface SinkFactory {

  /**
   * @param slot the replication slot streamed
   * @param sourceDatabase the source's database name
   */
  Sink open(String slot, String sourceDatabase) throws SQLException;

  /**
   * Whether the sink writes into the destination database, whose schema the ingester then migrates
   * and whose own writes it must not capture back.
   */
  default boolean usesDestination() {
    return true;
  }
}

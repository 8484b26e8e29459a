package io.bemi.ingester.monitor;

import io.bemi.ingester.pgoutput.Lsn;
import java.time.Instant;

/**
 * One sample of the slot and the server's WAL position, read from {@code pg_replication_slots}
 * on a normal source connection.
 *
 * @param serverWal {@code pg_current_wal_lsn()}
 * @param confirmedFlush the slot's {@code confirmed_flush_lsn}: what the ingester has stored and confirmed
 * @param restart the slot's {@code restart_lsn}: the oldest WAL the server keeps for it (INVALID once the slot is lost)
 * @param walStatus {@code reserved}, {@code extended}, {@code unreserved} or {@code lost}
 * @param maxSlotWalKeepSize the server's {@code max_slot_wal_keep_size} setting, as text ({@code -1}: unlimited)
 * @param sampledAt the ingester's clock when the sample was read
 */
public record SlotPosition(Lsn serverWal, Lsn confirmedFlush, Lsn restart, String walStatus,
    String maxSlotWalKeepSize, Instant sampledAt) {

  /** WAL written on the server that the ingester has not yet stored and confirmed. */
  public long lagBytes() {
    return Math.max(0, serverWal.value() - confirmedFlush.value());
  }

  /** WAL the server keeps on disk for this slot. */
  public long retainedBytes() {
    return restart.isValid() ? Math.max(0, serverWal.value() - restart.value()) : 0;
  }
}

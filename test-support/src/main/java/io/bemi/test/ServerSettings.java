package io.bemi.test;

import java.util.Map;

/** Server settings every test server gets, whatever starts it. */
final class ServerSettings {

  /**
   * Logical replication with room for many slots, plus durability settings that only a crash of
   * the operating system would punish (fine for throwaway test servers).
   */
  static final Map<String, String> LOGICAL_REPLICATION = Map.of(
      "wal_level", "logical",
      "max_replication_slots", "40",
      "max_wal_senders", "40",
      "max_connections", "300",
      "max_prepared_transactions", "10", // PREPARE TRANSACTION in the driver's model-based test
      "fsync", "off",
      // zonky's default is off, which lets a commit reach the walsender up to 200 ms after the
      // client saw it: tests that read the WAL right after a write would race.
      "synchronous_commit", "on",
      "full_page_writes", "off",
      "wal_sender_timeout", "60s",
      "timezone", "UTC");

  private ServerSettings() {}
}

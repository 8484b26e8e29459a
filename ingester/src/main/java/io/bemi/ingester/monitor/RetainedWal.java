package io.bemi.ingester.monitor;

/**
 * What to tell an operator about the WAL a slot retains; {@code status} prints it, {@code run}
 * logs it once each time the threshold is crossed.
 *
 * <p>A slot keeps every WAL segment from its restart LSN until the ingester confirms past it; with
 * no ingester running, the source's disk fills. {@code max_slot_wal_keep_size} caps that, at the
 * price of invalidating the slot (changes beyond it are lost).
 */
public final class RetainedWal {

  private RetainedWal() {}

  /** Whether the server invalidated the slot because it retained more than {@code max_slot_wal_keep_size}. */
  public static boolean lost(String walStatus) {
    return "lost".equals(walStatus);
  }

  /** The explanation for a slot the server invalidated ({@code wal_status = 'lost'}). */
  public static String lostWarning(String maxSlotWalKeepSize) {
    return "the slot was invalidated (wal_status 'lost'): it retained more WAL than max_slot_wal_keep_size = "
        + maxSlotWalKeepSize + " and PostgreSQL removed WAL it still needed. Changes since are lost; run "
        + "`bemi-ingester teardown --yes`, then `setup --snapshot` for a new baseline.";
  }

  /** The explanation for a slot that retains more than {@code thresholdMb}. */
  public static String overThresholdWarning(long retainedBytes, long thresholdMb, String walStatus,
      String maxSlotWalKeepSize) {
    boolean unlimited = "-1".equals(maxSlotWalKeepSize);
    return "the slot retains " + retainedBytes / (1024 * 1024) + " MB of WAL (over " + thresholdMb + " MB). "
        + "PostgreSQL keeps WAL until the ingester confirms it: start or fix `bemi-ingester run`. "
        + "max_slot_wal_keep_size = " + maxSlotWalKeepSize + (unlimited
            ? " (unlimited): WAL grows until the disk is full. To cap it: ALTER SYSTEM SET max_slot_wal_keep_size "
                + "= '50GB'; SELECT pg_reload_conf(); (past the cap PostgreSQL invalidates the slot and the changes "
                + "in between are lost)."
            : ": past it PostgreSQL invalidates the slot and the changes in between are lost (wal_status "
                + walStatus + ").");
  }

  /** What an operator should be told about this slot's retained WAL, or null when nothing. */
  public static String warning(SlotPosition position, long thresholdMb) {
    if (lost(position.walStatus())) {
      return lostWarning(position.maxSlotWalKeepSize());
    }
    if (overThreshold(position.retainedBytes(), thresholdMb)) {
      return overThresholdWarning(position.retainedBytes(), thresholdMb, position.walStatus(),
          position.maxSlotWalKeepSize());
    }
    return null;
  }

  public static boolean overThreshold(long retainedBytes, long thresholdMb) {
    return retainedBytes > thresholdMb * 1024 * 1024;
  }
}

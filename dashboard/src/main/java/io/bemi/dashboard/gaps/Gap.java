package io.bemi.dashboard.gaps;

import io.bemi.history.Change;
import java.time.Instant;
import java.util.List;

/**
 * One row of the destination's {@code gaps} table (V60): a stretch of a source database's history
 * the trail does not hold, because the ingester's slot was lost (a source failover without a
 * failover slot, or a dropped slot). Open ({@code endLsn} null) until the ingester
 * streams again from a new slot.
 *
 * @param startLsn commit LSN of the last stored transaction before the gap
 * @param startAt its commit time: nothing committed after it is known until {@code endAt}
 * @param endLsn where the new slot starts; null while the gap is open
 * @param endAt when the ingester found the new slot; null while the gap is open
 */
public record Gap(
    long id,
    String slot,
    String sourceDatabase,
    long startLsn,
    Instant startAt,
    Long endLsn,
    Instant endAt,
    String reason,
    Instant detectedAt) {

  /** Still open: the ingester has not streamed from a new slot yet. */
  public boolean open() {
    return endLsn == null;
  }

  /**
   * Where the gap falls in a record's history (oldest first): the number of changes committed at
   * or before its start, so 0 is before the first change and {@code history.size()} after the last.
   */
  public int position(List<Change> history) {
    int before = 0;
    for (Change c : history) {
      if (!c.committedAt().isAfter(startAt)) {
        before++;
      }
    }
    return before;
  }
}

package io.bemi.ingester.store;

import io.bemi.sql.Lsn;
import java.time.Instant;

/** The last source transaction stored: its commit LSN, its end LSN (the slot's next flush position) and commit time. */
public record Checkpoint(Lsn commitLsn, Lsn endLsn, Instant committedAt) {}

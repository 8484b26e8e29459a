package io.bemi.history;

import java.time.Instant;

/** A transaction stored under an xid: its source, commit LSN (its identity there), commit time and size. */
public record TransactionCommit(String source, long commitLsn, Instant committedAt, long changes) {}

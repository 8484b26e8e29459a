package io.bemi.ingester.stitch;

import io.bemi.sql.Lsn;
import java.time.Instant;

/**
 * A source transaction as the store sees it. {@code commitLsn} is known from the Begin message
 * (its final LSN), so changes of a large transaction can be stored before its Commit arrives.
 * {@code queuedAt} is when the ingester received the Begin.
 */
public record Transaction(String database, long xid, Lsn commitLsn, Instant committedAt, Instant queuedAt) {}

package io.bemi.history;

import java.time.Instant;
import java.util.UUID;

/**
 * One row of {@code bemi.changes}. Row images and context are JSON text exactly as stored (values
 * as PostgreSQL's {@code to_jsonb} renders them); parse them with the JSON library of your choice.
 *
 * @param primaryKey the key's text, a JSON array text for composite keys, null without a key
 * @param before the row before the change ({@code {}} for CREATE); complete only with REPLICA
 *     IDENTITY FULL, see {@link BemiChanges#diff(UUID)} for old values that are always complete
 * @param after the row after the change ({@code {}} for DELETE and TRUNCATE)
 * @param transactionId the source transaction id (xid)
 * @param commitLsn the LSN of the transaction's commit; with {@code changeIndex}, the commit order
 */
public record Change(
    UUID id,
    String primaryKey,
    String before,
    String after,
    String context,
    String database,
    String schema,
    String table,
    Operation operation,
    Instant committedAt,
    long transactionId,
    long position,
    long commitLsn,
    int changeIndex) {}

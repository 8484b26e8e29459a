package io.bemi.ingester.pgoutput;

import io.bemi.sql.Lsn;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;

/**
 * A decoded pgoutput message (logical replication protocol version 1). Immutable; carries no
 * JDBC or catalog knowledge. {@code Relation} describes the columns the following tuples refer to.
 */
public sealed interface PgOutputMessage {

  MessageType type();

  /** Start of a transaction; {@code finalLsn} is the LSN of its commit record. */
  record Begin(Lsn finalLsn, Instant committedAt, long xid) implements PgOutputMessage {
    @Override
    public MessageType type() {
      return MessageType.BEGIN;
    }
  }

  /** End of a transaction; {@code endLsn} is where the next transaction may start (the slot's restart point). */
  record Commit(int flags, Lsn commitLsn, Lsn endLsn, Instant committedAt) implements PgOutputMessage {
    @Override
    public MessageType type() {
      return MessageType.COMMIT;
    }
  }

  /** The transaction was replayed from another node (replication origin {@code name}). */
  record Origin(Lsn originCommitLsn, String name) implements PgOutputMessage {
    @Override
    public MessageType type() {
      return MessageType.ORIGIN;
    }
  }

  /** A table's current shape; sent before its first change and again after it changes. */
  record Relation(int oid, String namespace, String name, char replicaIdentity, List<Column> columns)
      implements PgOutputMessage {
    public Relation {
      columns = List.copyOf(columns);
    }

    @Override
    public MessageType type() {
      return MessageType.RELATION;
    }
  }

  /** One column of a {@link Relation}. {@code key} marks replica identity columns (all of them under FULL). */
  record Column(boolean key, String name, int typeOid, int typeModifier) {}

  /** Names a non-built-in data type used by a following relation. */
  record Type(int oid, String namespace, String name) implements PgOutputMessage {
    @Override
    public MessageType type() {
      return MessageType.TYPE;
    }
  }

  record Insert(int relationOid, TupleData newTuple) implements PgOutputMessage {
    @Override
    public MessageType type() {
      return MessageType.INSERT;
    }
  }

  /**
   * {@code oldTuple} is null when the server sent none (the key did not change under REPLICA
   * IDENTITY DEFAULT); {@code oldKind} is {@code 'O'} for a full old row, {@code 'K'} for key
   * columns only, and {@code 0} when absent.
   */
  record Update(int relationOid, char oldKind, TupleData oldTuple, TupleData newTuple) implements PgOutputMessage {
    @Override
    public MessageType type() {
      return MessageType.UPDATE;
    }
  }

  /** {@code oldKind} is {@code 'O'} (full old row) or {@code 'K'} (key columns only). */
  record Delete(int relationOid, char oldKind, TupleData oldTuple) implements PgOutputMessage {
    @Override
    public MessageType type() {
      return MessageType.DELETE;
    }
  }

  record Truncate(boolean cascade, boolean restartIdentity, List<Integer> relationOids) implements PgOutputMessage {
    public Truncate {
      relationOids = List.copyOf(relationOids);
    }

    @Override
    public MessageType type() {
      return MessageType.TRUNCATE;
    }
  }

  /**
   * A {@code pg_logical_emit_message}; {@code content} is the raw bytes the writer passed, a
   * read-only slice of the received message (not copied: it may be as large as a row), valid while
   * the message is handled.
   */
  record Message(boolean transactional, Lsn lsn, String prefix, ByteBuffer content) implements PgOutputMessage {

    public Message(boolean transactional, Lsn lsn, String prefix, byte[] content) {
      this(transactional, lsn, prefix, ByteBuffer.wrap(content));
    }

    public Message {
      content = content.slice().asReadOnlyBuffer();
    }

    @Override
    public MessageType type() {
      return MessageType.MESSAGE;
    }
  }
}

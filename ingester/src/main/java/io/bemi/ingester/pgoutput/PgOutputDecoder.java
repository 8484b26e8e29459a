package io.bemi.ingester.pgoutput;

import io.bemi.ingester.pgoutput.PgOutputMessage.Begin;
import io.bemi.ingester.pgoutput.PgOutputMessage.Column;
import io.bemi.ingester.pgoutput.PgOutputMessage.Commit;
import io.bemi.ingester.pgoutput.PgOutputMessage.Delete;
import io.bemi.ingester.pgoutput.PgOutputMessage.Insert;
import io.bemi.ingester.pgoutput.PgOutputMessage.Message;
import io.bemi.ingester.pgoutput.PgOutputMessage.Origin;
import io.bemi.ingester.pgoutput.PgOutputMessage.Relation;
import io.bemi.ingester.pgoutput.PgOutputMessage.Truncate;
import io.bemi.ingester.pgoutput.PgOutputMessage.Type;
import io.bemi.ingester.pgoutput.PgOutputMessage.Update;
import io.bemi.sql.Lsn;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes pgoutput (protocol version 1) messages from the bytes of one XLogData payload.
 *
 * <p>Pure: no JDBC, no catalog, no state between calls. Integers are big-endian, {@code String}
 * is NUL-terminated UTF-8. The wire format of each message is written beside its handler, from
 * the PostgreSQL docs "Logical Replication Message Formats". Anything unexpected (an unknown
 * tag, a short buffer, leftover bytes) throws {@link DecodingException} with the LSN.
 */
public final class PgOutputDecoder {

  /** Microseconds between 1970-01-01 and PostgreSQL's epoch 2000-01-01. */
  private static final long POSTGRES_EPOCH_MICROS = 946_684_800_000_000L;

  private PgOutputDecoder() {}

  /**
   * Decodes the message in {@code buffer} (position at the tag byte, consumed to its end).
   *
   * @param lsn the XLogData start LSN of this message, only used in error messages
   */
  public static PgOutputMessage decode(ByteBuffer buffer, Lsn lsn) {
    if (!buffer.hasRemaining()) {
      throw new DecodingException(lsn, "empty message");
    }
    byte tag = buffer.get();
    MessageType type = MessageType.forTag(tag);
    if (type == null) {
      throw new DecodingException(lsn, "unknown message tag '" + printable(tag) + "' (0x"
          + Integer.toHexString(tag & 0xFF) + "); only pgoutput protocol version 1 without streaming is supported");
    }
    PgOutputMessage message;
    try {
      message = switch (type) {
        case BEGIN -> begin(buffer);
        case COMMIT -> commit(buffer);
        case ORIGIN -> origin(buffer);
        case RELATION -> relation(buffer, lsn);
        case TYPE -> type(buffer);
        case INSERT -> insert(buffer, lsn);
        case UPDATE -> update(buffer, lsn);
        case DELETE -> delete(buffer, lsn);
        case TRUNCATE -> truncate(buffer);
        case MESSAGE -> message(buffer);
      };
    } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
      throw new DecodingException(lsn, type + " message ends early", e);
    }
    if (buffer.hasRemaining()) {
      throw new DecodingException(lsn, type + " message has " + buffer.remaining() + " unexpected trailing bytes");
    }
    return message;
  }

  // Begin: Int64 final LSN of the transaction (its commit record), Int64 commit timestamp
  // (microseconds since 2000-01-01), Int32 xid.
  private static Begin begin(ByteBuffer b) {
    Lsn finalLsn = Lsn.of(b.getLong());
    Instant committedAt = timestamp(b.getLong());
    long xid = Integer.toUnsignedLong(b.getInt());
    return new Begin(finalLsn, committedAt, xid);
  }

  // Commit: Int8 flags (unused, 0), Int64 LSN of the commit, Int64 end LSN of the transaction,
  // Int64 commit timestamp.
  private static Commit commit(ByteBuffer b) {
    int flags = b.get();
    Lsn commitLsn = Lsn.of(b.getLong());
    Lsn endLsn = Lsn.of(b.getLong());
    return new Commit(flags, commitLsn, endLsn, timestamp(b.getLong()));
  }

  // Origin: Int64 commit LSN on the origin server, String origin name.
  private static Origin origin(ByteBuffer b) {
    return new Origin(Lsn.of(b.getLong()), string(b));
  }

  // Relation: Int32 relation OID, String namespace ("" for pg_catalog), String relation name,
  // Int8 replica identity setting (d, n, f, i), Int16 column count, then per column:
  // Int8 flags (1 = part of the key), String name, Int32 type OID, Int32 type modifier.
  private static Relation relation(ByteBuffer b, Lsn lsn) {
    int oid = b.getInt();
    String namespace = string(b);
    String name = string(b);
    char replicaIdentity = (char) b.get();
    int count = b.getShort();
    if (count < 0) {
      throw new DecodingException(lsn, "Relation " + name + " has a negative column count " + count);
    }
    List<Column> columns = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      boolean key = (b.get() & 1) != 0;
      String column = string(b);
      int typeOid = b.getInt();
      int typeModifier = b.getInt();
      columns.add(new Column(key, column, typeOid, typeModifier));
    }
    return new Relation(oid, namespace, name, replicaIdentity, columns);
  }

  // Type: Int32 type OID, String namespace ("" for pg_catalog), String type name.
  private static Type type(ByteBuffer b) {
    int oid = b.getInt();
    return new Type(oid, string(b), string(b));
  }

  // Insert: Int32 relation OID, Byte1 'N', TupleData new row.
  private static Insert insert(ByteBuffer b, Lsn lsn) {
    int relationOid = b.getInt();
    expect(b, 'N', lsn, "Insert");
    return new Insert(relationOid, tuple(b, lsn));
  }

  // Update: Int32 relation OID, then optionally Byte1 'K' (key columns of the old row) or
  // Byte1 'O' (the whole old row) followed by TupleData, then Byte1 'N' and TupleData new row.
  private static Update update(ByteBuffer b, Lsn lsn) {
    int relationOid = b.getInt();
    byte marker = b.get();
    char oldKind = 0;
    TupleData oldTuple = null;
    if (marker == 'K' || marker == 'O') {
      oldKind = (char) marker;
      oldTuple = tuple(b, lsn);
      marker = b.get();
    }
    if (marker != 'N') {
      throw new DecodingException(lsn, "Update expected 'N' before the new row, got '" + printable(marker) + "'");
    }
    return new Update(relationOid, oldKind, oldTuple, tuple(b, lsn));
  }

  // Delete: Int32 relation OID, Byte1 'K' (key columns) or 'O' (whole old row), TupleData.
  private static Delete delete(ByteBuffer b, Lsn lsn) {
    int relationOid = b.getInt();
    byte marker = b.get();
    if (marker != 'K' && marker != 'O') {
      throw new DecodingException(lsn, "Delete expected 'K' or 'O', got '" + printable(marker) + "'");
    }
    return new Delete(relationOid, (char) marker, tuple(b, lsn));
  }

  // Truncate: Int32 relation count, Int8 options (1 = CASCADE, 2 = RESTART IDENTITY),
  // Int32 relation OID per relation.
  private static Truncate truncate(ByteBuffer b) {
    int count = b.getInt();
    int options = b.get();
    List<Integer> oids = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      oids.add(b.getInt());
    }
    return new Truncate((options & 1) != 0, (options & 2) != 0, oids);
  }

  // Message: Int8 flags (1 = transactional), Int64 LSN of the message, String prefix,
  // Int32 content length, Byte[n] content.
  private static Message message(ByteBuffer b) {
    boolean transactional = (b.get() & 1) != 0;
    Lsn messageLsn = Lsn.of(b.getLong());
    String prefix = string(b);
    int length = b.getInt();
    if (length < 0 || length > b.remaining()) {
      throw new BufferUnderflowException();
    }
    ByteBuffer content = b.slice(b.position(), length);
    b.position(b.position() + length);
    return new Message(transactional, messageLsn, prefix, content);
  }

  // TupleData: Int16 column count, then per column Byte1 kind: 'n' NULL, 'u' unchanged TOAST
  // value (not sent), 't' text value or 'b' binary value, the last two followed by Int32 length
  // and Byte[n] value.
  private static TupleData tuple(ByteBuffer b, Lsn lsn) {
    int count = b.getShort();
    List<TupleData.Value> values = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      byte kind = b.get();
      switch (kind) {
        case 'n' -> values.add(TupleData.Value.NULL);
        case 'u' -> values.add(TupleData.Value.UNCHANGED_TOAST);
        case 't', 'b' -> {
          values.add(value(b, kind == 't' ? TupleData.Kind.TEXT : TupleData.Kind.BINARY));
        }
        default -> throw new DecodingException(lsn, "unknown tuple value kind '" + printable(kind)
            + "' in column " + i);
      }
    }
    return new TupleData(values);
  }

  /** The next Int32-length-prefixed value: a slice of the message's array, copied only when it has none. */
  private static TupleData.Value value(ByteBuffer b, TupleData.Kind kind) {
    int length = b.getInt();
    if (length < 0 || length > b.remaining()) {
      throw new BufferUnderflowException();
    }
    if (b.hasArray()) {
      TupleData.Value value = new TupleData.Value(kind, b.array(), b.arrayOffset() + b.position(), length);
      b.position(b.position() + length);
      return value;
    }
    byte[] bytes = new byte[length];
    b.get(bytes);
    return new TupleData.Value(kind, bytes);
  }

  private static void expect(ByteBuffer b, char expected, Lsn lsn, String message) {
    byte actual = b.get();
    if (actual != expected) {
      throw new DecodingException(lsn, message + " expected '" + expected + "', got '" + printable(actual) + "'");
    }
  }

  private static String string(ByteBuffer b) {
    int start = b.position();
    int end = start;
    while (b.get(end) != 0) { // throws IndexOutOfBounds past the limit
      end++;
    }
    String s;
    if (b.hasArray()) {
      s = new String(b.array(), b.arrayOffset() + start, end - start, StandardCharsets.UTF_8);
    } else {
      byte[] bytes = new byte[end - start];
      b.get(start, bytes);
      s = new String(bytes, StandardCharsets.UTF_8);
    }
    b.position(end + 1);
    return s;
  }

  private static Instant timestamp(long postgresMicros) {
    long micros = postgresMicros + POSTGRES_EPOCH_MICROS;
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
  }

  private static String printable(byte b) {
    return b >= 32 && b < 127 ? String.valueOf((char) b) : "\\x" + Integer.toHexString(b & 0xFF);
  }
}

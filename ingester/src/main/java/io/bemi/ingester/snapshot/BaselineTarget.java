package io.bemi.ingester.snapshot;

import io.bemi.ingester.setup.SourceSetup.TrackedTable;
import io.bemi.ingester.stitch.StoreEvent.Change;
import java.sql.SQLException;
import java.util.Map;

/**
 * Where {@link BaselineSnapshot} puts the rows it reads: {@code bemi.changes} of the destination
 * ({@link ChangesBaseline}) or a sink, as Debezium read events ({@code op: "r"}). A target also
 * keeps the per-table progress a later run resumes from.
 */
@FunctionalInterface
public interface BaselineTarget {

  /** A table's earlier copy: the LSN its snapshot was consistent at and whether it finished. */
  record Progress(long snapshotLsn, boolean done) {}

  /** Opens the target for one run over the source database {@code database}. */
  Writer open(String database) throws SQLException;

  /** One run's writes, a table at a time: {@code begin}, {@code row}… with {@code stored} every batch. */
  interface Writer extends AutoCloseable {

    /** Earlier runs' progress by {@code schema.table}. */
    Map<String, Progress> progress() throws SQLException;

    /**
     * A table's copy starts; {@code previous} is its unfinished earlier copy (whose rows a target
     * that can delete them deletes) or null.
     */
    void begin(TrackedTable table, Progress previous, long snapshotLsn, long rowsEstimated) throws SQLException;

    void row(Change change) throws SQLException;

    /** The rows so far are stored (published, delivered) with the progress; {@code last}: the table is done. */
    void stored(TrackedTable table, long rowsDone, boolean last) throws SQLException;

    /** Drops what {@link #stored} did not make durable (the copy failed). */
    void abort() throws SQLException;

    @Override
    void close() throws SQLException;
  }
}

package io.bemi.ingester.sink;

import io.bemi.ingester.stitch.StoreEvent;
import io.bemi.ingester.store.Checkpoint;
import java.sql.SQLException;

/**
 * Where stitched changes go: the destination database ({@code ChangeStore}), Kafka or a webhook.
 * One store thread owns a sink and drives it in stream order:
 *
 * <pre>
 *   storedCheckpoint()                       once, at the start of a session
 *   accept(event)…  commit()                 a batch of whole source transactions, repeated
 *   rollback()                               drops an unfinished batch (stop, failure)
 * </pre>
 *
 * <p>The contract that makes a sink exactly once (or, for a documented at-least-once sink, never
 * lossy): {@link #commit()} returns only after the batch and its checkpoint are durable where
 * {@link #storedCheckpoint()} of a later session reads them, and the ingester confirms the
 * returned end LSN to the slot only then. A sink throws {@link SinkUnavailableException} for
 * outages the ingester should retry (from the stored checkpoint) and anything else to stop.
 */
public interface Sink extends AutoCloseable {

  /** The checkpoint of the last committed batch, or null before the first one. */
  Checkpoint storedCheckpoint() throws SQLException;

  void accept(StoreEvent event) throws SQLException;

  /** Whether a commit now would end on a source transaction boundary with something to confirm. */
  boolean canCommit();

  /** Changes accepted since the last commit. */
  int uncommittedChanges();

  /** Makes the batch durable with its checkpoint and returns the checkpoint, whose end LSN may now be confirmed. */
  Checkpoint commit() throws SQLException;

  /** Drops everything not committed. */
  void rollback() throws SQLException;

  @Override
  void close() throws SQLException;
}

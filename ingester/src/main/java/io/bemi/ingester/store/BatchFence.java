package io.bemi.ingester.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Runs inside each batch's destination transaction just before it commits, on the store's
 * connection; throwing refuses the batch (it is rolled back, nothing is confirmed to the slot).
 * The leader lease uses it to fence a leader that lost its lease.
 */
@FunctionalInterface
public interface BatchFence {

  BatchFence NONE = destination -> {};

  void check(Connection destination) throws SQLException;
}

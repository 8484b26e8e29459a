package io.bemi.ingester.store;

import io.bemi.sql.Lsn;
import java.sql.SQLException;

/**
 * The destination refused the data of a batch (an SQLSTATE of class 22, data exception, or 54,
 * program limit exceeded), which retrying the same batch would never fix. The batch is rolled
 * back; the ingester reads it again and stores the source transactions up to {@link #upTo()} one
 * change at a time, quarantining the change that fails (see {@link ChangeStore#isolateUpTo}).
 */
public final class DataRejectedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Lsn upTo;

  DataRejectedException(SQLException cause, Lsn upTo) {
    super("The destination refused a change of the batch up to commit LSN " + upTo + " (SQLSTATE "
        + cause.getSQLState() + "): " + cause.getMessage(), cause);
    this.upTo = upTo;
  }

  /** Commit LSN of the last source transaction in the refused batch. */
  public Lsn upTo() {
    return upTo;
  }

  static boolean isDataError(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.startsWith("22") || state.startsWith("54"));
  }
}

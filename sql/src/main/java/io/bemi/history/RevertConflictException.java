package io.bemi.history;

import java.sql.SQLException;

/**
 * A revert found a row that changed after the change being reverted (SQLSTATE {@code BM001}) and
 * rolled back without changing anything. Revert the later changes too, or generate the revert
 * with {@code force} to overwrite them.
 */
public final class RevertConflictException extends SQLException {

  private static final long serialVersionUID = 1L;

  /** The SQLSTATE the revert statement raises on a conflict. */
  public static final String SQL_STATE = "BM001";

  RevertConflictException(SQLException cause) {
    super(cause.getMessage(), SQL_STATE, cause);
  }
}

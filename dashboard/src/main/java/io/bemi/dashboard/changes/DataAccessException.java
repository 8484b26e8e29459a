package io.bemi.dashboard.changes;

import java.sql.SQLException;

/** A failed destination query, with its SQL state so an operator can act on it. */
public final class DataAccessException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public DataAccessException(String message, SQLException cause) {
    super(message + " (SQL state " + cause.getSQLState() + "): " + cause.getMessage(), cause);
  }
}

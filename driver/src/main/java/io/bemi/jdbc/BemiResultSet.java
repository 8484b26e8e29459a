package io.bemi.jdbc;

import java.sql.ResultSet;
import java.sql.Statement;

/** A result set whose {@code getStatement()} answers the application's statement, not pgjdbc's. */
final class BemiResultSet extends DelegatingResultSet {

  private final Statement statement;

  BemiResultSet(Statement statement, ResultSet delegate) {
    super(delegate);
    this.statement = statement;
  }

  @Override
  public Statement getStatement() {
    return statement;
  }
}

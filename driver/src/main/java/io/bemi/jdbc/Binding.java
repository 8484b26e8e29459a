package io.bemi.jdbc;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/** One parameter setter call, replayable on another statement with the indexes shifted. */
@FunctionalInterface
interface Binding {
  void bind(PreparedStatement target, int shift) throws SQLException;
}

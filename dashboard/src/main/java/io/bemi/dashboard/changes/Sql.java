package io.bemi.dashboard.changes;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** SQL text with its parameters, built together so every value stays a bind parameter. */
final class Sql {

  private final StringBuilder text = new StringBuilder();
  private final List<Object> params = new ArrayList<>();

  Sql append(String sql, Object... values) {
    text.append(sql);
    params.addAll(List.of(values));
    return this;
  }

  PreparedStatement prepare(Connection c) throws SQLException {
    PreparedStatement ps = c.prepareStatement(text.toString());
    for (int i = 0; i < params.size(); i++) {
      Object value = params.get(i);
      if (value instanceof String[] texts) {
        ps.setArray(i + 1, c.createArrayOf("text", texts));
      } else if (value instanceof java.util.UUID[] ids) {
        ps.setArray(i + 1, c.createArrayOf("uuid", ids));
      } else {
        ps.setObject(i + 1, value);
      }
    }
    return ps;
  }

  @Override
  public String toString() {
    return text + " " + params;
  }
}

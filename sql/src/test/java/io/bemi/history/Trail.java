package io.bemi.history;

import io.bemi.sql.BemiSql;
import io.bemi.sql.Migrations;
import io.bemi.test.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/**
 * Test stand-in for the ingester: a trigger (capture.sql) records every write to a captured table
 * into bemi.changes exactly as the value-mapping contract says (to_jsonb of the rows), so the
 * functions are exercised on real writes of real types.
 */
final class Trail {

  private Trail() {}

  /** Migrates the destination schema "bemi" and installs the capture trigger function. */
  static void install(TestDatabase db) throws SQLException {
    Migrations.migrate(db.dataSource(), BemiSql.DEFAULT_SCHEMA);
    try (InputStream in = Trail.class.getResourceAsStream("capture.sql")) {
      db.execute(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Records every change of {@code table} (a quoted, qualified name) from now on. */
  static void capture(TestDatabase db, String table) throws SQLException {
    db.execute(
        "CREATE TRIGGER bemi_test_capture AFTER INSERT OR UPDATE OR DELETE ON " + table
            + " FOR EACH ROW EXECUTE FUNCTION bemi_test_capture()",
        "CREATE TRIGGER bemi_test_capture_truncate BEFORE TRUNCATE ON " + table
            + " FOR EACH STATEMENT EXECUTE FUNCTION bemi_test_capture()");
  }

  /** Runs a writing transaction, then returns the instant just after its commit. */
  static Timestamp write(TestDatabase db, String... statements) throws SQLException {
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      for (String sql : statements) {
        s.execute(sql);
      }
      c.commit();
      try (ResultSet rs = s.executeQuery("SELECT clock_timestamp()")) {
        rs.next();
        return rs.getTimestamp(1);
      }
    }
  }

  /** One column of a query's rows, as text. */
  static List<String> column(TestDatabase db, String sql, Object... args) throws SQLException {
    try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      List<String> values = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          values.add(rs.getString(1));
        }
      }
      return values;
    }
  }
}

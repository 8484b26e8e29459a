package io.bemi.dashboard;

import io.bemi.sql.Migrations;
import io.bemi.test.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * A realistic audit trail for tests: real source rows in {@code public.*}, and the changes the
 * ingester would have stored for them, {@code before}/{@code after} taken with {@code to_jsonb}.
 *
 * <p>The story (all on 2024-05-01, UTC):
 * <pre>
 *  09:00 tx 99  {"job":"import"}                               CREATE orders 2
 *  10:00 tx 100 {"userId":42,"endpoint":"POST /orders",…r-1}    CREATE orders 1 (new, 10.50)
 *  11:00 tx 101 {"userId":42,"endpoint":"PUT /orders/1",…r-2}   UPDATE orders 1 status new→paid
 *  12:00 tx 102 {"userId":"7","endpoint":"/admin/notes",…r-3}   CREATE customers 5, UPDATE orders 1 note=&lt;script&gt;
 *  13:00 tx 103 {}                                              DELETE orders 2
 * </pre>
 */
public final class Trail {

  public static final Instant T0900 = at("09:00");
  public static final Instant T1000 = at("10:00");
  public static final Instant T1100 = at("11:00");
  public static final Instant T1200 = at("12:00");
  public static final Instant T1300 = at("13:00");
  public static final String HOSTILE = "<script>alert('xss')</script>\"><img src=x onerror=alert(1)>";

  private final TestDatabase db;
  private long lsn = 0x1000000;

  public Trail(TestDatabase db) {
    this.db = db;
  }

  public static Instant at(String hhmm) {
    return Instant.parse("2024-05-01T" + hhmm + ":00Z");
  }

  /** Migrates the destination schema and writes the story above. */
  public Trail story() throws SQLException {
    Migrations.migrate(db.dataSource(), "bemi");
    db.execute(
        "CREATE TABLE public.orders (id int PRIMARY KEY, status text NOT NULL, total numeric(10,2), note text, tags text[])",
        "CREATE TABLE public.customers (id int PRIMARY KEY, name text NOT NULL)");
    try (Connection c = db.connect()) {
      c.createStatement().execute("INSERT INTO public.orders VALUES (2, 'imported', 99.99, null, '{bulk}')");
      store(c, 99, T0900, "{\"job\":\"import\"}", change("orders", "2", "CREATE", "{}", row(c, "orders", 2)));

      c.createStatement().execute("INSERT INTO public.orders VALUES (1, 'new', 10.50, null, '{}')");
      store(c, 100, T1000, "{\"userId\":42,\"endpoint\":\"POST /orders\",\"requestId\":\"r-1\"}",
          change("orders", "1", "CREATE", "{}", row(c, "orders", 1)));

      String before = row(c, "orders", 1);
      c.createStatement().execute("UPDATE public.orders SET status = 'paid' WHERE id = 1");
      store(c, 101, T1100, "{\"userId\":42,\"endpoint\":\"PUT /orders/1\",\"requestId\":\"r-2\"}",
          change("orders", "1", "UPDATE", before, row(c, "orders", 1)));

      c.createStatement().execute("INSERT INTO public.customers VALUES (5, 'Ann')");
      String customer = row(c, "customers", 5);
      before = row(c, "orders", 1);
      try (PreparedStatement ps = c.prepareStatement("UPDATE public.orders SET note = ? WHERE id = 1")) {
        ps.setString(1, HOSTILE);
        ps.execute();
      }
      store(c, 102, T1200, "{\"userId\":\"7\",\"endpoint\":\"/admin/notes\",\"requestId\":\"r-3\"}",
          change("customers", "5", "CREATE", "{}", customer),
          change("orders", "1", "UPDATE", before, row(c, "orders", 1)));

      before = row(c, "orders", 2);
      c.createStatement().execute("DELETE FROM public.orders WHERE id = 2");
      store(c, 103, T1300, "{}", change("orders", "2", "DELETE", before, "{}"));
    }
    return this;
  }

  record Row(String table, String pk, String op, String before, String after) {}

  static Row change(String table, String pk, String op, String before, String after) {
    return new Row(table, pk, op, before, after);
  }

  private static String row(Connection c, String table, int id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT to_jsonb(t)::text FROM public." + table + " t WHERE id = ?")) {
      ps.setInt(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  /** Stores one transaction's changes as the ingester would. */
  private void store(Connection c, long tx, Instant committedAt, String context, Row... rows) throws SQLException {
    lsn += 0x1000;
    long commitLsn = lsn;
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO bemi.changes (primary_key, before, after, context, database,"
        + " schema, \"table\", operation, committed_at, queued_at, transaction_id, position, commit_lsn, change_index)"
        + " VALUES (?, ?::jsonb, ?::jsonb, ?::jsonb, current_database(), 'public', ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (int i = 0; i < rows.length; i++) {
        Row r = rows[i];
        ps.setString(1, r.pk());
        ps.setString(2, r.before());
        ps.setString(3, r.after());
        ps.setString(4, context);
        ps.setString(5, r.table());
        ps.setString(6, r.op());
        ps.setObject(7, committedAt.atOffset(ZoneOffset.UTC));
        ps.setObject(8, committedAt.plusMillis(40).atOffset(ZoneOffset.UTC));
        ps.setLong(9, tx);
        ps.setLong(10, commitLsn - 0x100 + i * 0x10);
        ps.setLong(11, commitLsn);
        ps.setInt(12, i);
        ps.executeUpdate();
      }
    }
  }

  /** The id of the only change matching a WHERE clause on bemi.changes. */
  public String changeId(String where) throws SQLException {
    return String.valueOf(db.queryValue("SELECT id FROM bemi.changes WHERE " + where));
  }
}

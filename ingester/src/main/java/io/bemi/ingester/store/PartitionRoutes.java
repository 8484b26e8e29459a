package io.bemi.ingester.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Which partition of {@code changes} the ingester's {@code COPY} goes into, when it may bypass the
 * partitioned root: then the root's statement trigger {@code changes_count_activity} does not fire,
 * and the store counts the activity of what it copied itself ({@link ActivityCounts}), in the same
 * destination transaction. The trigger's cost is capturing every inserted row into its transition
 * table: 3–9 % of the destination backend's CPU per change in the drain (docs/benchmarks.md).
 *
 * <p>Routed only when nothing the root's statement would do is lost: the role may insert into the
 * root and the partition, and read and update {@code activity} when the trigger counts; the root has
 * no other statement-level INSERT trigger and no row security (row triggers and constraints are the
 * partitions' own too). Otherwise, and for a change no listed partition holds, the COPY goes to the
 * root as before. Loaded in the batch's transaction each time the partitions are extended, so it
 * sees the partitions that transaction created; the root's privilege is checked again before each
 * batch commits ({@link #checkRootInsert}), so revoking it stops the ingester as it always did.
 */
final class PartitionRoutes {

  /** Before the first load: everything goes to {@code changes}. */
  static final PartitionRoutes ROOT = root("not loaded");

  private record Route(Instant from, Instant until, String table) { // from null: MINVALUE
    boolean holds(Instant at) {
      return (from == null || !at.isBefore(from)) && at.isBefore(until);
    }
  }

  private final List<Route> routes;
  private final boolean counts;
  private final String rootReason; // why everything goes through the root; null when it does not
  private Route last;

  private PartitionRoutes(List<Route> routes, boolean counts, String rootReason) {
    this.routes = routes;
    this.counts = counts;
    this.rootReason = rootReason;
  }

  private static PartitionRoutes root(String reason) {
    return new PartitionRoutes(List.of(), false, reason);
  }

  /** The routes this session's role may take now, in the open transaction. */
  static PartitionRoutes load(Connection connection, String schema) throws SQLException {
    // functions qualified, operators on the exact types of pg_catalog's: nothing planted in a schema
    // of the search path wins over them (the store's session also pins search_path)
    String root = schema + ".changes";
    String activity = schema + ".activity";
    String countsActivity = "tgname = 'changes_count_activity' AND tgfoid = '" + schema + ".count_activity()'::regprocedure::oid";
    boolean trigger;
    try (Statement s = connection.createStatement();
         ResultSet rs = s.executeQuery("SELECT"
             // the activity trigger, firing in an ordinary session ('O'rigin and 'A'lways)
             + " EXISTS (SELECT FROM pg_catalog.pg_trigger WHERE tgrelid = '" + root + "'::regclass::oid AND " + countsActivity
             + "          AND tgenabled IN ('O', 'A')),"
             // any other statement-level INSERT trigger on the root (tgtype: 1 row, 4 insert)
             + " (SELECT pg_catalog.string_agg(tgname, ', ') FROM pg_catalog.pg_trigger WHERE tgrelid = '" + root
             + "'::regclass::oid AND NOT tgisinternal AND NOT (" + countsActivity + ")"
             + "          AND tgtype::integer & 1 = 0 AND tgtype::integer & 4 <> 0),"
             + " (SELECT relrowsecurity FROM pg_catalog.pg_class WHERE oid = '" + root + "'::regclass::oid),"
             + " pg_catalog.has_table_privilege('" + root + "', 'INSERT'),"
             + " pg_catalog.has_table_privilege('" + activity + "', 'INSERT')"
             + "   AND pg_catalog.has_table_privilege('" + activity + "', 'UPDATE')"
             + "   AND pg_catalog.has_table_privilege('" + activity + "', 'SELECT')")) {
      rs.next();
      trigger = rs.getBoolean(1);
      if (rs.getString(2) != null) {
        return root(root + " has a statement trigger of its own (" + rs.getString(2) + "), which must see every row");
      } else if (rs.getBoolean(3)) {
        return root(root + " has row-level security");
      } else if (!rs.getBoolean(4)) {
        return root("this role may not insert into " + root);
      } else if (trigger && !rs.getBoolean(5)) {
        return root("this role may not insert into and update " + activity);
      }
    }
    List<Route> routes = new ArrayList<>();
    try (Statement s = connection.createStatement();
         ResultSet rs = s.executeQuery("SELECT p.name, p.from_at, p.until_at FROM (SELECT pg_catalog.format('%I.%I', '"
             + schema + "', partition_name) AS name, from_at, until_at FROM " + schema + ".changes_partitions()) p"
             + " WHERE pg_catalog.has_table_privilege(p.name, 'INSERT') ORDER BY p.until_at")) {
      while (rs.next()) {
        routes.add(new Route(rs.getTimestamp(2) == null ? null : rs.getTimestamp(2).toInstant(),
            rs.getTimestamp(3).toInstant(), rs.getString(1)));
      }
    }
    return routes.isEmpty() ? root("this role may not insert into any partition of " + root)
        : new PartitionRoutes(List.copyOf(routes), trigger, null);
  }

  /**
   * Refuses, as PostgreSQL would refuse a COPY into the root, when the role may no longer insert
   * into {@code changes}: a REVOKE on the trail stops the ingester even though the partitions'
   * own privileges would still let it write.
   */
  static void checkRootInsert(Connection connection, String schema) throws SQLException {
    try (Statement s = connection.createStatement();
         ResultSet rs = s.executeQuery("SELECT pg_catalog.has_table_privilege('" + schema + ".changes', 'INSERT')")) {
      rs.next();
      if (!rs.getBoolean(1)) {
        throw new SQLException("permission denied for table changes: this role may no longer insert into " + schema
            + ".changes (the ingester copies into its partitions only while it may insert through it)", "42501");
      }
    }
  }

  /** The partition to copy a change committed at {@code at} into, or null: the root. */
  String tableFor(Instant at) {
    if (last != null && last.holds(at)) {
      return last.table();
    }
    for (Route route : routes) {
      if (route.holds(at)) {
        last = route;
        return route.table();
      }
    }
    return null;
  }

  /** Why every change goes through the root, or null when changes are copied into partitions. */
  String rootReason() {
    return rootReason;
  }

  /** Whether what is copied into a partition must be counted by the store (the root's trigger would have). */
  boolean counts() {
    return counts;
  }
}

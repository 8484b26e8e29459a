package io.bemi.ingester.setup;

import io.bemi.ingester.rules.TablePattern;
import io.bemi.ingester.setup.SourceSetup.TrackedTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Whether the source still is as {@code setup} left it for its {@link TableChoice}: tables created
 * since that the choice takes in but the publication lacks (nothing of theirs is captured), and
 * tracked tables or partitions without {@code REPLICA IDENTITY FULL} (their UPDATEs and DELETEs
 * carry only the key as the old row). Both are fixed by running setup again with the same options.
 *
 * @param published the tables the publication has ({@link #publishedTables})
 * @param untracked tables the choice takes in that the publication lacks
 * @param withoutFullIdentity published tables and their partitions without REPLICA IDENTITY FULL
 */
public record SetupCoverage(String publication, TableChoice choice, List<String> published, List<String> untracked,
    List<String> withoutFullIdentity) {

  /**
   * The coverage of {@code publication}; null when it does not exist or setup did not record its
   * choice on it (made by hand, or by a release before this check). {@code trailSchema}: see
   * {@link #publishedTables}.
   */
  public static SetupCoverage read(Connection source, String publication, String trailSchema) throws SQLException {
    TableChoice choice;
    try (PreparedStatement s = source.prepareStatement("SELECT obj_description(p.oid, 'pg_publication')"
        + " FROM pg_publication p WHERE p.pubname OPERATOR(pg_catalog.=) ?")) {
      s.setString(1, publication);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next() || (choice = TableChoice.fromComment(rs.getString(1))) == null) {
          return null;
        }
      }
    }
    List<String> published = publishedTables(source, publication, trailSchema);
    Set<String> publishedNames = Set.copyOf(published);
    List<TrackedTable> wanted = SourceSetup.trackedTables(source, choice, false);
    Set<String> untrackedRoots = new HashSet<>();
    List<String> untracked = new ArrayList<>();
    for (TrackedTable table : wanted) {
      String name = TablePattern.nameOf(table.schema(), table.table());
      if (!table.partition() && !publishedNames.contains(name)) {
        untracked.add(name);
        untrackedRoots.add(name);
      }
    }
    List<String> withoutFullIdentity = new ArrayList<>();
    for (TrackedTable table : wanted) {
      String name = TablePattern.nameOf(table.schema(), table.table());
      if (!table.replicaIdentityFull() && !untrackedRoots.contains(name)
          && !untrackedRoots.contains(TablePattern.nameOf(table.rootSchema(), table.rootTable()))) {
        withoutFullIdentity.add(name);
      }
    }
    return new SetupCoverage(publication, choice, List.copyOf(published), List.copyOf(untracked),
        List.copyOf(withoutFullIdentity));
  }

  /**
   * The tables {@code publication} publishes, as {@link TablePattern#nameOf}, sorted; partitions count as
   * their root. Read from pg_publication_tables, not pg_publication_rel: a publication edited by
   * hand to FOR TABLES IN SCHEMA (or FOR ALL TABLES) publishes tables it has no row of its own for,
   * and without publish_via_partition_root it lists partitions.
   *
   * @param trailSchema the destination schema when the trail lives in this source database (the
   *     ingester never captures its tables, though FOR ALL TABLES publishes them), else null
   */
  public static List<String> publishedTables(Connection source, String publication, String trailSchema)
      throws SQLException {
    List<String> published = new ArrayList<>();
    try (PreparedStatement s = source.prepareStatement("SELECT DISTINCT rn.nspname, r.relname"
        + " FROM pg_publication_tables t"
        + " JOIN pg_namespace tn ON tn.nspname OPERATOR(pg_catalog.=) t.schemaname"
        + " JOIN pg_class tc ON tc.relnamespace OPERATOR(pg_catalog.=) tn.oid"
        + " AND tc.relname OPERATOR(pg_catalog.=) t.tablename"
        + " JOIN pg_class r ON r.oid OPERATOR(pg_catalog.=) coalesce(pg_partition_root(tc.oid), tc.oid)"
        + " JOIN pg_namespace rn ON rn.oid OPERATOR(pg_catalog.=) r.relnamespace"
        + " WHERE t.pubname OPERATOR(pg_catalog.=) ?"
        + " AND (?::text IS NULL OR rn.nspname OPERATOR(pg_catalog.<>) ?::text)"
        + " ORDER BY 1, 2")) {
      s.setString(1, publication);
      s.setString(2, trailSchema);
      s.setString(3, trailSchema);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          published.add(TablePattern.nameOf(rs.getString(1), rs.getString(2)));
        }
      }
    }
    return published;
  }

  /** Nothing to do: every table of the choice is published and has REPLICA IDENTITY FULL. */
  public boolean complete() {
    return untracked.isEmpty() && withoutFullIdentity.isEmpty();
  }

  /** What is wrong and what to do, one line each (none when {@link #complete()}). */
  public List<String> warnings() {
    List<String> warnings = new ArrayList<>();
    String fix = "Run `" + choice.setupCommand("") + "` again (the options setup was given)";
    if (!untracked.isEmpty()) {
      warnings.add(untracked.size() + " table(s) created since setup are not in publication " + publication
          + ", so none of their changes is captured: " + SourceSetup.abbreviated(untracked) + ". " + fix
          + "; to also record the rows they hold now as their baseline, run `"
          + choice.setupCommand(TableChoice.option("--snapshot-tables", untracked)) + "`");
    }
    if (!withoutFullIdentity.isEmpty()) {
      warnings.add(withoutFullIdentity.size() + " tracked table(s) or partition(s) lack REPLICA IDENTITY FULL, so "
          + "their UPDATEs and DELETEs carry only the key as the old row: " + SourceSetup.abbreviated(withoutFullIdentity)
          + ". " + fix);
    }
    return warnings;
  }
}

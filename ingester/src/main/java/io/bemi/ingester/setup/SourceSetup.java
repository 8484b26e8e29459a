package io.bemi.ingester.setup;

import io.bemi.ingester.rules.TablePattern;
import io.bemi.sql.BemiSql;
import io.bemi.sql.SqlNames;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders and runs the source setup and teardown scripts of the sql module
 * ({@code source/setup.sql}, {@code source/teardown.sql}).
 */
public final class SourceSetup {

  /** A table to track; partitions get REPLICA IDENTITY FULL but are published through their root. */
  public record TrackedTable(String schema, String table, boolean partition) {
    public String qualified() {
      return SqlNames.identifier(schema) + "." + SqlNames.identifier(table);
    }
  }

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(\\w+)}");

  private static final Logger LOG = LoggerFactory.getLogger(SourceSetup.class);

  private SourceSetup() {}

  /** @throws IllegalStateException with the exact fix when wal_level is not logical */
  public static void requireLogicalWal(Connection source) throws SQLException {
    try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery("SHOW wal_level")) {
      rs.next();
      String level = rs.getString(1);
      if (!"logical".equals(level)) {
        throw new IllegalStateException("wal_level is '" + level + "' but the ingester needs 'logical'. Fix: run "
            + "ALTER SYSTEM SET wal_level = logical; as a superuser and restart PostgreSQL (managed services: "
            + "set the parameter there, e.g. rds.logical_replication = 1 on AWS RDS)");
      }
    }
  }

  /** The tables setup would track, from {@code source/tracked-tables.sql}; {@code tables} may be patterns. */
  public static List<TrackedTable> trackedTables(Connection source, String destinationSchema, List<String> schemas,
      List<String> tables) throws SQLException {
    return trackedTables(source, destinationSchema, schemas, tables, List.of());
  }

  /**
   * The tables setup would track: those of {@code schemas} (all when empty) whose root table
   * matches one of {@code tables} (all when empty) and none of {@code excludedTables}, with their
   * partitions. Patterns are {@link TablePattern}s.
   *
   * @throws IllegalArgumentException for a bad pattern, or a table named exactly that does not exist
   */
  public static List<TrackedTable> trackedTables(Connection source, String destinationSchema, List<String> schemas,
      List<String> tables, List<String> excludedTables) throws SQLException {
    List<TablePattern> include = patterns(tables);
    List<TablePattern> exclude = patterns(excludedTables);
    List<TrackedTable> result = new ArrayList<>();
    List<TrackedTable> unlogged = new ArrayList<>();
    List<TablePattern> matched = new ArrayList<>();
    try (PreparedStatement s = source.prepareStatement(BemiSql.read("source/tracked-tables.sql"))) {
      Array schemaArray = source.createArrayOf("text", schemas.toArray());
      s.setString(1, destinationSchema);
      s.setArray(2, schemaArray);
      s.setArray(3, schemaArray);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          String rootSchema = rs.getString(4);
          String rootTable = rs.getString(5);
          List<TablePattern> including = include.stream().filter(p -> p.matches(rootSchema, rootTable)).toList();
          matched.addAll(including);
          if ((include.isEmpty() || !including.isEmpty())
              && exclude.stream().noneMatch(p -> p.matches(rootSchema, rootTable))) {
            TrackedTable table = new TrackedTable(rs.getString(1), rs.getString(2), rs.getBoolean(3));
            if (rs.getBoolean(6)) {
              unlogged.add(table);
              if (including.stream().anyMatch(TablePattern::isExactName) && !table.partition()) {
                throw new IllegalArgumentException("Table " + table.schema() + "." + table.table() + " is UNLOGGED:"
                    + " PostgreSQL writes no WAL for it, so its changes cannot be captured. Run ALTER TABLE "
                    + table.qualified() + " SET LOGGED to track it, or leave it out of --tables");
              }
            } else {
              result.add(table);
            }
          }
        }
      }
    }
    if (!unlogged.isEmpty()) {
      LOG.warn("Not tracking {} unlogged table(s): {}. PostgreSQL writes no WAL for them, so their changes cannot"
          + " be captured; ALTER TABLE … SET LOGGED to track one", unlogged.size(),
          String.join(", ", unlogged.stream().map(TrackedTable::qualified).toList()));
    }
    for (TablePattern wanted : include) {
      if (wanted.isExactName() && !matched.contains(wanted)) {
        throw new IllegalArgumentException("Table " + wanted + " not found"
            + (schemas.isEmpty() ? "" : " in schemas " + String.join(",", schemas))
            + " (or it is in the destination schema " + destinationSchema + "); check --tables");
      }
    }
    return result;
  }

  private static List<TablePattern> patterns(List<String> texts) {
    return texts == null ? List.of() : texts.stream().filter(t -> !t.isBlank()).map(TablePattern::parse).toList();
  }

  /**
   * The setup script's statements for these tables, for the source as it is now: the publication
   * is created, or updated when it exists.
   *
   * @throws IllegalStateException when a slot of that name belongs to another database
   */
  public static List<String> setupStatements(Connection source, List<TrackedTable> tables, String publication,
      String slot) throws SQLException {
    requireSlotOfThisDatabase(source, slot);
    return setupStatements(tables, publication, slot, publicationExists(source, publication));
  }

  /** The setup script's statements; {@code publicationExists} picks CREATE or ALTER PUBLICATION. */
  public static List<String> setupStatements(List<TrackedTable> tables, String publication, String slot,
      boolean publicationExists) {
    if (tables.isEmpty()) {
      throw new IllegalArgumentException("No tables to track: create tables first, or choose them with "
          + "--schemas/--tables/--exclude-tables");
    }
    List<String> replicaIdentity = new ArrayList<>();
    List<String> published = new ArrayList<>();
    for (TrackedTable table : tables) {
      replicaIdentity.add("ALTER TABLE " + table.qualified() + " REPLICA IDENTITY FULL;");
      if (!table.partition()) {
        published.add(table.qualified());
      }
    }
    List<String> result = new ArrayList<>();
    // Split first, then fill in: a name can never change where a statement ends.
    for (String template : statements(BemiSql.read("source/setup.sql"))) {
      boolean onlyWhenExists = template.contains("[when the publication exists]");
      boolean onlyWhenMissing = template.contains("[when the publication does not exist]");
      if ((onlyWhenExists && !publicationExists) || (onlyWhenMissing && publicationExists)) {
        continue;
      }
      if (template.contains("${replica_identity}")) {
        result.addAll(replicaIdentity);
        continue;
      }
      result.add(fill(template, Map.of("tables", String.join(", ", published), "publication",
          SqlNames.identifier(publication), "slot_literal", SqlNames.literal(slot))));
    }
    return result;
  }

  private static boolean publicationExists(Connection source, String publication) throws SQLException {
    try (PreparedStatement s = source.prepareStatement(
        "SELECT 1 FROM pg_catalog.pg_publication WHERE pubname OPERATOR(pg_catalog.=) ?")) {
      s.setString(1, publication);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next();
      }
    }
  }

  /**
   * A slot name is unique per server, not per database: a slot of that name made for another
   * database cannot stream this one. Said here, before setup reports success.
   */
  static void requireSlotOfThisDatabase(Connection source, String slot) throws SQLException {
    try (PreparedStatement s = source.prepareStatement("SELECT database, plugin FROM pg_catalog.pg_replication_slots"
        + " WHERE slot_name OPERATOR(pg_catalog.=) ? AND database IS DISTINCT FROM pg_catalog.current_database()")) {
      s.setString(1, slot);
      try (ResultSet rs = s.executeQuery()) {
        if (rs.next()) {
          String database = rs.getString(1);
          throw new IllegalStateException("The replication slot " + slot + " already exists for "
              + (database == null ? "physical replication" : "database " + database) + "; slot names are unique per "
              + "server, so each tracked database needs its own: choose another with --slot (e.g. --slot bemi_"
              + "<database>) and pass the same --slot to run");
        }
      }
    }
  }

  /** Whether a setup statement is the one that creates the slot (the script's last). */
  public static boolean createsSlot(String statement) {
    return statement.contains("pg_create_logical_replication_slot");
  }

  public static List<String> teardownStatements(String publication, String slot, String origin) {
    return statements(BemiSql.read("source/teardown.sql")).stream()
        .map(template -> fill(template, Map.of("publication", SqlNames.identifier(publication), "slot_literal", SqlNames.literal(slot),
            "origin_literal", SqlNames.literal(origin))))
        .toList();
  }

  /** Runs statements one by one in autocommit mode. */
  public static void execute(Connection source, List<String> statements) throws SQLException {
    source.setAutoCommit(true);
    try (Statement s = source.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  /**
   * Puts values in for the template's dollar-brace placeholders in one pass, so a value that
   * itself looks like a placeholder (a table named that) stays as it is.
   */
  static String fill(String template, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalStateException("No value for placeholder " + m.group() + " in " + template);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    return m.appendTail(out).toString();
  }

  /** Splits a script template (never a rendered one) into statements at blank lines, dropping comment-only parts. */
  static List<String> statements(String script) {
    List<String> result = new ArrayList<>();
    for (String part : script.split("\\n\\s*\\n")) {
      boolean hasCode = part.lines().anyMatch(line -> !line.isBlank() && !line.trim().startsWith("--"));
      if (hasCode) {
        result.add(part.strip());
      }
    }
    return result;
  }
}

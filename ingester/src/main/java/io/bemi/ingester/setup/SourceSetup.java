package io.bemi.ingester.setup;

import io.bemi.ingester.fault.Fault;
import io.bemi.ingester.fault.MisconfigurationException;
import io.bemi.ingester.leader.Role;
import io.bemi.ingester.rules.TablePattern;
import io.bemi.sql.BemiSql;
import io.bemi.sql.SqlNames;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders and runs the source setup and teardown scripts of the sql module
 * ({@code source/setup.sql}, {@code source/teardown.sql}).
 */
public final class SourceSetup {

  /**
   * A table to track; partitions get REPLICA IDENTITY FULL but are published through their root.
   *
   * @param rootSchema the schema of its partition tree's root (its own for a table that is no partition)
   * @param rootTable its partition tree's root (itself for a table that is no partition)
   * @param replicaIdentityFull it has it already (setup then leaves it alone: the ALTER would take
   *     an ACCESS EXCLUSIVE lock)
   * @param owner its owner's role
   * @param owned the setup session has its owner's privileges (ALTER TABLE and publishing it need them)
   * @param schemaUsable the setup session has USAGE on its schema (both need that too)
   */
  public record TrackedTable(String schema, String table, boolean partition, String rootSchema, String rootTable,
      boolean replicaIdentityFull, String owner, boolean owned, boolean schemaUsable) {

    public String qualified() {
      return SqlNames.identifier(schema) + "." + SqlNames.identifier(table);
    }
  }

  /** How often a setup statement is tried when it cannot get its locks in time. */
  public static final int LOCK_ATTEMPTS = 5;

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

  /**
   * Stops setup on a standby (a read replica's URL given by mistake): it could neither alter a
   * table nor create the publication there.
   *
   * @throws MisconfigurationException saying to run setup against the primary
   */
  public static void requirePrimary(Connection source) throws SQLException {
    try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
      rs.next();
      if (rs.getBoolean(1)) {
        throw new MisconfigurationException(new Fault(Role.MISCONFIGURED, "The source is a standby (in recovery), "
            + "where setup can neither alter tables nor create the publication: run setup against the primary, which "
            + "the standby then replays (--print-sql works against a standby)"), null);
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
    return trackedTables(source, new TableChoice(destinationSchema, schemas, tables, excludedTables), true);
  }

  /**
   * The tables {@code choice} takes in. {@code strict}: as setup needs them, logging the unlogged
   * tables left out and refusing a table named exactly that does not exist or is unlogged;
   * otherwise, as a later check of the same choice needs them, silently.
   */
  static List<TrackedTable> trackedTables(Connection source, TableChoice choice, boolean strict) throws SQLException {
    String destinationSchema = choice.destinationSchema();
    List<String> schemas = choice.schemas();
    List<TablePattern> include = patterns(choice.tables());
    List<TablePattern> exclude = patterns(choice.excludeTables());
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
            TrackedTable table = new TrackedTable(rs.getString(1), rs.getString(2), rs.getBoolean(3), rootSchema,
                rootTable, rs.getBoolean(7), rs.getString(8), rs.getBoolean(9), rs.getBoolean(10));
            if (rs.getBoolean(6)) {
              unlogged.add(table);
              if (strict && including.stream().anyMatch(TablePattern::isExactName) && !table.partition()) {
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
    if (!strict) {
      return result;
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
    return setupStatements(source, tables, null, publication, slot);
  }

  /**
   * {@link #setupStatements(Connection, List, String, String)}, recording {@code choice} (what the
   * tables were chosen by; null: not recorded) as the publication's comment for {@link SetupCoverage}.
   */
  public static List<String> setupStatements(Connection source, List<TrackedTable> tables, TableChoice choice,
      String publication, String slot) throws SQLException {
    requireSlotOfThisDatabase(source, slot);
    return setupStatements(tables, choice, publication, slot, publicationExists(source, publication));
  }

  /** The setup script's statements; {@code publicationExists} picks CREATE or ALTER PUBLICATION. */
  private static List<String> setupStatements(List<TrackedTable> tables, TableChoice choice, String publication,
      String slot, boolean publicationExists) {
    if (tables.isEmpty()) {
      throw new IllegalArgumentException("No tables to track: create tables first, or choose them with "
          + "--schemas/--tables/--exclude-tables");
    }
    List<String> replicaIdentity = new ArrayList<>();
    List<String> published = new ArrayList<>();
    for (TrackedTable table : tables) {
      if (!table.replicaIdentityFull()) {
        replicaIdentity.add("ALTER TABLE " + table.qualified() + " REPLICA IDENTITY FULL;");
      }
      if (!table.partition()) {
        published.add(table.qualified());
      }
    }
    List<String> result = new ArrayList<>();
    // Split first, then fill in: a name can never change where a statement ends.
    for (String template : statements(BemiSql.read("source/setup.sql"))) {
      boolean onlyWhenExists = template.contains("[when the publication exists]");
      boolean onlyWhenMissing = template.contains("[when the publication does not exist]");
      boolean onlyWithChoice = template.contains("[when the choice is recorded]");
      if ((onlyWhenExists && !publicationExists) || (onlyWhenMissing && publicationExists)
          || (onlyWithChoice && choice == null)) {
        continue;
      }
      if (template.contains("${replica_identity}")) {
        result.addAll(replicaIdentity);
        continue;
      }
      result.add(fill(template, Map.of("tables", String.join(", ", published), "publication",
          SqlNames.identifier(publication), "slot_literal", SqlNames.literal(slot), "choice_literal",
          choice == null ? "NULL" : SqlNames.literal(choice.toComment()))));
    }
    return result;
  }

  /**
   * @throws IllegalArgumentException for a FOR ALL TABLES publication (made by hand), which no
   *     ALTER PUBLICATION can give a table list
   */
  private static boolean publicationExists(Connection source, String publication) throws SQLException {
    try (PreparedStatement s = source.prepareStatement(
        "SELECT puballtables FROM pg_catalog.pg_publication WHERE pubname OPERATOR(pg_catalog.=) ?")) {
      s.setString(1, publication);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return false;
        }
        if (rs.getBoolean(1)) {
          throw new IllegalArgumentException("Publication " + publication + " is FOR ALL TABLES (made by hand):"
              + " setup keeps a publication of the tables it tracks, which PostgreSQL cannot make of this one."
              + " Drop it (DROP PUBLICATION " + SqlNames.identifier(publication) + ") or choose another --publication");
        }
        return true;
      }
    }
  }

  /**
   * Stops setup before it changes anything when its role lacks what the statements need: the
   * privileges of each tracked table's owner and USAGE on its schema (ALTER TABLE … REPLICA
   * IDENTITY and adding a table to a publication require them), of the publication's owner when it
   * exists, or CREATE on the database when it does not. Without this, setup failed half-way with
   * PostgreSQL's "must be owner of table …", some tables altered. The slot's REPLICATION attribute
   * is not checked here (managed services grant it in their own ways);
   * {@link #execute(Connection, List, List, Duration)} says what to do when creating the slot is
   * refused.
   *
   * @throws MisconfigurationException naming every missing privilege and how to get it
   */
  public static void requirePrivileges(Connection source, List<TrackedTable> tables, String publication)
      throws SQLException {
    List<String> missing = new ArrayList<>();
    Map<String, List<String>> notOwnedByOwner = new TreeMap<>();
    for (TrackedTable table : tables) {
      if (!table.owned()) {
        notOwnedByOwner.computeIfAbsent(table.owner(), o -> new ArrayList<>()).add(table.schema() + "." + table.table());
      }
    }
    notOwnedByOwner.forEach((owner, names) -> missing.add("does not own " + abbreviated(names) + " (owner: " + owner
        + "; ALTER TABLE … REPLICA IDENTITY FULL and adding a table to the publication need the owner's privileges)"));
    List<String> unusableSchemas = tables.stream().filter(t -> !t.schemaUsable()).map(TrackedTable::schema).distinct()
        .toList();
    if (!unusableSchemas.isEmpty()) {
      missing.add("has no USAGE on schema " + abbreviated(unusableSchemas) + " (GRANT USAGE ON SCHEMA … TO the role)");
    }
    String user;
    try (PreparedStatement s = source.prepareStatement("SELECT current_user::text, current_database()::text,"
        + " has_database_privilege(current_database(), 'CREATE'), pg_get_userbyid(p.pubowner)::text,"
        + " pg_has_role(p.pubowner, 'USAGE')"
        + " FROM (SELECT) one LEFT JOIN pg_publication p ON p.pubname OPERATOR(pg_catalog.=) ?")) {
      s.setString(1, publication);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        user = rs.getString(1);
        String publicationOwner = rs.getString(4);
        if (publicationOwner == null && !rs.getBoolean(3)) {
          missing.add("may not create the publication " + publication + " (needs CREATE on database " + rs.getString(2)
              + ")");
        } else if (publicationOwner != null && !rs.getBoolean(5)) {
          missing.add("does not own the publication " + publication + " (owner: " + publicationOwner
              + "), which setup updates");
        }
      }
    }
    if (!missing.isEmpty()) {
      throw new MisconfigurationException(new Fault(Role.MISCONFIGURED, "Role " + user + " cannot set up the source, "
          + "so nothing was changed: it " + String.join("; it ", missing) + ". Fix: run setup as the tables' owner "
          + "(or a member of the owning role, or a superuser), or give the SQL of setup --print-sql to one to run, "
          + "or leave those tables out with --exclude-tables"), null);
    }
  }

  /** Up to ten names, then how many more. */
  public static String abbreviated(List<String> names) {
    return names.size() <= 10 ? String.join(", ", names)
        : String.join(", ", names.subList(0, 10)) + " and " + (names.size() - 10) + " more";
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
   * Runs setup's statements one by one in autocommit mode on a live database: each waits at most
   * {@code lockTimeout} for its locks ({@code REPLICA IDENTITY} takes an ACCESS EXCLUSIVE lock, and
   * while it queues behind a long transaction every query of the table queues behind it), and is
   * tried {@value #LOCK_ATTEMPTS} times, a timeout apart, before setup stops naming the sessions
   * that hold the table. What ran before stays done: setup is idempotent, run it again.
   *
   * @throws IllegalStateException when a table stayed locked, with the sessions holding it
   * @throws MisconfigurationException when the role may not create the replication slot
   */
  public static void execute(Connection source, List<String> statements, List<TrackedTable> tables,
      Duration lockTimeout) throws SQLException {
    source.setAutoCommit(true);
    try (Statement s = source.createStatement()) {
      s.execute("SET lock_timeout = " + Math.max(1, lockTimeout.toMillis()));
      for (String sql : statements) {
        for (int attempt = 1; ; attempt++) {
          try {
            s.execute(sql);
            break;
          } catch (SQLException e) {
            if (createsSlot(sql) && "42501".equals(e.getSQLState())) {
              String role = SqlNames.identifier(currentUser(source));
              throw new MisconfigurationException(new Fault(Role.MISCONFIGURED, "Cannot create the replication slot: "
                  + Fault.firstLine(e) + ". Fix: as a superuser, ALTER ROLE " + role + " REPLICATION (AWS RDS/Aurora: "
                  + "GRANT rds_replication TO " + role + "), then run setup again: what it did before this is in place"),
                  e);
            }
            if (!"55P03".equals(e.getSQLState())) {
              throw e;
            }
            String holders = lockHolders(source, sql, tables);
            if (attempt == LOCK_ATTEMPTS) {
              throw new IllegalStateException("Setup waited " + LOCK_ATTEMPTS + " times " + lockTimeout.toMillis()
                  + " ms for a lock and gave up, to keep the application's queries from queueing behind it: "
                  + holders + ". Statement: " + sql + " Run setup again when that transaction has ended, or raise "
                  + "--lock-timeout-ms (the statements before it are done; setup is idempotent)", e);
            }
            LOG.warn("Setup could not lock within {} ms (attempt {} of {}): {}; trying again in {} ms",
                lockTimeout.toMillis(), attempt, LOCK_ATTEMPTS, holders, lockTimeout.toMillis());
            sleep(lockTimeout);
          }
        }
      }
      s.execute("RESET lock_timeout");
    }
  }

  /** The other sessions holding locks on the tables a statement names (what it waited for). */
  private static String lockHolders(Connection source, String sql, List<TrackedTable> tables) throws SQLException {
    List<String> named = tables.stream().map(TrackedTable::qualified).filter(sql::contains).toList();
    try (PreparedStatement s = source.prepareStatement(BemiSql.read("source/lock-holders.sql"))) {
      s.setArray(1, source.createArrayOf("text", named.toArray()));
      s.setBoolean(2, sql.startsWith("ALTER TABLE"));
      List<String> holders = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          holders.add(rs.getString(1) + " holds " + rs.getString(2) + " on " + rs.getString(3));
        }
      }
      return holders.isEmpty() ? "no session holds a lock on " + (named.isEmpty() ? "the tables" : String.join(", ", named))
          + " any more" : String.join("; ", holders);
    }
  }

  private static String currentUser(Connection source) throws SQLException {
    try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery("SELECT current_user")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void sleep(Duration pause) {
    try {
      Thread.sleep(pause.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting to retry setup", e);
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

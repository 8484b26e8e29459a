package io.bemi.dashboard.changes;

import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bemi.history.BemiChanges;
import io.bemi.history.Operation;
import io.bemi.sql.SqlNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Every read of the destination's {@code changes} table. All values are bind parameters; the
 * only SQL text built from configuration is the schema name, validated as a plain identifier.
 *
 * <p>Which index answers what (V1__changes.sql): newest-first pages and time ranges walk
 * {@code changes_committed_at_idx} backwards; a table filter uses {@code changes_table_time_idx};
 * table + key uses {@code changes_record_idx} (the schema is resolved from the table list when the
 * filter names only the table); context equality uses the GIN {@code changes_context_idx};
 * a transaction by commit LSN {@code changes_commit_change_key}, by xid {@code changes_transaction_idx}.
 */
public final class ChangeRepository {

  private static final String COLUMNS = "id, database, schema, \"table\", primary_key, operation, before::text,"
      + " after::text, context::text, committed_at, queued_at, created_at, transaction_id, position, commit_lsn, change_index";
  private static final int QUERY_TIMEOUT_SECONDS = 15;

  private final DataSource dataSource;
  private final String schemaName;
  private final BemiChanges trail;
  private final String changes;
  private final ObjectMapper json;
  private final TableCatalog tables;
  private volatile boolean recordAsOfInstalled; // once seen, bemi-sql's functions stay installed

  public ChangeRepository(DataSource dataSource, String schema, ObjectMapper json) {
    SqlNames.destinationSchema(schema);
    this.dataSource = dataSource;
    this.schemaName = schema;
    this.trail = BemiChanges.of(dataSource, schema);
    this.changes = "\"" + schema + "\".changes";
    this.json = json;
    this.tables = new TableCatalog(this::loadTables, Duration.ofSeconds(30));
  }

  /** One page of changes matching the filter, newest first, after the cursor (exclusive). */
  public Page page(ChangeFilter filter, Cursor after, int limit) {
    Sql sql = new Sql().append("SELECT " + COLUMNS + " FROM " + changes + " WHERE true");
    where(sql, filter);
    if (after != null) {
      OffsetDateTime at = utc(after.committedAt());
      sql.append(" AND committed_at <= ? AND (committed_at, commit_lsn, change_index) < (?, ?, ?)",
          at, at, after.commitLsn(), after.changeIndex());
    }
    sql.append(" ORDER BY committed_at DESC, commit_lsn DESC, change_index DESC LIMIT ?", limit + 1);
    List<Change> rows = query(sql);
    boolean more = rows.size() > limit;
    List<Change> page = more ? rows.subList(0, limit) : rows;
    return new Page(List.copyOf(page), more ? Cursor.of(page.get(page.size() - 1)) : null);
  }

  /** Writes every matching change (newest first) to {@code sink}, fetching in batches. */
  public void stream(ChangeFilter filter, RowSink sink) {
    Sql sql = new Sql().append("SELECT " + COLUMNS + " FROM " + changes + " WHERE true");
    where(sql, filter);
    sql.append(" ORDER BY committed_at DESC, commit_lsn DESC, change_index DESC");
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false); // pgjdbc streams with a fetch size only inside a transaction
      try (PreparedStatement ps = sql.prepare(c)) {
        ps.setFetchSize(1000);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            sink.accept(rs);
          }
        }
      } finally {
        c.rollback();
      }
    } catch (SQLException e) {
      throw new DataAccessException("Could not export changes", e);
    }
  }

  /**
   * One page of a record's history, oldest first: at most {@code limit} changes after
   * {@code after} (null: from its first change); {@code next} continues after the page. Across the
   * record's primary key changes when bemi-sql's {@code record_history} is installed (it follows
   * previous_primary_key, keyset-paged on {@code changes_record_idx}); by its key alone otherwise.
   */
  public Page history(RecordKey record, Cursor after, int limit) {
    return historyPage(record, after, false, limit);
  }

  /**
   * The {@code limit} changes of a record just before {@code before} (null: its newest), oldest
   * first; {@code next} continues with the older ones.
   */
  public Page historyBefore(RecordKey record, Cursor before, int limit) {
    return historyPage(record, before, true, limit);
  }

  private Page historyPage(RecordKey record, Cursor from, boolean older, int limit) {
    Sql sql;
    if (!bemiSqlInstalled()) {
      sql = new Sql().append("SELECT " + COLUMNS + " FROM " + changes + " WHERE schema = ? AND \"table\" = ? AND primary_key = ?",
          record.schema(), record.table(), record.primaryKey());
    } else if (older) { // the function pages forward only: newest first reads the record's whole life
      sql = new Sql().append("SELECT " + COLUMNS + " FROM \"" + schemaName + "\".record_history(?, ?) WHERE true",
          record.quotedTable(), record.primaryKey());
    } else if (from == null) { // the page's size (and bound) go into the function, so it reads only the page
      sql = new Sql().append("SELECT " + COLUMNS + " FROM \"" + schemaName + "\".record_history(?, ?, ?) WHERE true",
          record.quotedTable(), record.primaryKey(), limit + 1);
    } else {
      sql = new Sql().append("SELECT " + COLUMNS + " FROM \"" + schemaName + "\".record_history(?, ?, ?, ?, ?) WHERE true",
          record.quotedTable(), record.primaryKey(), limit + 1, from.commitLsn(), from.changeIndex());
    }
    if (from != null) {
      sql.append(" AND (commit_lsn, change_index) " + (older ? "<" : ">") + " (?, ?)", from.commitLsn(), from.changeIndex());
    }
    String direction = older ? " DESC" : "";
    sql.append(" ORDER BY commit_lsn" + direction + ", change_index" + direction + " LIMIT ?", limit + 1);
    List<Change> rows = query(sql);
    boolean more = rows.size() > limit;
    List<Change> page = new ArrayList<>(more ? rows.subList(0, limit) : rows);
    if (older) {
      Collections.reverse(page);
    }
    Cursor next = more ? Cursor.of(page.get(older ? 0 : page.size() - 1)) : null;
    return new Page(List.copyOf(page), next);
  }

  /**
   * The record as of {@code at}: the state after the last change committed at or before it (across
   * key changes, like {@link #history}). Empty when the record had no change by then.
   */
  public Optional<Change> lastChangeAsOf(RecordKey record, Instant at) {
    Sql sql = bemiSqlInstalled()
        ? new Sql().append("SELECT " + COLUMNS + " FROM \"" + schemaName + "\".record_history(?, ?) WHERE committed_at <= ?"
            + " ORDER BY commit_lsn DESC, change_index DESC LIMIT 1", record.quotedTable(), record.primaryKey(), utc(at))
        : new Sql().append("SELECT " + COLUMNS + " FROM " + changes
            + " WHERE schema = ? AND \"table\" = ? AND primary_key = ? AND committed_at <= ?"
            + " ORDER BY commit_lsn DESC, change_index DESC LIMIT 1",
            record.schema(), record.table(), record.primaryKey(), utc(at));
    return query(sql).stream().findFirst();
  }

  /**
   * The record as of {@code at}: its state from bemi-sql's {@code record_as_of} (which also
   * honours a later TRUNCATE and follows key changes), computed from the last change when that
   * function is not installed, plus the last change itself for display.
   */
  public AsOf asOf(RecordKey record, Instant at) {
    Optional<Change> last = lastChangeAsOf(record, at);
    if (!bemiSqlInstalled()) {
      return new AsOf(record, at, last.map(Change::stateAfter).orElse(null), last, false);
    }
    try {
      Optional<String> state = trail.asOf(record.quotedTable(), record.primaryKey(), at);
      return new AsOf(record, at, state.map(this::parse).orElse(null), last, true);
    } catch (SQLException e) {
      throw new DataAccessException("Could not read " + record + " as of " + at, e);
    }
  }

  /** Whether bemi-sql's time-travel functions are installed in the schema (once seen, they stay). */
  private boolean bemiSqlInstalled() {
    if (!recordAsOfInstalled) {
      recordAsOfInstalled = aggregate("SELECT to_regproc(?) IS NOT NULL", List.of("\"" + schemaName + "\".record_as_of"),
          rs -> rs.getBoolean(1)).get(0);
    }
    return recordAsOfInstalled;
  }

  /** A record's state at an instant; {@code state} null when it did not exist then. */
  public record AsOf(RecordKey record, Instant at, JsonNode state, Optional<Change> lastChange, boolean fromRecordAsOf) {}

  public Optional<Change> find(UUID id) {
    return query(new Sql().append("SELECT " + COLUMNS + " FROM " + changes + " WHERE id = ?", id)).stream().findFirst();
  }

  /** All changes of the transaction committed at {@code commitLsn} (its identity), in order; capped at {@code limit}. */
  public List<Change> commit(long commitLsn, int limit) {
    return query(new Sql().append("SELECT " + COLUMNS + " FROM " + changes
        + " WHERE commit_lsn = ? ORDER BY change_index LIMIT ?", commitLsn, limit));
  }

  /** The commit LSNs stored under an xid, newest first: more than one after xid wraparound. */
  public List<Long> commitsOfTransaction(long transactionId) {
    return aggregate("SELECT DISTINCT commit_lsn FROM {changes} WHERE transaction_id = ? ORDER BY commit_lsn DESC",
        List.of(transactionId), rs -> rs.getLong(1));
  }

  /** All changes of one source transaction (xid), in commit order; capped at {@code limit}. */
  public List<Change> transaction(long transactionId, int limit) {
    return query(new Sql().append("SELECT " + COLUMNS + " FROM " + changes
        + " WHERE transaction_id = ? ORDER BY commit_lsn, change_index LIMIT ?", transactionId, limit));
  }

  /** Changes whose context contains the JSON document, newest first; capped at {@code limit}. */
  public List<Change> withContext(String contextJson, int limit) {
    return query(new Sql().append("SELECT " + COLUMNS + " FROM " + changes
        + " WHERE context @> ?::jsonb ORDER BY committed_at DESC, commit_lsn DESC, change_index DESC LIMIT ?",
        contextJson, limit));
  }

  /** The tables that have changes, as schema.table, sorted. Cached for a few seconds. */
  public List<String> tables() {
    return tables.get();
  }

  /** The newest stored change, for ingestion health. */
  public Optional<Change> newest() {
    return page(ChangeFilter.ALL, null, 1).changes().stream().findFirst();
  }

  /**
   * Runs an aggregate query (activity) over {@code {changes}} or the per-minute counts
   * {@code {activity}} (bemi.activity); the row mapper reads each row.
   */
  public <T> List<T> aggregate(String sqlWithChangesPlaceholder, List<Object> params, RowMapper<T> mapper) {
    Sql sql = new Sql().append(sqlWithChangesPlaceholder.replace("{changes}", changes)
        .replace("{activity}", "\"" + schemaName + "\".activity"), params.toArray());
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = sql.prepare(c)) {
      ps.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      try (ResultSet rs = ps.executeQuery()) {
        List<T> out = new ArrayList<>();
        while (rs.next()) {
          out.add(mapper.map(rs));
        }
        return out;
      }
    } catch (SQLException e) {
      throw new DataAccessException("Could not read activity", e);
    }
  }

  /** EXPLAIN of the page query, for the bench and for operators checking index use. */
  public String explainPage(ChangeFilter filter, int limit) {
    Sql sql = new Sql().append("EXPLAIN (ANALYZE, BUFFERS) SELECT " + COLUMNS + " FROM " + changes + " WHERE true");
    where(sql, filter);
    sql.append(" ORDER BY committed_at DESC, commit_lsn DESC, change_index DESC LIMIT ?", limit + 1);
    StringBuilder plan = new StringBuilder();
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = sql.prepare(c); ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        plan.append(rs.getString(1)).append('\n');
      }
      return plan.toString();
    } catch (SQLException e) {
      throw new DataAccessException("Could not explain", e);
    }
  }

  private void where(Sql sql, ChangeFilter f) {
    if (f.table() != null) {
      List<String> schemas = f.schema() != null ? List.of(f.schema()) : schemasOf(f.table());
      if (f.primaryKey() != null) {
        // Leading schema makes changes_record_idx usable; = ANY keeps it one index scan per schema.
        sql.append(" AND schema = ANY (?) AND \"table\" = ? AND primary_key = ?",
            schemas.toArray(String[]::new), f.table(), f.primaryKey());
      } else if (f.schema() != null) {
        sql.append(" AND \"table\" = ? AND schema = ?", f.table(), f.schema());
      } else {
        sql.append(" AND \"table\" = ?", f.table());
      }
    }
    if (!f.operations().isEmpty()) {
      sql.append(" AND operation = ANY (?)", (Object) f.operations().stream().map(Enum::name).sorted().toArray(String[]::new));
    }
    if (f.source() != null) {
      sql.append(" AND source = ?", f.source());
    }
    if (f.from() != null) {
      sql.append(" AND committed_at >= ?", utc(f.from()));
    }
    if (f.to() != null) {
      sql.append(" AND committed_at < ?", utc(f.to()));
    }
    for (ContextCondition c : f.context()) {
      switch (c.comparison()) {
        case EQUALS, NOT_EQUALS -> {
          List<JsonNode> candidates = c.candidateValues();
          sql.append(c.comparison() == ContextCondition.Comparison.EQUALS ? " AND (" : " AND NOT (");
          for (int i = 0; i < candidates.size(); i++) {
            sql.append(i == 0 ? "context @> ?::jsonb" : " OR context @> ?::jsonb",
                c.containmentDocument(candidates.get(i)).toString());
          }
          sql.append(")");
        }
        // strpos, not ILIKE: no wildcards to escape, and the planner estimates it with a default
        // selectivity instead of ILIKE's near-zero guess for long patterns, which made it prefer a
        // full scan + sort over walking the time index until the page is full.
        case CONTAINS -> sql.append(" AND strpos(lower(context #>> ?::text[]), lower(?)) > 0",
            c.path().toArray(String[]::new), c.value());
      }
    }
    if (f.transactionId() != null) {
      sql.append(" AND transaction_id = ?", f.transactionId());
    }
  }

  private List<String> schemasOf(String table) {
    List<String> schemas = tables().stream()
        .filter(t -> t.endsWith("." + table) && t.length() > table.length() + 1)
        .map(t -> t.substring(0, t.length() - table.length() - 1))
        .filter(s -> !s.contains("."))
        .toList();
    return schemas.isEmpty() ? List.of("public") : schemas;
  }

  /** Distinct (schema, table) by a loose index scan of changes_record_idx: one probe per table. */
  private List<String> loadTables() {
    String sql = "WITH RECURSIVE t(schema, tbl) AS ("
        + " (SELECT schema, \"table\" FROM " + changes + " ORDER BY schema, \"table\" LIMIT 1)"
        + " UNION ALL SELECT n.schema, n.tbl FROM t, LATERAL (SELECT c.schema, c.\"table\" AS tbl FROM " + changes + " c"
        + "   WHERE (c.schema, c.\"table\") > (t.schema, t.tbl) ORDER BY c.schema, c.\"table\" LIMIT 1) n"
        + ") SELECT schema || '.' || tbl FROM t";
    return aggregate(sql, List.of(), rs -> rs.getString(1));
  }

  private List<Change> query(Sql sql) {
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = sql.prepare(c)) {
      ps.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      try (ResultSet rs = ps.executeQuery()) {
        List<Change> out = new ArrayList<>();
        while (rs.next()) {
          out.add(map(rs));
        }
        return out;
      }
    } catch (SQLException e) {
      throw new DataAccessException("Could not read changes", e);
    }
  }

  /** Maps the current row of a result selected with this repository's columns. */
  public Change map(ResultSet rs) throws SQLException {
    return new Change(
        rs.getObject(1, UUID.class),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        Operation.valueOf(rs.getString(6)),
        parse(rs.getString(7)),
        parse(rs.getString(8)),
        parse(rs.getString(9)),
        instant(rs, 10),
        instant(rs, 11),
        instant(rs, 12),
        rs.getLong(13),
        rs.getLong(14),
        rs.getLong(15),
        rs.getInt(16));
  }

  private JsonNode parse(String text) {
    if (text == null) {
      return json.createObjectNode();
    }
    try {
      return json.readTree(text);
    } catch (IOException e) {
      if (e instanceof StreamConstraintsException || e.getCause() instanceof StreamConstraintsException) {
        // Deeper than the dashboard renders (see ApiJson.MAX_NESTING): shown as its JSON text.
        return json.getNodeFactory().textNode(text);
      }
      throw new UncheckedIOException(e);
    }
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    Timestamp ts = rs.getTimestamp(column);
    return ts == null ? null : ts.toInstant();
  }

  static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  public record Page(List<Change> changes, Cursor next) {}

  @FunctionalInterface
  public interface RowSink {
    void accept(ResultSet row) throws SQLException;
  }

  @FunctionalInterface
  public interface RowMapper<T> {
    T map(ResultSet row) throws SQLException;
  }
}

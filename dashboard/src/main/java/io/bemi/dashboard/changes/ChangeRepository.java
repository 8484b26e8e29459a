package io.bemi.dashboard.changes;

import com.fasterxml.jackson.databind.JsonNode;
import io.bemi.history.BemiChanges;
import io.bemi.history.Change;
import io.bemi.history.TransactionCommit;
import io.bemi.sql.Lsn;
import io.bemi.sql.SqlNames;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The dashboard's reads of the trail: its own filtered list, export and activity queries over the
 * {@code changes} table, and the record, transaction and context reads of the Java API
 * ({@link BemiChanges}). All values are bind parameters; the only SQL text built from
 * configuration is the schema name, validated as a plain identifier.
 *
 * <p>Which index answers what (V1__changes.sql): newest-first pages and time ranges walk
 * {@code changes_committed_at_idx} backwards; a table filter uses {@code changes_table_time_idx};
 * table + key uses {@code changes_record_idx} (the schema is resolved from the table list when the
 * filter names only the table); context equality uses the GIN {@code changes_context_idx};
 * a transaction by commit LSN {@code changes_commit_change_key}, by xid {@code changes_transaction_idx}.
 */
public final class ChangeRepository {

  private static final int QUERY_TIMEOUT_SECONDS = 15;

  private final DataSource dataSource;
  private final String schemaName;
  private final BemiChanges trail;
  private final String changes;
  private final TableCatalog tables;

  public ChangeRepository(DataSource dataSource, String schema) {
    SqlNames.destinationSchema(schema);
    this.dataSource = dataSource;
    this.schemaName = schema;
    this.trail = BemiChanges.of(dataSource, schema).withQueryTimeout(QUERY_TIMEOUT_SECONDS);
    this.changes = "\"" + schema + "\".changes";
    this.tables = new TableCatalog(this::loadTables, Duration.ofSeconds(30));
  }

  /** One page of changes matching the filter, newest first, after the cursor (exclusive). */
  public Page page(ChangeFilter filter, Cursor after, int limit) {
    Sql sql = new Sql().append("SELECT " + Change.COLUMNS + " FROM " + changes + " WHERE true");
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

  /** Hands every matching change (newest first) to {@code sink}, fetching in batches. */
  public void stream(ChangeFilter filter, ChangeSink sink) {
    Sql sql = new Sql().append("SELECT " + Change.COLUMNS + " FROM " + changes + " WHERE true");
    where(sql, filter);
    sql.append(" ORDER BY committed_at DESC, commit_lsn DESC, change_index DESC");
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false); // pgjdbc streams with a fetch size only inside a transaction
      try (PreparedStatement ps = sql.prepare(c)) {
        ps.setFetchSize(1000);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            sink.accept(Change.read(rs));
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
   * {@code after} (null: from its first change), across the record's primary key changes;
   * {@code next} continues after the page.
   */
  public Page history(RecordKey record, Cursor after, int limit) {
    List<Change> rows = read("Could not read the history of " + record, () -> trail.historyAfter(record.quotedTable(),
        record.primaryKey(), after == null ? -1 : after.commitLsn(), after == null ? -1 : after.changeIndex(), limit + 1,
        record.source()));
    boolean more = rows.size() > limit;
    List<Change> page = more ? rows.subList(0, limit) : rows;
    return new Page(List.copyOf(page), more ? Cursor.of(page.get(page.size() - 1)) : null);
  }

  /**
   * The {@code limit} changes of a record just before {@code before} (null: its newest), oldest
   * first; {@code next} continues with the older ones.
   */
  public Page historyBefore(RecordKey record, Cursor before, int limit) {
    List<Change> rows = read("Could not read the history of " + record, () -> trail.historyBefore(record.quotedTable(),
        record.primaryKey(), before == null ? Long.MAX_VALUE : before.commitLsn(), before == null ? 0 : before.changeIndex(),
        limit + 1, record.source()));
    boolean more = rows.size() > limit;
    List<Change> page = more ? rows.subList(1, rows.size()) : rows;
    return new Page(List.copyOf(page), more ? Cursor.of(page.get(0)) : null);
  }

  /**
   * The record as of {@code at}: its state from bemi-sql's {@code record_as_of} (which also
   * honours a later TRUNCATE and follows key changes), plus the last change by then for display.
   */
  public AsOf asOf(RecordKey record, Instant at) {
    return read("Could not read " + record + " as of " + at, () -> {
      Optional<Change> last = trail.lastChangeAsOf(record.quotedTable(), record.primaryKey(), at, record.source());
      Optional<String> state = trail.asOf(record.quotedTable(), record.primaryKey(), at, record.source());
      return new AsOf(record, at, state.map(StoredJson::parse).orElse(null), last);
    });
  }

  /** A record's state at an instant; {@code state} null when it did not exist then. */
  public record AsOf(RecordKey record, Instant at, JsonNode state, Optional<Change> lastChange) {}

  public Optional<Change> find(UUID id) {
    return read("Could not read change " + id, () -> trail.change(id));
  }

  /**
   * The record with its source: the one the request named, else the one source its table's changes
   * come from (null when none is recorded); {@link SeveralSourcesException} when they come from several.
   */
  public RecordKey record(RecordKey record) {
    return record.withSource(SeveralSourcesException.resolve(record.source(), record.qualifiedTable(),
        () -> tableSources(List.of(record.qualifiedTable()))));
  }

  /** The source a restore or replay of {@code tables} (empty: every table) reads; see {@link #record}. */
  public String tablesSource(List<String> tables, String given) {
    return SeveralSourcesException.resolve(given, tables.isEmpty() ? "every table" : String.join(", ", tables),
        () -> tableSources(tables));
  }

  /** The sources the changes of {@code tables} (empty: every table) come from, sorted. */
  public List<String> tableSources(List<String> tables) {
    return read("Could not read the sources of " + tables, () -> trail.tableSources(tables));
  }

  /** The source of the transaction committed at {@code commitLsn}: the given one, else the only one stored there. */
  public String commitSource(long commitLsn, String given) {
    return SeveralSourcesException.resolve(given, "the transaction committed at " + Lsn.text(commitLsn),
        () -> read("Could not read transaction " + Lsn.text(commitLsn), () -> trail.commitSources(commitLsn)));
  }

  /**
   * All changes of the transaction committed at {@code commitLsn} in {@code source} (null: every
   * source's), in order; capped at {@code limit}.
   */
  public List<Change> commit(long commitLsn, String source, int limit) {
    return read("Could not read transaction " + Lsn.text(commitLsn), () -> trail.commitChanges(commitLsn, source, limit));
  }

  /**
   * The transactions stored under an xid (of {@code source}; null: of every source), newest first:
   * more than one after xid wraparound or when two sources used the same xid.
   */
  public List<TransactionCommit> commitsOfTransaction(long transactionId, String source) {
    return read("Could not read transaction xid " + transactionId, () -> trail.transactionCommits(transactionId, source));
  }

  /** The source of the changes with a context: the given one, else the only one they come from. */
  public String contextSource(String contextJson, String given) {
    return SeveralSourcesException.resolve(given, "context " + contextJson,
        () -> read("Could not read changes with context " + contextJson, () -> trail.contextSources(contextJson)));
  }

  /** Changes of {@code source} (null: every source) whose context contains the JSON document, newest first; capped at {@code limit}. */
  public List<Change> withContext(String contextJson, String source, int limit) {
    return read("Could not read changes with context " + contextJson, () -> trail.latestByContext(contextJson, source, limit));
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
    return rows(sql, mapper, "Could not read activity");
  }

  /** EXPLAIN of the page query, for the bench and for operators checking index use. */
  public String explainPage(ChangeFilter filter, int limit) {
    Sql sql = new Sql().append("EXPLAIN (ANALYZE, BUFFERS) SELECT " + Change.COLUMNS + " FROM " + changes + " WHERE true");
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
        // changes_record_idx ("table", primary_key, schema, ...): a bare table name is that table in
        // each schema that has one.
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

  /**
   * Distinct (schema, table) of the activity rollup (every stored change is counted there, V76) by a
   * loose scan of activity_table_source_idx: one probe per table. No index of changes leads with
   * (schema, table) since V70, so the same scan of changes read the whole trail per table (over the
   * dashboard's 15 s timeout at 10M changes).
   */
  private List<String> loadTables() {
    String sql = "WITH RECURSIVE t(schema, tbl) AS ("
        + " (SELECT schema, \"table\" FROM {activity} ORDER BY schema, \"table\" LIMIT 1)"
        + " UNION ALL SELECT n.schema, n.tbl FROM t, LATERAL (SELECT a.schema, a.\"table\" AS tbl FROM {activity} a"
        + "   WHERE (a.schema, a.\"table\") > (t.schema, t.tbl) ORDER BY a.schema, a.\"table\" LIMIT 1) n"
        + ") SELECT schema || '.' || tbl FROM t";
    return aggregate(sql, List.of(), rs -> rs.getString(1));
  }

  private List<Change> query(Sql sql) {
    return rows(sql, Change::read, "Could not read changes");
  }

  private <T> List<T> rows(Sql sql, RowMapper<T> mapper, String failure) {
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
      throw new DataAccessException(failure, e);
    }
  }

  private interface TrailRead<T> {
    T run() throws SQLException;
  }

  private static <T> T read(String what, TrailRead<T> read) {
    try {
      return read.run();
    } catch (SQLException e) {
      throw new DataAccessException(what, e);
    }
  }

  static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  public record Page(List<Change> changes, Cursor next) {}

  @FunctionalInterface
  public interface ChangeSink {
    void accept(Change change) throws SQLException;
  }

  @FunctionalInterface
  public interface RowMapper<T> {
    T map(ResultSet row) throws SQLException;
  }
}

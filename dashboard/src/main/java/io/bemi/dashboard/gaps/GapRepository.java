package io.bemi.dashboard.gaps;

import io.bemi.dashboard.changes.DataAccessException;
import io.bemi.history.Change;
import io.bemi.sql.SqlNames;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import javax.sql.DataSource;

/**
 * Reads the destination's {@code gaps} table, which the ingester writes when it finds its slot
 * lost (SlotLoss). A trail migrated before V60 has no such table: then there are no known gaps,
 * and nothing fails.
 */
public final class GapRepository {

  private static final String UNDEFINED_TABLE = "42P01";
  private static final int QUERY_TIMEOUT_SECONDS = 15;

  private final DataSource dataSource;
  private final String gaps;

  public GapRepository(DataSource dataSource, String schema) {
    this.dataSource = dataSource;
    this.gaps = SqlNames.identifier(SqlNames.destinationSchema(schema)) + ".gaps";
  }

  /**
   * The gaps that concern a record's history (oldest first): those of the source databases its
   * changes came from that were still open, or ended, at or after its first change, so a gap
   * inside the history or after its last change (the record may have changed unseen) shows,
   * ordered by start. Empty for an empty history.
   */
  public List<Gap> forHistory(List<Change> history) {
    if (history.isEmpty()) {
      return List.of();
    }
    String[] databases = history.stream().map(Change::database).distinct().toArray(String[]::new);
    Instant first = history.stream().map(Change::committedAt).min(Comparator.naturalOrder()).orElseThrow();
    String sql = "SELECT id, slot, source_database, start_lsn, start_at, end_lsn, end_at, reason, detected_at FROM " + gaps
        + " WHERE source_database = ANY (?) AND (end_at IS NULL OR end_at >= ?) ORDER BY start_at, id";
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      ps.setArray(1, c.createArrayOf("text", databases));
      ps.setObject(2, first.atOffset(ZoneOffset.UTC));
      try (ResultSet rs = ps.executeQuery()) {
        List<Gap> out = new ArrayList<>();
        while (rs.next()) {
          out.add(new Gap(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4), instant(rs, 5),
              rs.getObject(6, Long.class), instant(rs, 7), rs.getString(8), instant(rs, 9)));
        }
        return List.copyOf(out);
      }
    } catch (SQLException e) {
      if (UNDEFINED_TABLE.equals(e.getSQLState())) {
        return List.of(); // a trail from before V60: no gaps are recorded there
      }
      throw new DataAccessException("Could not read " + gaps, e);
    }
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    Timestamp ts = rs.getTimestamp(column);
    return ts == null ? null : ts.toInstant();
  }
}

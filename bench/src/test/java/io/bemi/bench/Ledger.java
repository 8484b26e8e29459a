package io.bemi.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the writer committed: per source transaction (its 32-bit xid, as pgoutput reports it), each
 * row change (table, primary key, operation) and the context it was written under. {@link #compare}
 * matches it against {@code bemi.changes}: every change stored once, nothing extra, contexts equal.
 */
final class Ledger {

  static final ObjectMapper JSON = new ObjectMapper();

  record Change(String table, String primaryKey, String operation, Map<String, Object> context) {}

  record Result(long expected, long stored, long lost, long duplicated, long unexpected, long wrongContext) {
    boolean passed() {
      return lost == 0 && duplicated == 0 && unexpected == 0 && wrongContext == 0 && stored == expected;
    }

    @Override
    public String toString() {
      return String.format("expected %,d, stored %,d, lost %,d, duplicated %,d, unexpected %,d, wrong context %,d",
          expected, stored, lost, duplicated, unexpected, wrongContext);
    }
  }

  private final Map<String, JsonNode> expected = new HashMap<>(); // "xid|table|pk|op" -> context
  private long transactions;
  private long inDoubtCommitted;
  private long inDoubtAborted;

  synchronized void committed(long xid, List<Change> changes) {
    transactions++;
    for (Change c : changes) {
      JsonNode previous = expected.put(key(xid & 0xFFFFFFFFL, c.table(), c.primaryKey(), c.operation()),
          asJson(c.context()));
      if (previous != null) {
        throw new IllegalStateException("the workload changed a row twice with one operation in one transaction");
      }
    }
  }

  /** The context as the stored jsonb reads back (numbers as parsed, not as the Java types that were put in). */
  private static JsonNode asJson(Map<String, Object> context) {
    try {
      return JSON.readTree(JSON.writeValueAsString(context));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  synchronized void inDoubt(boolean committed) {
    if (committed) {
      inDoubtCommitted++;
    } else {
      inDoubtAborted++;
    }
  }

  synchronized long transactions() {
    return transactions;
  }

  synchronized long changes() {
    return expected.size();
  }

  synchronized String inDoubtSummary() {
    return "in-doubt commits resolved by txid_status: " + inDoubtCommitted + " committed, " + inDoubtAborted
        + " not";
  }

  private static String key(long xid, String table, String pk, String op) {
    return xid + "|" + table + "|" + pk + "|" + op;
  }

  /** Waits until the destination holds at least as many changes of the tables as the ledger (or the timeout). */
  long awaitStored(PgServer destination, String database, String tablesSql, long timeoutSeconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    long stored = 0;
    while (System.nanoTime() < deadline) {
      try {
        stored = destination.queryLong(database,
            "SELECT count(*) FROM bemi.changes WHERE \"table\" IN (" + tablesSql + ")");
      } catch (SQLException e) {
        stored = 0; // not migrated yet, or the destination is still coming back
      }
      if (stored >= changes()) {
        break;
      }
      Thread.sleep(250);
    }
    return stored;
  }

  synchronized Result compare(Connection destination, String tablesSql) throws Exception {
    Map<String, Integer> seen = new HashMap<>();
    long stored = 0;
    long unexpected = 0;
    long wrongContext = 0;
    List<String> samples = new ArrayList<>();
    destination.setAutoCommit(false);
    try (Statement s = destination.createStatement()) {
      s.setFetchSize(10_000);
      try (ResultSet rs = s.executeQuery("SELECT transaction_id, \"table\", primary_key, operation, context::text "
          + "FROM bemi.changes WHERE \"table\" IN (" + tablesSql + ")")) {
        while (rs.next()) {
          stored++;
          String key = key(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4));
          JsonNode want = expected.get(key);
          if (want == null) {
            unexpected++;
            if (samples.size() < 5) {
              samples.add("unexpected " + key);
            }
            continue;
          }
          seen.merge(key, 1, Integer::sum);
          if (!want.equals(JSON.readTree(rs.getString(5)))) {
            wrongContext++;
            if (samples.size() < 5) {
              samples.add("context of " + key + ": " + rs.getString(5) + " expected " + want);
            }
          }
        }
      }
    }
    destination.commit();
    long lost = 0;
    long duplicated = 0;
    for (String key : expected.keySet()) {
      int n = seen.getOrDefault(key, 0);
      if (n == 0) {
        lost++;
        if (samples.size() < 5) {
          samples.add("lost " + key);
        }
      } else {
        duplicated += n - 1;
      }
    }
    samples.forEach(line -> System.out.println("    " + line));
    return new Result(expected.size(), stored, lost, duplicated, unexpected, wrongContext);
  }
}

package io.bemi.bench;

import io.bemi.Bemi;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A mixed workload through {@code jdbc:bemi}: transactions of 1-3 inserts, sometimes an update
 * under a second context, sometimes a delete; on request a large {@code INSERT ... SELECT}. Every
 * committed transaction goes into the {@link Ledger}. When the connection breaks (server
 * restarted) the outcome of the open transaction is asked of {@code txid_status} after reconnecting.
 */
final class LedgerWriter implements AutoCloseable {

  static final String SCHEMA = """
      CREATE TABLE accounts (id bigint PRIMARY KEY, balance numeric NOT NULL, note text, updated_at timestamptz);
      CREATE TABLE bulk (id bigint PRIMARY KEY, payload text NOT NULL)""";
  static final String TABLES = "'accounts', 'bulk'";

  private final String url;
  private final Ledger ledger;
  private final Random random = new Random(42);
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicBoolean paused = new AtomicBoolean();
  private final AtomicInteger bulkRequested = new AtomicInteger();
  private final AtomicLong bulkCommits = new AtomicLong();
  private final AtomicLong reconnects = new AtomicLong();
  private final List<Long> live = new ArrayList<>();
  private final Thread thread;
  private final long intervalNanos;
  private long nextStart = System.nanoTime();
  private long nextId = 1;
  private long nextBulkId = 1;
  private long seq;
  private volatile Throwable failure;

  /** As fast as one connection goes, with a random 0-5 ms pause between transactions. */
  LedgerWriter(PgServer source, String database, Ledger ledger) {
    this(source, database, ledger, 0);
  }

  /** At a steady {@code transactionsPerSecond} (0: as fast as it goes). */
  LedgerWriter(PgServer source, String database, Ledger ledger, int transactionsPerSecond) {
    this("jdbc:bemi:postgresql://127.0.0.1:" + source.port() + "/" + database + "?user=postgres", ledger,
        transactionsPerSecond);
  }

  /** Through any {@code jdbc:bemi:postgresql:} URL (e.g. naming a primary and its standby). */
  LedgerWriter(String url, Ledger ledger, int transactionsPerSecond) {
    this.url = url;
    this.ledger = ledger;
    this.intervalNanos = transactionsPerSecond > 0 ? 1_000_000_000L / transactionsPerSecond : 0;
    this.thread = new Thread(this::run, "ledger-writer");
    thread.start();
  }

  /** Holds the writer between transactions ({@code true}) or lets it go on. */
  void pause(boolean pause) {
    paused.set(pause);
  }

  /** The next transaction inserts {@code rows} rows into {@code bulk} in one statement. */
  void requestBulk(int rows) {
    bulkRequested.set(rows);
  }

  long bulkCommits() {
    return bulkCommits.get();
  }

  long reconnects() {
    return reconnects.get();
  }

  private void run() {
    Connection c = null;
    while (running.get()) {
      try {
        if (paused.get()) {
          Thread.sleep(20);
          continue;
        }
        if (c == null) {
          c = DriverManager.getConnection(url);
          c.setAutoCommit(false);
        }
        oneTransaction(c);
        pause();
      } catch (SQLException e) {
        if (c != null) {
          reconnects.incrementAndGet();
        }
        close(c);
        c = null;
        sleepQuietly(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (Throwable t) {
        failure = t;
        break;
      }
    }
    close(c);
  }

  private void pause() throws InterruptedException {
    if (intervalNanos == 0) {
      Thread.sleep(random.nextInt(6));
      return;
    }
    nextStart += intervalNanos;
    long wait = nextStart - System.nanoTime();
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    } else if (wait < -1_000_000_000L) {
      nextStart = System.nanoTime(); // fell more than a second behind (a stall): resume the rate, do not burst
    }
  }

  private void oneTransaction(Connection c) throws SQLException, InterruptedException {
    long tx = ++seq;
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("tx", tx);
    context.put("user_id", "u" + tx % 50);
    context.put("endpoint", "POST /transfer");
    List<Ledger.Change> changes = new ArrayList<>();
    Long deleted = null;
    int inserted = 0;
    long xid;
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT txid_current()")) {
      rs.next();
      xid = rs.getLong(1);
    }
    try {
      int bulk = bulkRequested.getAndSet(0);
      try (var scope = Bemi.withContext(context)) {
        if (bulk > 0) {
          try (PreparedStatement p = c.prepareStatement("INSERT INTO bulk SELECT g, repeat(md5(g::text), 4) "
              + "FROM generate_series(?::bigint, ?::bigint) g")) {
            p.setLong(1, nextBulkId);
            p.setLong(2, nextBulkId + bulk - 1);
            p.executeUpdate();
          }
          for (long id = nextBulkId; id < nextBulkId + bulk; id++) {
            changes.add(new Ledger.Change("bulk", Long.toString(id), "CREATE", context));
          }
        }
        int rows = 1 + random.nextInt(3);
        try (PreparedStatement p = c.prepareStatement("INSERT INTO accounts VALUES (?, ?, ?, now())")) {
          for (int i = 0; i < rows; i++) {
            long id = nextId + i;
            p.setLong(1, id);
            p.setBigDecimal(2, java.math.BigDecimal.valueOf(id * 100 + 1, 2));
            p.setString(3, "opened in tx " + tx);
            p.executeUpdate();
            changes.add(new Ledger.Change("accounts", Long.toString(id), "CREATE", context));
            inserted++;
          }
        }
        if (random.nextInt(3) == 0 && !live.isEmpty()) {
          long id = live.get(random.nextInt(live.size()));
          Map<String, Object> second = new LinkedHashMap<>(context);
          second.put("step", "settle");
          try (var inner = Bemi.withContext(second);
               PreparedStatement p = c.prepareStatement(
                   "UPDATE accounts SET balance = balance + 1, updated_at = now() WHERE id = ?")) {
            p.setLong(1, id);
            if (p.executeUpdate() == 1) {
              changes.add(new Ledger.Change("accounts", Long.toString(id), "UPDATE", second));
            }
          }
        }
        if (random.nextInt(10) == 0 && live.size() > 10) {
          long id = live.get(random.nextInt(live.size()));
          try (PreparedStatement p = c.prepareStatement("DELETE FROM accounts WHERE id = ?")) {
            p.setLong(1, id);
            if (p.executeUpdate() == 1) {
              changes.add(new Ledger.Change("accounts", Long.toString(id), "DELETE", context));
              deleted = id;
            }
          }
        }
        c.commit();
      }
      settle(xid, changes, inserted, deleted);
    } catch (SQLException e) {
      // The connection broke somewhere in the transaction: did the commit happen?
      boolean committed = committedAfterAll(xid);
      ledger.inDoubt(committed);
      if (committed) {
        settle(xid, changes, inserted, deleted);
      }
      throw e;
    }
  }

  private void settle(long xid, List<Ledger.Change> changes, int inserted, Long deleted) {
    ledger.committed(xid, changes);
    for (int i = 0; i < inserted; i++) {
      live.add(nextId++);
    }
    if (deleted != null) {
      live.remove(deleted);
    }
    if (changes.stream().anyMatch(ch -> ch.table().equals("bulk"))) {
      nextBulkId += changes.stream().filter(ch -> ch.table().equals("bulk")).count();
      bulkCommits.incrementAndGet();
    }
  }

  private boolean committedAfterAll(long xid) throws InterruptedException {
    while (true) {
      try (Connection c = DriverManager.getConnection(url.replace("jdbc:bemi:", "jdbc:"));
           PreparedStatement p = c.prepareStatement("SELECT txid_status(?)")) {
        p.setLong(1, xid);
        try (ResultSet rs = p.executeQuery()) {
          rs.next();
          return "committed".equals(rs.getString(1));
        }
      } catch (SQLException e) {
        if ("22023".equals(e.getSQLState())) {
          // "transaction ID ... is in the future": after an immediate shutdown the server's WAL
          // ends before this xid was ever logged, so it cannot have committed.
          return false;
        }
        Thread.sleep(200); // server still down
      }
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void close(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        // broken anyway
      }
    }
  }

  @Override
  public void close() throws Exception {
    running.set(false);
    thread.join();
    if (failure != null) {
      throw new IllegalStateException("the writer failed", failure);
    }
  }
}

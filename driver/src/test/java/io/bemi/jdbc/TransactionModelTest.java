package io.bemi.jdbc;

import io.bemi.test.Wal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.bemi.Bemi;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Model-based: random sequences of writes (plain, prepared, batched, multi-statement), context
 * changes, savepoints, rollbacks to them, releases, failing statements, commits and rollbacks,
 * through the JDBC API and as SQL text, run through {@code jdbc:bemi} against a real server. A
 * small model of the server says which rows must survive; the committed WAL is then read back and
 * every surviving row written under a context must be attributed to that context by the rule the
 * ingester applies (the latest {@code _bemi} message before it in its transaction, else the first).
 *
 * <p>Fixed seeds in CI; a failure names its seed. Rerun one with
 * {@code -Dbemi.model.seed=N}, or more with {@code -Dbemi.model.runs=N}.
 */
@WithPostgres
@Tag("replication")
class TransactionModelTest {

  private static final String[] USERS = {"u1", "u2", "u3", null};
  private static final Pattern INSERT = Pattern.compile("INSERT m: id\\[integer\\]:\\d+ v\\[text\\]:'([^']*)'");
  private static final Pattern MESSAGE = Pattern.compile("message \\{\"user\":\"(\\w+)\"\\}");

  private static TestDatabase db;

  @BeforeAll
  static void schema(TestDatabase database) throws SQLException {
    db = database;
    db.execute("CREATE TABLE m (id serial PRIMARY KEY, v text NOT NULL)");
  }

  @AfterEach
  void clearContext() {
    Bemi.clearContext();
  }

  @Test
  void everySurvivingRowCarriesTheContextItWasWrittenUnderWhateverTheSequence() throws Exception {
    long first = Long.getLong("bemi.model.seed", 1L);
    int runs = Integer.getInteger("bemi.model.runs", Long.getLong("bemi.model.seed") == null ? 40 : 1);
    for (long seed = first; seed < first + runs; seed++) {
      try {
        runOnce(seed);
      } catch (AssertionError | Exception e) {
        throw new AssertionError("Model run failed with seed " + seed + " (rerun: -Dbemi.model.seed=" + seed + ")", e);
      }
    }
  }

  /** One random session of 80 steps, then the check. */
  private void runOnce(long seed) throws Exception {
    db.execute("DELETE FROM m");
    Random random = new Random(seed);
    Model model = new Model();
    List<String> log = new ArrayList<>();
    try (Wal wal = Wal.open(db);
        Connection c = DriverManager.getConnection("jdbc:bemi:" + db.jdbcUrl().substring(5), db.credentials());
        Statement s = c.createStatement();
        PreparedStatement insert = c.prepareStatement("INSERT INTO m (v) VALUES (?)")) {
      boolean sqlBegin = random.nextBoolean(); // autocommit with BEGIN as SQL, or autocommit off
      c.setAutoCommit(sqlBegin);
      model.autoCommit = sqlBegin;
      model.inBlock = !sqlBegin;
      try {
        for (int step = 0; step < 80; step++) {
          step(random, model, c, s, insert, log);
        }
        if (model.inBlock) {
          log.add("final commit");
          commit(random, model, c, s);
        }
      } catch (AssertionError e) {
        throw new AssertionError(String.join("\n", log), e);
      }
      check(wal, model, log);
    }
  }

  private void step(Random random, Model model, Connection c, Statement s, PreparedStatement insert, List<String> log)
      throws SQLException {
    if (!model.inBlock && model.autoCommit && random.nextInt(3) > 0) {
      log.add("BEGIN");
      s.execute(random.nextBoolean() ? "BEGIN" : "START TRANSACTION");
      model.inBlock = true;
      return;
    }
    int choice = random.nextInt(model.aborted ? 4 : 14);
    if (model.aborted) {
      choice = new int[] {7, 8, 9, 13}[choice]; // rollback to a savepoint, rollback, commit, a doomed write
    }
    switch (choice) {
      case 0, 1 -> {
        String user = USERS[random.nextInt(USERS.length)];
        log.add("context " + user);
        if (user == null) {
          Bemi.clearContext();
        } else {
          Bemi.setContext(Map.of("user", user));
        }
        model.user = user;
      }
      case 2 -> {
        String v = model.row();
        log.add("statement insert " + v);
        s.executeUpdate("INSERT INTO m (v) VALUES ('" + v + "')");
        model.written(v);
      }
      case 3 -> {
        String v = model.row();
        log.add("prepared insert " + v);
        insert.setString(1, v);
        insert.executeUpdate();
        model.written(v);
      }
      case 4 -> {
        String a = model.row();
        String b = model.row();
        log.add("prepared batch " + a + ", " + b);
        insert.setString(1, a);
        insert.addBatch();
        insert.setString(1, b);
        insert.addBatch();
        insert.executeBatch();
        model.written(a);
        model.written(b);
      }
      case 5 -> {
        String a = model.row();
        String b = model.row();
        log.add("multi-statement " + a + ", " + b);
        s.execute("INSERT INTO m (v) VALUES ('" + a + "'); UPDATE m SET v = v WHERE false; INSERT INTO m (v) VALUES ('" + b + "')");
        model.written(a);
        model.written(b);
      }
      case 6 -> {
        if (!model.inBlock) {
          return;
        }
        String name = "s" + model.savepointCounter++;
        boolean api = !model.autoCommit && random.nextBoolean(); // pgjdbc: no API savepoints in autocommit mode
        log.add((api ? "api " : "sql ") + "savepoint " + name);
        Savepoint savepoint = null;
        if (api) {
          savepoint = c.setSavepoint(name);
        } else {
          s.execute("SAVEPOINT " + name);
        }
        model.frames.add(new Frame(name, savepoint, model.current.size()));
      }
      case 7 -> {
        if (model.frames.isEmpty()) {
          return;
        }
        int index = random.nextInt(model.frames.size());
        Frame frame = model.frames.get(index);
        boolean api = frame.savepoint != null && random.nextBoolean();
        log.add((api ? "api " : "sql ") + "rollback to " + frame.name);
        if (api) {
          c.rollback(frame.savepoint);
        } else {
          s.execute(random.nextBoolean() ? "ROLLBACK TO SAVEPOINT " + frame.name : "ROLLBACK TO " + frame.name);
        }
        model.frames.subList(index + 1, model.frames.size()).clear();
        model.current.subList(frame.rows, model.current.size()).clear();
        model.aborted = false;
      }
      case 8 -> {
        if (!model.inBlock) {
          return;
        }
        boolean api = !model.autoCommit && random.nextBoolean();
        log.add((api ? "api " : "sql ") + "rollback");
        if (api) {
          c.rollback();
        } else {
          s.execute(random.nextBoolean() ? "ROLLBACK" : "ABORT");
        }
        model.endTransaction(false);
      }
      case 9 -> {
        if (!model.inBlock) {
          return;
        }
        log.add("commit" + (model.aborted ? " (aborted: a rollback)" : ""));
        commit(random, model, c, s);
      }
      case 10 -> {
        if (model.frames.isEmpty()) {
          return;
        }
        int index = random.nextInt(model.frames.size());
        Frame frame = model.frames.get(index);
        boolean api = frame.savepoint != null && random.nextBoolean();
        log.add((api ? "api " : "sql ") + "release " + frame.name);
        if (api) {
          c.releaseSavepoint(frame.savepoint);
        } else {
          s.execute("RELEASE SAVEPOINT " + frame.name);
        }
        model.frames.subList(index, model.frames.size()).clear();
      }
      case 11 -> {
        log.add("failing statement");
        try {
          s.executeUpdate("INSERT INTO m (v) VALUES (NULL)");
          fail("NULL accepted");
        } catch (SQLException expected) {
          assertThat(expected.getSQLState()).isEqualTo("23502");
        }
        model.aborted = model.inBlock;
      }
      case 12 -> {
        String v = model.row();
        log.add("statement batch " + v);
        s.addBatch("INSERT INTO m (v) VALUES ('" + v + "')");
        s.executeBatch();
        model.written(v);
      }
      case 13 -> {
        if (!model.aborted) {
          return;
        }
        log.add("write in the aborted transaction");
        insert.setString(1, "never");
        try {
          insert.executeUpdate();
          fail("a write in an aborted transaction succeeded");
        } catch (SQLException expected) {
          assertThat(expected.getSQLState()).as("what pgjdbc itself says").isEqualTo("25P02");
        }
      }
      default -> throw new IllegalStateException();
    }
  }

  private static void commit(Random random, Model model, Connection c, Statement s) throws SQLException {
    boolean aborted = model.aborted;
    if (!model.autoCommit && random.nextBoolean()) {
      try {
        c.commit();
        assertThat(aborted).as("pgjdbc's commit of an aborted transaction fails").isFalse();
      } catch (SQLException e) {
        assertThat(aborted).as("commit failed: " + e).isTrue();
      }
    } else {
      s.execute(random.nextBoolean() ? "COMMIT" : "END");
    }
    model.endTransaction(!aborted);
  }

  private void check(Wal wal, Model model, List<String> log) throws SQLException {
    Set<String> inTable = new TreeSet<>();
    try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT v FROM m")) {
      while (rs.next()) {
        inTable.add(rs.getString(1));
      }
    }
    assertThat(inTable).as("rows kept, as the model says\n" + String.join("\n", log))
        .isEqualTo(new TreeSet<>(model.committed));
    Set<String> seen = new HashSet<>();
    for (List<String> transaction : wal.transactionsWithValues()) {
      String first = null;
      for (String event : transaction) {
        Matcher m = MESSAGE.matcher(event);
        if (m.matches()) {
          first = m.group(1);
          break;
        }
      }
      String latest = null;
      for (String event : transaction) {
        Matcher message = MESSAGE.matcher(event);
        if (message.matches()) {
          latest = message.group(1);
          continue;
        }
        Matcher insert = INSERT.matcher(event);
        if (insert.matches()) {
          String v = insert.group(1);
          seen.add(v);
          String writtenUnder = v.substring(0, v.indexOf(':'));
          String attributed = latest != null ? latest : first;
          if (!writtenUnder.equals("none")) {
            assertThat(attributed).as("context of row " + v + " in " + transaction + "\n" + String.join("\n", log))
                .isEqualTo(writtenUnder);
          }
        }
      }
    }
    assertThat(seen).as("every committed row is in the WAL").containsAll(model.committed);
  }

  private record Frame(String name, Savepoint savepoint, int rows) {}

  /** What the server must end up with: rows of the surviving part of the transaction, savepoints, aborted or not. */
  private static final class Model {
    boolean autoCommit;
    boolean inBlock;
    boolean aborted;
    String user;
    int rowCounter;
    int savepointCounter;
    final List<String> current = new ArrayList<>();
    final List<Frame> frames = new ArrayList<>();
    final List<String> committed = new ArrayList<>();

    /** A row value that says which context it was written under: {@code u2:17}. */
    String row() {
      return (user == null ? "none" : user) + ":" + rowCounter++;
    }

    void written(String v) {
      if (inBlock) {
        current.add(v);
      } else {
        committed.add(v);
      }
    }

    void endTransaction(boolean commit) {
      if (commit) {
        committed.addAll(current);
      }
      current.clear();
      frames.clear();
      aborted = false;
      inBlock = !autoCommit;
    }
  }
}

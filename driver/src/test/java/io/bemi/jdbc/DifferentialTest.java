package io.bemi.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.Bemi;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same scenarios through plain pgjdbc and through {@code jdbc:bemi:postgresql} with a context
 * set: every observable result (update counts, generated keys, result sets, warnings, errors and
 * SQLSTATEs, batch counts, the rows left in the table) must be identical.
 */
@WithPostgres
class DifferentialTest {

  private static TestDatabase db;

  @BeforeAll
  static void schema(TestDatabase database) throws SQLException {
    db = database;
    db.execute("CREATE TABLE d (id serial PRIMARY KEY, v text UNIQUE, n int)",
        "CREATE FUNCTION add_d(value text) RETURNS int LANGUAGE sql AS $$ INSERT INTO d (v) VALUES (value) RETURNING id $$",
        "CREATE PROCEDURE add_d_proc(value text, INOUT new_id int) LANGUAGE sql AS "
            + "$$ INSERT INTO d (v) VALUES (value) RETURNING id $$");
  }

  @AfterEach
  void clearContext() {
    Bemi.clearContext();
  }

  interface Scenario {
    void run(Connection c, Transcript t) throws Exception;
  }

  static Stream<Arguments> scenarios() {
    return Stream.of(
        scenario("statement update counts", (c, t) -> {
          try (Statement s = c.createStatement()) {
            t.add(s.executeUpdate("INSERT INTO d (v) VALUES ('a'), ('b')"));
            t.add(s.executeUpdate("UPDATE d SET n = 1"));
            t.add(s.executeUpdate("UPDATE d SET n = 2 WHERE false"));
            t.add(s.executeLargeUpdate("DELETE FROM d WHERE v = 'a'"));
            t.add(s.execute("INSERT INTO d (v) VALUES ('c')"), s.getUpdateCount(), s.getResultSet());
            t.add(s.executeUpdate("CREATE TEMP TABLE tmp_d (x int)"));
          }
        }),
        scenario("multiple results", (c, t) -> {
          try (Statement s = c.createStatement()) {
            t.add(s.execute("INSERT INTO d (v) VALUES ('a'); SELECT v FROM d; UPDATE d SET n = 3"));
            do {
              t.add("count", s.getUpdateCount());
              t.rows(s.getResultSet());
            } while (s.getMoreResults() || s.getUpdateCount() != -1);
          }
        }),
        scenario("returning through executeQuery and execute", (c, t) -> {
          try (Statement s = c.createStatement();
              PreparedStatement p = c.prepareStatement("INSERT INTO d (v) VALUES (?) RETURNING id, v")) {
            t.rows(s.executeQuery("INSERT INTO d (v) VALUES ('a') RETURNING *"));
            p.setString(1, "b");
            t.rows(p.executeQuery());
            p.setString(1, "c");
            t.add(p.execute(), p.getUpdateCount());
            t.rows(p.getResultSet());
            t.add(p.getMoreResults(), p.getUpdateCount());
          }
        }),
        scenario("wrong execute method for the statement", (c, t) -> {
          try (Statement s = c.createStatement()) {
            t.attempt(() -> s.executeQuery("INSERT INTO d (v) VALUES ('a')"));
            t.attempt(() -> s.executeUpdate("INSERT INTO d (v) VALUES ('b') RETURNING id"));
            t.attempt(() -> s.executeUpdate("SELECT 1"));
          }
        }),
        scenario("errors and SQLSTATEs", (c, t) -> {
          try (Statement s = c.createStatement(); PreparedStatement p = c.prepareStatement("INSERT INTO d (v, n) VALUES (?, ?)")) {
            s.executeUpdate("INSERT INTO d (v) VALUES ('a')");
            t.attempt(() -> s.executeUpdate("INSERT INTO d (v) VALUES ('a')"));
            t.attempt(() -> s.executeUpdate("INSERT INTO nowhere VALUES (1)"));
            t.attempt(() -> s.executeUpdate("INSERT INTO d (v) VALUES ('b'"));
            p.setString(1, "c");
            p.setString(2, "not a number");
            t.attempt(p::executeUpdate);
            p.setString(1, "a");
            p.setInt(2, 1);
            t.attempt(p::executeUpdate);
          }
        }),
        scenario("parameters kept, cleared and left unset", (c, t) -> {
          try (PreparedStatement p = c.prepareStatement("INSERT INTO d (v, n) VALUES (?, ?)")) {
            p.setString(1, "a");
            p.setInt(2, 1);
            t.attempt(p::executeUpdate);
            p.setString(1, "b");
            t.attempt(p::executeUpdate); // parameter 2 kept
            p.clearParameters();
            p.setString(1, "c");
            t.attempt(p::executeUpdate); // parameter 2 unset: refused before anything is sent
            p.setInt(2, 3);
            t.attempt(p::executeUpdate);
            c.setAutoCommit(false); // the same refusal inside a transaction leaves it usable
            p.clearParameters();
            p.setString(1, "d");
            t.attempt(p::executeUpdate);
            p.setInt(2, 4);
            t.attempt(p::executeUpdate);
            c.commit();
          }
        }),
        scenario("errors inside a transaction", (c, t) -> {
          c.setAutoCommit(false);
          try (Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO d (v) VALUES ('a')");
            t.attempt(() -> s.executeUpdate("INSERT INTO d (v) VALUES ('a')"));
            t.attempt(() -> s.executeUpdate("INSERT INTO d (v) VALUES ('b')"));
            c.rollback();
            s.executeUpdate("INSERT INTO d (v) VALUES ('c')");
            c.commit();
          }
        }),
        scenario("generated keys", (c, t) -> {
          try (PreparedStatement p = c.prepareStatement("INSERT INTO d (v) VALUES (?)", Statement.RETURN_GENERATED_KEYS);
              PreparedStatement named = c.prepareStatement("UPDATE d SET n = ? WHERE v = ?", new String[] {"id", "n"});
              Statement s = c.createStatement()) {
            p.setString(1, "a");
            t.add(p.executeUpdate());
            t.rows(p.getGeneratedKeys());
            p.setString(1, "b");
            t.add(p.execute(), p.getUpdateCount());
            t.rows(p.getGeneratedKeys());
            named.setInt(1, 7);
            named.setString(2, "a");
            t.add(named.executeUpdate());
            t.rows(named.getGeneratedKeys());
            t.add(s.executeUpdate("INSERT INTO d (v) VALUES ('c')", Statement.RETURN_GENERATED_KEYS));
            t.rows(s.getGeneratedKeys());
            t.add(s.execute("INSERT INTO d (v) VALUES ('d')", new String[] {"v"}));
            t.rows(s.getGeneratedKeys());
          }
        }),
        scenario("generated keys of several rows, with RETURNING written, then more results", (c, t) -> {
          try (Statement s = c.createStatement();
              PreparedStatement p = c.prepareStatement("UPDATE d SET n = ? RETURNING v", Statement.RETURN_GENERATED_KEYS)) {
            s.executeUpdate("INSERT INTO d (v) VALUES ('a'), ('b'), ('c')");
            t.add(s.executeUpdate("UPDATE d SET n = 1 WHERE v <> 'c'", new String[] {"id", "n"}));
            t.add(s.getUpdateCount(), s.getResultSet() == null);
            t.rows(s.getGeneratedKeys());
            t.add(s.getMoreResults(), s.getUpdateCount());
            p.setInt(1, 2);
            t.add(p.executeLargeUpdate(), p.getLargeUpdateCount());
            t.rows(p.getGeneratedKeys());
            t.add(s.executeUpdate("DELETE FROM d WHERE false", Statement.RETURN_GENERATED_KEYS));
            t.rows(s.getGeneratedKeys());
            t.add(s.execute("SELECT count(*) FROM d", Statement.RETURN_GENERATED_KEYS));
          }
        }),
        scenario("callable statements with OUT parameters", (c, t) -> {
          try (java.sql.CallableStatement function = c.prepareCall("{? = call add_d(?)}");
              java.sql.CallableStatement procedure = c.prepareCall("CALL add_d_proc(?, ?)")) {
            function.registerOutParameter(1, java.sql.Types.INTEGER);
            function.setString(2, "a");
            t.add(function.execute(), function.getInt(1));
            procedure.setString(1, "b");
            procedure.setNull(2, java.sql.Types.INTEGER);
            procedure.registerOutParameter(2, java.sql.Types.INTEGER);
            t.add(procedure.execute(), procedure.getInt(2));
            function.setString(2, "a");
            t.attempt(function::execute);
          }
        }),
        scenario("prepared batch", (c, t) -> {
          try (PreparedStatement p = c.prepareStatement("INSERT INTO d (v, n) VALUES (?, ?)")) {
            for (int i = 0; i < 5; i++) {
              p.setString(1, "v" + i);
              p.setInt(2, i);
              p.addBatch();
            }
            t.add(Arrays.toString(p.executeBatch()));
          }
        }),
        scenario("prepared batch with a failing row, autocommit", (c, t) -> {
          try (PreparedStatement p = c.prepareStatement("INSERT INTO d (v) VALUES (?)")) {
            for (String v : List.of("a", "b", "a", "c")) {
              p.setString(1, v);
              p.addBatch();
            }
            t.attempt(p::executeBatch);
          }
        }),
        scenario("prepared batch with a failing row, in a transaction", (c, t) -> {
          c.setAutoCommit(false);
          try (PreparedStatement p = c.prepareStatement("INSERT INTO d (v) VALUES (?)")) {
            for (String v : List.of("a", "b", "a", "c")) {
              p.setString(1, v);
              p.addBatch();
            }
            t.attempt(p::executeBatch);
            c.rollback();
            p.setString(1, "z");
            p.addBatch();
            t.add(Arrays.toString(p.executeBatch()));
            c.commit();
          }
        }),
        scenario("batch with generated keys", (c, t) -> {
          try (PreparedStatement p = c.prepareStatement("INSERT INTO d (v) VALUES (?)", new String[] {"id"})) {
            for (String v : List.of("a", "b")) {
              p.setString(1, v);
              p.addBatch();
            }
            t.add(Arrays.toString(p.executeBatch()));
            t.rows(p.getGeneratedKeys());
          }
        }),
        scenario("statement batch", (c, t) -> {
          try (Statement s = c.createStatement()) {
            s.addBatch("INSERT INTO d (v) VALUES ('a')");
            s.addBatch("UPDATE d SET n = 1");
            s.addBatch("DELETE FROM d WHERE v = 'nothing'");
            t.add(Arrays.toString(s.executeBatch()));
          }
        }),
        scenario("savepoints", (c, t) -> {
          c.setAutoCommit(false);
          try (Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO d (v) VALUES ('a')");
            Savepoint savepoint = c.setSavepoint("sp");
            s.executeUpdate("INSERT INTO d (v) VALUES ('b')");
            c.rollback(savepoint);
            s.executeUpdate("INSERT INTO d (v) VALUES ('c')");
            c.releaseSavepoint(c.setSavepoint());
            c.commit();
          }
        }),
        scenario("warnings", (c, t) -> {
          try (Statement s = c.createStatement()) {
            s.execute("DO $$ BEGIN RAISE WARNING 'careful'; INSERT INTO d (v) VALUES ('a'); END $$");
            SQLWarning warning = s.getWarnings();
            t.add(warning == null ? null : warning.getMessage() + " " + warning.getSQLState());
          }
        }),
        scenario("max rows and fetch size on RETURNING", (c, t) -> {
          c.setAutoCommit(false);
          try (Statement s = c.createStatement()) {
            s.setMaxRows(1);
            t.rows(s.executeQuery("INSERT INTO d (v) VALUES ('a'), ('b') RETURNING v"));
            s.setMaxRows(0);
            s.setFetchSize(1);
            t.rows(s.executeQuery("INSERT INTO d (v) VALUES ('c'), ('e') RETURNING v"));
            c.commit();
          }
        }),
        scenario("rewritten batched inserts", (c, t) -> {
          try (PreparedStatement p = c.prepareStatement("INSERT INTO d (v) VALUES (?)")) {
            for (int i = 0; i < 7; i++) {
              p.setString(1, "r" + i);
              p.addBatch();
            }
            t.add(Arrays.toString(p.executeBatch()));
          }
        }, "reWriteBatchedInserts", "true"),
        scenario("simple query mode", (c, t) -> {
          try (Statement s = c.createStatement(); PreparedStatement p = c.prepareStatement("UPDATE d SET n = ? WHERE v = ?")) {
            t.add(s.executeUpdate("INSERT INTO d (v) VALUES ('a?'), ('b')"));
            p.setInt(1, 5);
            p.setString(2, "a?");
            t.add(p.executeUpdate());
          }
        }, "preferQueryMode", "simple"));
  }

  private static Arguments scenario(String name, Scenario scenario, String... pgjdbcProperties) {
    return Arguments.of(name, scenario, pgjdbcProperties);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void theApplicationSeesWhatPlainPgjdbcShows(String name, Scenario scenario, String[] pgjdbcProperties)
      throws Exception {
    Transcript plain = run(db.jdbcUrl(), scenario, pgjdbcProperties);
    Bemi.setContext(Map.of("user", "ann", "note", "it's; -- */ ?"));
    Transcript bemi = run(EmissionTest.bemiUrl(db), scenario, pgjdbcProperties);
    assertThat(bemi.lines).isEqualTo(plain.lines);
  }

  private static Transcript run(String url, Scenario scenario, String[] pgjdbcProperties) throws Exception {
    db.execute("TRUNCATE d RESTART IDENTITY");
    Properties properties = db.credentials();
    for (int i = 0; i < pgjdbcProperties.length; i += 2) {
      properties.setProperty(pgjdbcProperties[i], pgjdbcProperties[i + 1]);
    }
    Transcript transcript = new Transcript();
    try (Connection c = DriverManager.getConnection(url, properties)) {
      scenario.run(c, transcript);
    }
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      transcript.rows(s.executeQuery("SELECT id, v, n FROM d ORDER BY id"));
    }
    return transcript;
  }

  /** What the application observed, one line per observation. */
  static final class Transcript {
    final List<String> lines = new ArrayList<>();

    void add(Object... values) {
      lines.add(Arrays.deepToString(values));
    }

    void rows(ResultSet rs) throws SQLException {
      if (rs == null) {
        lines.add("no result set");
        return;
      }
      ResultSetMetaData meta = rs.getMetaData();
      List<String> rows = new ArrayList<>();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          row.add(meta.getColumnLabel(i) + "=" + rs.getObject(i));
        }
        rows.add(row.toString());
      }
      lines.add("rows " + rows);
    }

    interface Call {
      Object call() throws SQLException;
    }

    void attempt(Call call) {
      try {
        Object result = call.call();
        lines.add("ok " + (result instanceof int[] counts ? Arrays.toString(counts) : result instanceof ResultSet ? "result set" : result));
      } catch (BatchUpdateException e) {
        lines.add("batch failed " + e.getSQLState() + " " + Arrays.toString(e.getUpdateCounts()) + " "
            + (e.getNextException() == null ? "" : e.getNextException().getMessage()));
      } catch (SQLException e) {
        lines.add("failed " + e.getSQLState() + " " + e.getMessage());
      }
    }
  }
}

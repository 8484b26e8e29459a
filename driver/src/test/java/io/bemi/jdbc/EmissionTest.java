package io.bemi.jdbc;

import io.bemi.test.Wal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;


import io.bemi.Bemi;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Plain JDBC through {@code jdbc:bemi:postgresql}, statement by statement, checked against what
 * reached the WAL: each write transaction starts with the right {@code _bemi} message, and reads,
 * rolled-back work and context-free work carry none.
 */
@WithPostgres
@Tag("replication")
class EmissionTest {

  private static final String ANN = "message {\"user\":\"ann\"}";
  private static final String BOB = "message {\"user\":\"bob\"}";

  private TestDatabase db;
  private Wal wal;

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    db.execute(
        "CREATE TABLE t (id serial PRIMARY KEY, v text)",
        "CREATE TABLE u (id int PRIMARY KEY)",
        "CREATE PROCEDURE add_row(value text) LANGUAGE sql AS $$ INSERT INTO t (v) VALUES (value) $$",
        "CREATE FUNCTION add_row_fn(value text) RETURNS int LANGUAGE sql AS $$ INSERT INTO t (v) VALUES (value) RETURNING id $$");
  }

  @BeforeEach
  void openWal(TestDatabase db) throws SQLException {
    this.db = db;
    db.execute("DELETE FROM t", "DELETE FROM u");
    wal = Wal.open(db);
  }

  @AfterEach
  void closeWal() throws SQLException {
    Bemi.clearContext();
    wal.close();
  }

  static String bemiUrl(TestDatabase db) {
    return "jdbc:bemi:" + db.jdbcUrl().substring("jdbc:".length());
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(bemiUrl(db), db.credentials());
  }

  private Connection connect(String option, String value) throws SQLException {
    Properties properties = db.credentials();
    properties.setProperty(option, value);
    return DriverManager.getConnection(bemiUrl(db), properties);
  }

  @Test
  void anAutocommitStatementWriteCarriesTheContextInItsOwnTransaction() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect(); Statement s = c.createStatement()) {
      assertThat(s.executeUpdate("INSERT INTO t (v) VALUES ('a')")).isEqualTo(1);
      assertThat(s.executeUpdate("UPDATE t SET v = 'b'")).isEqualTo(1);
    }
    assertThat(wal.transactions()).containsExactly(List.of(ANN, "INSERT t"), List.of(ANN, "UPDATE t"));
  }

  @Test
  void writesWithoutContextCarryNothing() throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO t (v) VALUES ('a')");
    }
    assertThat(wal.transactions()).containsExactly(List.of("INSERT t"));
  }

  @Test
  void readsCarryNothing() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.executeQuery("SELECT * FROM t").close();
      s.executeQuery("/* INSERT */ SELECT 'DELETE FROM t'").close();
      c.setAutoCommit(false);
      s.executeQuery("SELECT count(*) FROM t").close();
      c.commit();
    }
    assertThat(wal.transactions()).isEmpty();
  }

  @Test
  void aTransactionOfWritesUnderOneContextCarriesOneMessage() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect()) {
      c.setAutoCommit(false);
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO t (v) VALUES (?)")) {
        for (String v : List.of("a", "b", "c")) {
          insert.setString(1, v);
          assertThat(insert.executeUpdate()).isEqualTo(1);
        }
      }
      c.commit();
    }
    assertThat(wal.transactions()).containsExactly(List.of(ANN, "INSERT t", "INSERT t", "INSERT t"));
  }

  @Test
  void eachContextInsideOneTransactionPrecedesItsWrites() throws SQLException {
    try (Connection c = connect(); PreparedStatement insert = c.prepareStatement("INSERT INTO t (v) VALUES (?)")) {
      c.setAutoCommit(false);
      Bemi.setContext(Map.of("user", "ann"));
      insert.setString(1, "a");
      insert.executeUpdate();
      Bemi.setContext(Map.of("user", "bob"));
      insert.setString(1, "b");
      insert.executeUpdate();
      insert.setString(1, "c");
      insert.executeUpdate();
      Bemi.setContext(Map.of("user", "ann"));
      insert.setString(1, "d");
      insert.executeUpdate();
      c.commit();
    }
    assertThat(wal.transactions())
        .containsExactly(List.of(ANN, "INSERT t", BOB, "INSERT t", "INSERT t", ANN, "INSERT t"));
  }

  @Test
  void theNextTransactionEmitsAgain() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect(); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.executeUpdate("INSERT INTO t (v) VALUES ('a')");
      c.commit();
      s.executeUpdate("INSERT INTO t (v) VALUES ('b')");
      c.commit();
    }
    assertThat(wal.transactions()).containsExactly(List.of(ANN, "INSERT t"), List.of(ANN, "INSERT t"));
  }

  @Test
  void aRolledBackTransactionLeavesNothingAndTheNextOneEmitsAgain() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect(); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.executeUpdate("INSERT INTO t (v) VALUES ('a')");
      c.rollback();
      s.executeUpdate("INSERT INTO t (v) VALUES ('b')");
      c.commit();
    }
    assertThat(wal.transactions()).containsExactly(List.of(ANN, "INSERT t"));
  }

  @Test
  void rollingBackToASavepointThatHoldsTheMessageEmitsItAgain() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect(); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      Savepoint savepoint = c.setSavepoint();
      s.executeUpdate("INSERT INTO t (v) VALUES ('a')");
      c.rollback(savepoint);
      s.executeUpdate("INSERT INTO t (v) VALUES ('b')");
      c.commit();
    }
    assertThat(wal.transactions()).containsExactly(List.of(ANN, "INSERT t"));
  }

  @Test
  void rollbackToSavepointWrittenAsSqlAlsoEmitsAgain() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect(); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute("SAVEPOINT before_insert");
      s.executeUpdate("INSERT INTO t (v) VALUES ('a')");
      s.execute("ROLLBACK TO SAVEPOINT before_insert");
      s.executeUpdate("INSERT INTO t (v) VALUES ('b')");
      c.commit();
    }
    assertThat(wal.transactions()).containsExactly(List.of(ANN, "INSERT t"));
  }

  @Test
  void aFailedStatementRollsBackItsMessageWithIt() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect(); Statement s = c.createStatement()) {
      assertThatThrownBy(() -> s.executeUpdate("INSERT INTO u VALUES (1), (1)"))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23505"));
      s.executeUpdate("INSERT INTO u VALUES (2)");
    }
    assertThat(wal.transactions()).containsExactly(List.of(ANN, "INSERT u"));
  }

  @Test
  void withPgjdbcAutosaveAFailedStatementsMessageIsEmittedAgain() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect("autosave", "always"); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      Bemi.setContext(Map.of("user", "bob"));
      s.executeUpdate("INSERT INTO u VALUES (1)");
      Bemi.setContext(Map.of("user", "ann"));
      assertThatThrownBy(() -> s.executeUpdate("INSERT INTO u VALUES (1)")).isInstanceOf(SQLException.class);
      s.executeUpdate("INSERT INTO u VALUES (2)"); // autosave rolled back the failed insert and its message
      c.commit();
    }
    assertThat(wal.transactions()).containsExactly(List.of(BOB, "INSERT u", ANN, "INSERT u"));
  }

  @Test
  void switchingAutocommitOffAndOnKeepsEveryTransactionAttributed() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect(); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.executeUpdate("INSERT INTO t (v) VALUES ('a')");
      c.setAutoCommit(true); // commits
      s.executeUpdate("INSERT INTO t (v) VALUES ('b')");
    }
    assertThat(wal.transactions()).containsExactly(List.of(ANN, "INSERT t"), List.of(ANN, "INSERT t"));
  }

  @Test
  void executeQueryWithReturningGivesTheRowsAndCarriesTheContext() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect(); PreparedStatement p = c.prepareStatement("INSERT INTO t (v) VALUES (?) RETURNING v")) {
      p.setString(1, "x");
      try (ResultSet rs = p.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("x");
        assertThat(rs.getStatement()).isSameAs(p);
        assertThat(rs.next()).isFalse();
      }
    }
    assertThat(wal.transactions()).containsExactly(List.of(ANN, "INSERT t"));
  }

  @Test
  void executeReportsTheApplicationsResultsOnly() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect(); Statement s = c.createStatement()) {
      assertThat(s.execute("INSERT INTO t (v) VALUES ('a'); UPDATE t SET v = 'b'")).isFalse();
      assertThat(s.getUpdateCount()).isEqualTo(1);
      assertThat(s.getMoreResults()).isFalse();
      assertThat(s.getUpdateCount()).isEqualTo(1);
      assertThat(s.getMoreResults()).isFalse();
      assertThat(s.getUpdateCount()).isEqualTo(-1);
    }
    assertThat(wal.transactions()).containsExactly(List.of(ANN, "INSERT t", "UPDATE t"));
  }

  @Test
  void largeUpdatesCarryTheContext() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect(); Statement s = c.createStatement();
        PreparedStatement p = c.prepareStatement("UPDATE t SET v = ?")) {
      assertThat(s.executeLargeUpdate("INSERT INTO t (v) VALUES ('a')")).isEqualTo(1L);
      p.setString(1, "b");
      assertThat(p.executeLargeUpdate()).isEqualTo(1L);
    }
    assertThat(wal.transactions()).containsExactly(List.of(ANN, "INSERT t"), List.of(ANN, "UPDATE t"));
  }

  /**
   * Batches carry their message after the rows, in the round trip of the COMMIT: the ingester
   * gives changes that precede a transaction's first message that message's context.
   */
  @Test
  void aPreparedBatchCarriesOneMessageWithTheCommit() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect(); PreparedStatement p = c.prepareStatement("INSERT INTO u VALUES (?)")) {
      c.setAutoCommit(false);
      for (int i = 1; i <= 3; i++) {
        p.setInt(1, i);
        p.addBatch();
      }
      assertThat(p.executeBatch()).containsExactly(1, 1, 1);
      c.commit();
    }
    assertThat(wal.transactions()).containsExactly(List.of("INSERT u", "INSERT u", "INSERT u", ANN));
  }

  @Test
  void aBatchAfterAnotherContextsWriteGetsItsMessageFirst() throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement();
        PreparedStatement p = c.prepareStatement("INSERT INTO u VALUES (?)")) {
      c.setAutoCommit(false);
      Bemi.setContext(Map.of("user", "bob"));
      s.executeUpdate("INSERT INTO t (v) VALUES ('a')");
      Bemi.setContext(Map.of("user", "ann"));
      p.setInt(1, 1);
      p.addBatch();
      p.executeBatch();
      c.commit();
    }
    assertThat(wal.transactions()).containsExactly(List.of(BOB, "INSERT t", ANN, "INSERT u"));
  }

  @Test
  void aWriteUnderAnotherContextAfterABatchSendsTheBatchsMessageFirst() throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement();
        PreparedStatement p = c.prepareStatement("INSERT INTO u VALUES (?)")) {
      c.setAutoCommit(false);
      Bemi.setContext(Map.of("user", "ann"));
      p.setInt(1, 1);
      p.addBatch();
      p.executeBatch();
      Bemi.setContext(Map.of("user", "bob"));
      s.executeUpdate("INSERT INTO t (v) VALUES ('a')");
      c.commit();
    }
    assertThat(wal.transactions()).containsExactly(List.of("INSERT u", ANN, BOB, "INSERT t"));
  }

  @Test
  void aBatchsMessageIsSentWhenAutocommitIsSwitchedBackOn() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect(); PreparedStatement p = c.prepareStatement("INSERT INTO u VALUES (?)")) {
      c.setAutoCommit(false);
      p.setInt(1, 1);
      p.addBatch();
      p.executeBatch();
      c.setAutoCommit(true); // commits
    }
    assertThat(wal.transactions()).containsExactly(List.of("INSERT u", ANN));
  }

  @Test
  void aRolledBackBatchLeavesNothing() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect(); PreparedStatement p = c.prepareStatement("INSERT INTO u VALUES (?)")) {
      c.setAutoCommit(false);
      p.setInt(1, 1);
      p.addBatch();
      p.executeBatch();
      c.rollback();
      p.setInt(1, 2);
      p.executeUpdate();
      c.commit();
    }
    assertThat(wal.transactions()).containsExactly(List.of(ANN, "INSERT u"));
  }

  @Test
  void anAutocommitBatchAndItsMessageShareOneTransaction() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect(); PreparedStatement p = c.prepareStatement("INSERT INTO u VALUES (?)")) {
      for (int i = 1; i <= 3; i++) {
        p.setInt(1, i);
        p.addBatch();
      }
      assertThat(p.executeBatch()).containsExactly(1, 1, 1);
      assertThat(c.getAutoCommit()).isTrue();
    }
    assertThat(wal.transactions()).containsExactly(List.of("INSERT u", "INSERT u", "INSERT u", ANN));
  }

  @Test
  void rewrittenBatchedInsertsCarryOneMessage() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect("reWriteBatchedInserts", "true");
        PreparedStatement p = c.prepareStatement("INSERT INTO u VALUES (?)")) {
      c.setAutoCommit(false);
      for (int i = 1; i <= 3; i++) {
        p.setInt(1, i);
        p.addBatch();
      }
      assertThat(p.executeBatch()).hasSize(3); // pgjdbc's counts for rewritten batches; DifferentialTest compares them
      c.commit();
    }
    assertThat(wal.transactions()).containsExactly(List.of("INSERT u", "INSERT u", "INSERT u", ANN));
  }

  @Test
  void aStatementBatchCarriesOneMessage() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.addBatch("INSERT INTO u VALUES (1)");
      s.addBatch("UPDATE u SET id = 2");
      assertThat(s.executeBatch()).containsExactly(1, 1);
    }
    assertThat(wal.transactions()).containsExactly(List.of("INSERT u", "UPDATE u", ANN));
  }

  @Test
  void generatedKeysAreReturnedAndTheWriteCarriesTheContext() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect();
        PreparedStatement p = c.prepareStatement("INSERT INTO t (v) VALUES (?)", Statement.RETURN_GENERATED_KEYS);
        Statement s = c.createStatement()) {
      p.setString(1, "a");
      assertThat(p.executeUpdate()).isEqualTo(1);
      try (ResultSet keys = p.getGeneratedKeys()) {
        assertThat(keys.next()).isTrue();
        assertThat(keys.getInt("id")).isPositive();
      }
      assertThat(s.executeUpdate("INSERT INTO t (v) VALUES ('b')", new String[] {"id"})).isEqualTo(1);
      try (ResultSet keys = s.getGeneratedKeys()) {
        assertThat(keys.next()).isTrue();
      }
    }
    assertThat(wal.transactions()).containsExactly(List.of(ANN, "INSERT t"), List.of(ANN, "INSERT t"));
  }

  @Test
  void procedureCallsCarryTheContext() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect(); Statement s = c.createStatement();
        CallableStatement call = c.prepareCall("CALL add_row(?)")) {
      s.execute("CALL add_row('a')");
      call.setString(1, "b");
      call.execute();
    }
    assertThat(wal.transactions()).containsExactly(List.of(ANN, "INSERT t"), List.of(ANN, "INSERT t"));
  }

  @Test
  void selectingAWritingFunctionCarriesTheContextOnlyWithContextForAll() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.executeQuery("SELECT add_row_fn('a')").close();
    }
    try (Connection c = connect("bemi.contextFor", "all"); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT add_row_fn('b')")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isPositive();
      }
    }
    assertThat(wal.transactions()).containsExactly(List.of("INSERT t"), List.of(ANN, "INSERT t"));
  }

  @Test
  void dataModifyingCtesAndCommentedWritesAreWrites() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.executeUpdate("/* leading */ -- comment\n  insert INTO u VALUES (1)");
      s.execute("WITH moved AS (DELETE FROM u RETURNING id) INSERT INTO u SELECT id + 1 FROM moved");
    }
    assertThat(wal.transactions())
        .containsExactly(List.of(ANN, "INSERT u"), List.of(ANN, "DELETE u", "INSERT u"));
  }

  @Test
  void mergeIsAWrite() throws SQLException {
    Assumptions.assumeTrue(db.serverMajorVersion() >= 15, "MERGE arrived in PostgreSQL 15");
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.executeUpdate("MERGE INTO u USING (VALUES (1)) AS v(id) ON u.id = v.id WHEN NOT MATCHED THEN INSERT VALUES (v.id)");
    }
    assertThat(wal.transactions()).containsExactly(List.of(ANN, "INSERT u"));
  }

  @Test
  void copyFromIsAWrite() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.executeUpdate("COPY u FROM PROGRAM 'echo 2'"); // COPY … FROM STDIN needs pgjdbc's CopyManager: see docs
    }
    assertThat(wal.transactions()).containsExactly(List.of(ANN, "INSERT u"));
  }

  @Test
  void includeSqlAddsTheStatementText() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect("bemi.includeSql", "true"); PreparedStatement p = c.prepareStatement(
        "INSERT INTO u VALUES (?)")) {
      p.setInt(1, 1);
      p.executeUpdate();
    }
    assertThat(wal.messages()).containsExactly("{\"user\":\"ann\",\"SQL\":\"INSERT INTO u VALUES (?)\"}");
  }

  @Test
  void includeSqlNamesEveryStatementOfAStatementBatch() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect("bemi.includeSql", "true"); Statement s = c.createStatement()) {
      s.addBatch("INSERT INTO u VALUES (1)");
      s.addBatch("DELETE FROM u");
      s.executeBatch();
    }
    assertThat(wal.messages()) // values left out, as a prepared statement's parameters are
        .containsExactly("{\"user\":\"ann\",\"SQL\":\"INSERT INTO u VALUES (?);\\nDELETE FROM u\"}");
  }

  @Test
  void aContextLargerThanMaxContextBytesKeepsItsIdentifyingKeysAndTheWriteRuns() throws SQLException {
    Map<String, Object> context = new java.util.LinkedHashMap<>();
    context.put("payload", "a".repeat(300));
    context.put("user", "ann");
    Bemi.setContext(context);
    try (Connection c = connect("bemi.maxContextBytes", "120"); Statement s = c.createStatement()) {
      assertThat(s.executeUpdate("INSERT INTO u VALUES (1)")).isEqualTo(1);
    }
    assertThat(wal.messages()).containsExactly(
        "{\"_bemi_truncated\":{\"originalBytes\":327,\"droppedKeys\":[\"payload\"]},\"user\":\"ann\"}");
  }

  @Test
  void disabledInjectionSendsNothing() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = DriverManager.getConnection(bemiUrl(db) + "?bemi.enabled=false", db.credentials());
        Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO u VALUES (1)");
    }
    assertThat(wal.transactions()).containsExactly(List.of("INSERT u"));
  }

  @Test
  void questionMarksInAPlainStatementStayLiteral() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO t (v) VALUES ('what?') ");
      s.executeUpdate("UPDATE t SET v = v || '!' WHERE '{\"a\":1}'::jsonb ? 'a'");
    }
    assertThat(db.queryValue("SELECT v FROM t")).isEqualTo("what?!");
    assertThat(wal.transactions()).containsExactly(List.of(ANN, "INSERT t"), List.of(ANN, "UPDATE t"));
  }

  @Test
  void theWrappersReachPgjdbcAndAnswerWithThemselves() throws SQLException {
    try (Connection c = connect(); PreparedStatement p = c.prepareStatement("SELECT 1")) {
      assertThat(c.unwrap(org.postgresql.PGConnection.class)).isNotNull();
      assertThat(c.isWrapperFor(org.postgresql.PGConnection.class)).isTrue();
      assertThat(BemiJdbc.isWrapped(c)).isTrue();
      assertThat(BemiJdbc.wrap(c, null)).isSameAs(c);
      assertThat(p.getConnection()).isSameAs(c);
      assertThat(c.getMetaData().getConnection()).isSameAs(c);
      assertThat(c.isValid(1)).isTrue();
      try (ResultSet rs = p.executeQuery()) {
        assertThat(rs.getStatement()).isSameAs(p);
      }
    }
  }

  // ---- savepoints and the transaction state machine ----------------------------------------------

  @Test
  void aBatchAfterRollbackToASavepointInSqlCarriesItsOwnContextNotTheEarlierOne() throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement();
        PreparedStatement p = c.prepareStatement("INSERT INTO u VALUES (?)")) {
      c.setAutoCommit(false);
      Bemi.setContext(Map.of("user", "ann"));
      s.executeUpdate("INSERT INTO t (v) VALUES ('a')");
      s.execute("SAVEPOINT s1");
      s.executeUpdate("INSERT INTO t (v) VALUES ('b')");
      s.execute("ROLLBACK TO SAVEPOINT s1");
      Bemi.setContext(Map.of("user", "bob"));
      p.setInt(1, 1);
      p.addBatch();
      p.executeBatch();
      c.commit();
    }
    List<String> events = wal.transactions().get(0);
    assertThat(events.subList(events.indexOf("INSERT u") - 1, events.indexOf("INSERT u") + 1))
        .containsExactly(BOB, "INSERT u");
  }

  @Test
  void aBatchAfterRollbackToAnApiSavepointCarriesItsOwnContext() throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement();
        PreparedStatement p = c.prepareStatement("INSERT INTO u VALUES (?)")) {
      c.setAutoCommit(false);
      Bemi.setContext(Map.of("user", "ann"));
      s.executeUpdate("INSERT INTO t (v) VALUES ('a')");
      Savepoint savepoint = c.setSavepoint();
      s.executeUpdate("INSERT INTO t (v) VALUES ('b')");
      c.rollback(savepoint);
      Bemi.setContext(Map.of("user", "bob"));
      p.setInt(1, 1);
      p.addBatch();
      p.executeBatch();
      c.commit();
    }
    List<String> events = wal.transactions().get(0);
    assertThat(events.get(events.indexOf("INSERT u") - 1)).isEqualTo(BOB);
  }

  @Test
  void aMessageRolledBackWithASavepointIsSentAgainBeforeTheNextWrite() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect(); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute("SAVEPOINT s1");
      s.executeUpdate("INSERT INTO t (v) VALUES ('a')");
      s.execute("ROLLBACK TO s1");
      s.executeUpdate("INSERT INTO t (v) VALUES ('b')");
      c.commit();
    }
    assertThat(wal.transactions()).containsExactly(List.of(ANN, "INSERT t"));
  }

  @Test
  void aReleasedSavepointKeepsTheMessageSoTheSameContextIsNotSentTwice() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect(); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute("SAVEPOINT \"Mixed Case\"");
      s.executeUpdate("INSERT INTO t (v) VALUES ('a')");
      s.execute("RELEASE SAVEPOINT \"Mixed Case\"");
      s.executeUpdate("INSERT INTO t (v) VALUES ('b')");
      c.commit();
    }
    assertThat(wal.transactions()).containsExactly(List.of(ANN, "INSERT t", "INSERT t"));
  }

  @Test
  void aRollbackInAnAbortedTransactionWithAnOwedMessageSucceeds() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect(); Statement s = c.createStatement();
        PreparedStatement p = c.prepareStatement("INSERT INTO u VALUES (?)")) {
      c.setAutoCommit(false);
      p.setInt(1, 1);
      p.addBatch();
      p.executeBatch(); // its message is owed to the commit
      assertThatThrownBy(() -> s.execute("SELECT 1/0")).isInstanceOf(SQLException.class);
      s.execute("ROLLBACK");
      p.setInt(1, 2);
      p.executeUpdate();
      c.commit();
    }
    assertThat(wal.transactions()).containsExactly(List.of(ANN, "INSERT u"));
  }

  @Test
  void aBatchInsideABeginBlockInAutocommitModeStaysInThatBlock() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect(); Statement s = c.createStatement();
        PreparedStatement p = c.prepareStatement("INSERT INTO u VALUES (?)")) {
      s.execute("BEGIN");
      p.setInt(1, 1);
      p.addBatch();
      p.executeBatch();
      s.execute("ROLLBACK");
    }
    assertThat(db.queryLong("SELECT count(*) FROM u")).isZero();
    assertThat(wal.transactions()).isEmpty();
  }

  @Test
  void aBeginBlockInAutocommitModeCarriesOneMessageForItsWrites() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute("BEGIN");
      s.executeUpdate("INSERT INTO t (v) VALUES ('a')");
      s.executeUpdate("INSERT INTO t (v) VALUES ('b')");
      s.execute("COMMIT");
    }
    assertThat(wal.transactions()).containsExactly(List.of(ANN, "INSERT t", "INSERT t"));
  }

  @Test
  void aPreparedTransactionCarriesItsOwedMessage() throws SQLException {
    Assumptions.assumeTrue(db.queryLong("SELECT setting::int FROM pg_settings WHERE name = 'max_prepared_transactions'") > 0,
        "max_prepared_transactions is 0 on this server");
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect(); Statement s = c.createStatement();
        PreparedStatement p = c.prepareStatement("INSERT INTO u VALUES (?)")) {
      c.setAutoCommit(false);
      p.setInt(1, 1);
      p.addBatch();
      p.executeBatch();
      s.execute("PREPARE TRANSACTION 'bemi_test'");
      c.setAutoCommit(true);
      s.execute("COMMIT PREPARED 'bemi_test'");
    }
    assertThat(wal.transactions()).containsExactly(List.of("INSERT u", ANN));
  }

  @Test
  void aCopyThroughPgjdbcsCopyManagerCarriesTheContextEmittedBeforeIt() throws Exception {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect()) {
      c.setAutoCommit(false);
      BemiJdbc.emitContext(c);
      BemiJdbc.emitContext(c); // already the transaction's message: not sent twice
      c.unwrap(org.postgresql.PGConnection.class).getCopyAPI()
          .copyIn("COPY u FROM STDIN", new java.io.StringReader("1\n2\n"));
      c.commit();
    }
    assertThat(wal.transactions()).containsExactly(List.of(ANN, "INSERT u", "INSERT u"));
  }

  @Test
  void emittingTheContextInAutocommitModeIsRefusedBecauseTheMessageWouldCommitAlone() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect()) {
      assertThatThrownBy(() -> BemiJdbc.emitContext(c)).isInstanceOf(SQLException.class)
          .hasMessageContaining("open transaction");
    }
  }

  @Test
  void aResultSetReadBehindTheMessageClosesWithItsStatementThoughTheTwoPartStatementIsKept() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect()) {
      ResultSet rs;
      try (PreparedStatement p = c.prepareStatement("INSERT INTO t (v) VALUES (?) RETURNING v")) {
        p.setString(1, "a");
        rs = p.executeQuery();
        assertThat(rs.next()).isTrue();
      }
      assertThat(rs.isClosed()).isTrue();
      try (PreparedStatement again = c.prepareStatement("INSERT INTO t (v) VALUES (?) RETURNING v")) {
        again.setString(1, "b");
        try (ResultSet second = again.executeQuery()) {
          assertThat(second.next()).isTrue();
          assertThat(second.getString(1)).isEqualTo("b");
        }
      }
    }
    assertThat(wal.transactions()).containsExactly(List.of(ANN, "INSERT t"), List.of(ANN, "INSERT t"));
  }

  @Test
  void twoOpenStatementsOfTheSameSqlKeepTheirOwnResults() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = connect();
        PreparedStatement first = c.prepareStatement("INSERT INTO t (v) VALUES (?) RETURNING v");
        PreparedStatement second = c.prepareStatement("INSERT INTO t (v) VALUES (?) RETURNING v")) {
      first.setString(1, "one");
      ResultSet a = first.executeQuery();
      second.setString(1, "two");
      ResultSet b = second.executeQuery();
      assertThat(a.next()).isTrue();
      assertThat(b.next()).isTrue();
      assertThat(List.of(a.getString(1), b.getString(1))).containsExactly("one", "two");
    }
  }

  @Test
  void aPreparedStatementUsedForABatchAndThenExecutedAloneStillCarriesTheContext() throws SQLException {
    try (Connection c = connect(); PreparedStatement p = c.prepareStatement("INSERT INTO u VALUES (?)")) {
      Bemi.setContext(Map.of("user", "ann"));
      p.setInt(1, 1);
      p.addBatch();
      p.executeBatch();
      Bemi.setContext(Map.of("user", "bob"));
      p.setInt(1, 2);
      assertThat(p.executeUpdate()).isEqualTo(1);
    }
    assertThat(db.queryLong("SELECT max(id) FROM u")).isEqualTo(2);
    assertThat(wal.transactions()).containsExactly(List.of("INSERT u", ANN), List.of(BOB, "INSERT u"));
  }
}

package io.bemi.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.Bemi;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Counts network round trips through a loopback proxy: with a context set, {@code jdbc:bemi}
 * needs exactly as many as plain pgjdbc for statements, because the message travels in the same
 * round trip as the write (or, for batches, as the commit). Autocommit batches are the documented
 * exception: one more, for the commit that carries their message.
 */
@WithPostgres
class RoundTripTest {

  private static TestDatabase db;
  private static RoundTripCounter counter;

  interface Work {
    void run(Connection c) throws SQLException;
  }

  @BeforeAll
  static void setUp(TestDatabase database) throws Exception {
    db = database;
    db.execute("CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)",
        "INSERT INTO accounts SELECT g, 0 FROM generate_series(1, 10) g",
        "CREATE TABLE history (id bigserial PRIMARY KEY, account int, delta int)");
    counter = RoundTripCounter.forUrl(db.jdbcUrl());
  }

  @AfterAll
  static void tearDown() throws Exception {
    counter.close();
  }

  @AfterEach
  void clearContext() {
    Bemi.clearContext();
  }

  private long roundTrips(String url, Work work) throws SQLException {
    try (Connection c = DriverManager.getConnection(counter.proxied(url), db.credentials())) {
      work.run(c); // warm up: statements prepared, types known
      long before = counter.roundTrips();
      work.run(c);
      return counter.roundTrips() - before;
    }
  }

  private void assertSameRoundTrips(Work work) throws SQLException {
    long plain = roundTrips(db.jdbcUrl(), work);
    Bemi.setContext(Map.of("user", "ann"));
    long bemi = roundTrips(EmissionTest.bemiUrl(db), work);
    assertThat(bemi).as("round trips with jdbc:bemi (plain pgjdbc: %d)", plain).isEqualTo(plain);
  }

  @Test
  void anAutocommitUpdateTakesAsManyRoundTripsAsWithPlainPgjdbc() throws SQLException {
    assertSameRoundTrips(c -> {
      try (PreparedStatement p = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?")) {
        p.setInt(1, 1);
        p.setInt(2, 1);
        p.executeUpdate();
      }
    });
  }

  @Test
  void aTpcbLikeTransactionTakesAsManyRoundTripsAsWithPlainPgjdbc() throws SQLException {
    assertSameRoundTrips(c -> {
      c.setAutoCommit(false);
      try (PreparedStatement update = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?");
          PreparedStatement select = c.prepareStatement("SELECT balance FROM accounts WHERE id = ?");
          PreparedStatement insert = c.prepareStatement("INSERT INTO history (account, delta) VALUES (?, ?)")) {
        for (int id = 1; id <= 3; id++) {
          update.setInt(1, 5);
          update.setInt(2, id);
          update.executeUpdate();
        }
        select.setInt(1, 1);
        try (ResultSet rs = select.executeQuery()) {
          rs.next();
        }
        insert.setInt(1, 1);
        insert.setInt(2, 5);
        insert.executeUpdate();
      }
      c.commit();
      c.setAutoCommit(true);
    });
  }

  @Test
  void aPlainStatementWriteTakesAsManyRoundTripsAsWithPlainPgjdbc() throws SQLException {
    assertSameRoundTrips(c -> {
      try (Statement s = c.createStatement()) {
        s.executeUpdate("UPDATE accounts SET balance = balance + 1 WHERE id = 2");
      }
    });
  }

  @Test
  void anAutocommitInsertReturningGeneratedKeysTakesAsManyRoundTripsAsWithPlainPgjdbc() throws SQLException {
    assertSameRoundTrips(c -> {
      try (PreparedStatement p = c.prepareStatement("INSERT INTO history (account, delta) VALUES (?, ?)",
          Statement.RETURN_GENERATED_KEYS)) {
        p.setInt(1, 1);
        p.setInt(2, 1);
        p.executeUpdate();
        try (ResultSet keys = p.getGeneratedKeys()) {
          keys.next();
        }
      }
    });
  }

  @Test
  void aBatchInATransactionTakesAsManyRoundTripsAsWithPlainPgjdbc() throws SQLException {
    assertSameRoundTrips(c -> {
      c.setAutoCommit(false);
      insertBatch(c);
      c.commit();
      c.setAutoCommit(true);
    });
  }

  @Test
  void anAutocommitBatchTakesOneMoreRoundTripForItsCommit() throws SQLException {
    long plain = roundTrips(db.jdbcUrl(), RoundTripTest::insertBatch);
    Bemi.setContext(Map.of("user", "ann"));
    assertThat(roundTrips(EmissionTest.bemiUrl(db), RoundTripTest::insertBatch)).isEqualTo(plain + 1);
  }

  private static void insertBatch(Connection c) throws SQLException {
    try (PreparedStatement insert = c.prepareStatement("INSERT INTO history (account, delta) VALUES (?, ?)")) {
      for (int i = 0; i < 100; i++) {
        insert.setInt(1, 1);
        insert.setInt(2, i);
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }
}

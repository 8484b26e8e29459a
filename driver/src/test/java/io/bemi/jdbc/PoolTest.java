package io.bemi.jdbc;

import io.bemi.test.Wal;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.bemi.Bemi;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** HikariCP configured with nothing but the {@code jdbc:bemi} URL, shared by several threads. */
@WithPostgres
@Tag("replication")
class PoolTest {

  private TestDatabase db;
  private Wal wal;
  private HikariDataSource pool;

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE p (id serial PRIMARY KEY, worker text, n int)");
  }

  @BeforeEach
  void setUp(TestDatabase db) throws SQLException {
    this.db = db;
    wal = Wal.open(db);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(EmissionTest.bemiUrl(db)); // the driver is found from the URL, as Spring Boot does
    config.setUsername(db.user());
    config.setPassword(db.password());
    config.setMaximumPoolSize(3);
    config.setAutoCommit(true);
    pool = new HikariDataSource(config);
  }

  @AfterEach
  void tearDown() throws SQLException {
    pool.close();
    wal.close();
    Bemi.clearContext();
  }

  @Test
  void pooledConnectionsAreBemiConnectionsThatReachPgjdbc() throws SQLException {
    try (Connection c = pool.getConnection()) {
      assertThat(BemiJdbc.isWrapped(c)).isTrue();
      assertThat(c.unwrap(org.postgresql.PGConnection.class)).isNotNull();
    }
  }

  @Test
  void eachThreadsTransactionsCarryThatThreadsContext() throws Exception {
    int workers = 6;
    int transactionsPerWorker = 10;
    ExecutorService executor = Executors.newFixedThreadPool(workers);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        String worker = "w" + w;
        done.add(executor.submit(() -> {
          Bemi.setContext(Map.of("worker", worker));
          for (int i = 0; i < transactionsPerWorker; i++) {
            try (Connection c = pool.getConnection()) {
              c.setAutoCommit(i % 2 == 0);
              try (PreparedStatement insert = c.prepareStatement("INSERT INTO p (worker, n) VALUES (?, ?)")) {
                insert.setString(1, worker);
                insert.setInt(2, i);
                insert.executeUpdate();
                insert.setInt(2, -i);
                insert.executeUpdate();
              }
              if (!c.getAutoCommit()) {
                c.commit();
              }
            }
          }
          Bemi.clearContext();
          return null;
        }));
      }
      for (Future<?> future : done) {
        future.get();
      }
    } finally {
      executor.shutdown();
    }

    Pattern message = Pattern.compile("message \\{\"worker\":\"(w\\d)\"}");
    Pattern insert = Pattern.compile("INSERT p:.*worker\\[text]:'(w\\d)'.*");
    int rows = 0;
    for (List<String> transaction : wal.transactionsWithValues()) {
      String context = null;
      for (String event : transaction) {
        Matcher m = message.matcher(event);
        if (m.matches()) {
          context = m.group(1);
          continue;
        }
        Matcher row = insert.matcher(event);
        assertThat(row.matches()).as(event).isTrue();
        assertThat(context).as("context of %s", event).isEqualTo(row.group(1));
        rows++;
      }
    }
    assertThat(rows).isEqualTo(workers * transactionsPerWorker * 2);
  }
}

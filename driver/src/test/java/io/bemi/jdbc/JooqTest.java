package io.bemi.jdbc;

import io.bemi.test.Wal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.table;

import io.bemi.Bemi;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** jOOQ over {@code jdbc:bemi}: DSL writes, RETURNING, batches and transactions. */
@WithPostgres
@Tag("replication")
class JooqTest {

  private static final String ANN = "message {\"user\":\"ann\"}";

  private TestDatabase db;
  private Wal wal;

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE j (id serial PRIMARY KEY, v text)");
  }

  @BeforeEach
  void openWal(TestDatabase db) throws SQLException {
    this.db = db;
    db.execute("DELETE FROM j");
    wal = Wal.open(db);
  }

  @AfterEach
  void closeWal() throws SQLException {
    Bemi.clearContext();
    wal.close();
  }

  @Test
  void dslWritesCarryTheContextAndReadsDoNot() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = DriverManager.getConnection(EmissionTest.bemiUrl(db), db.credentials())) {
      DSLContext sql = DSL.using(c, SQLDialect.POSTGRES);
      Integer id = sql.insertInto(table("j"), field("v")).values("a").returningResult(field("id", Integer.class))
          .fetchOne().value1();
      assertThat(sql.update(table("j")).set(field("v"), "b").where(field("id").eq(id)).execute()).isEqualTo(1);
      assertThat(sql.fetchCount(table("j"))).isEqualTo(1);
      assertThat(sql.deleteFrom(table("j")).where(field("id").eq(id)).execute()).isEqualTo(1);
    }
    assertThat(wal.transactions()).containsExactly(List.of(ANN, "INSERT j"), List.of(ANN, "UPDATE j"), List.of(ANN, "DELETE j"));
  }

  @Test
  void aBatchInsideATransactionCarriesOneMessage() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    try (Connection c = DriverManager.getConnection(EmissionTest.bemiUrl(db), db.credentials())) {
      DSLContext sql = DSL.using(c, SQLDialect.POSTGRES);
      sql.transaction(configuration -> {
        DSLContext tx = configuration.dsl();
        int[] counts = tx.batch(tx.insertInto(table("j"), field("v")).values((String) null))
            .bind("x").bind("y").bind("z").execute();
        assertThat(counts).containsExactly(1, 1, 1);
        tx.update(table("j")).set(field("v"), "w").where(field("v").eq("x")).execute();
      });
    }
    assertThat(wal.transactions())
        .containsExactly(List.of("INSERT j", "INSERT j", "INSERT j", "UPDATE j", ANN)); // the batch's message goes with the commit
  }
}

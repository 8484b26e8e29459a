package io.bemi.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The sample shop's SQL on a real PostgreSQL, without the ingester: every kind of write works. */
@WithPostgres
class ShopApplicationTest {

  @BeforeAll
  static void createShop(TestDatabase db) throws Exception {
    try (Connection connection = db.connect()) {
      ShopSchema.create(connection);
    }
  }

  @Test
  void creatingTheSchemaAgainKeepsTheSeedRowsOnce(TestDatabase db) throws Exception {
    try (Connection connection = db.connect()) {
      ShopSchema.create(connection);
    }

    assertThat(db.queryLong("SELECT count(*) FROM products")).isEqualTo(8);
    assertThat(db.queryLong("SELECT count(*) FROM customers WHERE email LIKE '%@example.com'")).isEqualTo(6);
  }

  @Test
  void theFirstRoundDoesEveryKindOfWrite(TestDatabase db) throws Exception {
    ShopApplication shop = ShopApplication.connect(
        "jdbc:bemi:" + db.jdbcUrlWithCredentials().substring("jdbc:".length()), db.jdbcUrlWithCredentials());
    try {
      List<String> done = shop.writeFirstRound();

      assertThat(done).extracting(line -> line.substring(0, line.indexOf(':'))).containsExactly(
          "POST /orders", "POST /orders", "POST /orders/{id}/pay", "POST /orders/{id}/ship",
          "DELETE /orders/{id}", "PATCH /customers/{id}", "POST /customers", "restock job",
          "price change in psql", "account deletion in psql");
      assertThat(db.queryLong("SELECT count(*) FROM orders WHERE status = 'shipped' AND shipping IS NOT NULL"))
          .isEqualTo(1);
    } finally {
      shop.close();
    }
  }
}

package io.bemi.jdbc;

import io.bemi.test.Wal;
import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.Bemi;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Hibernate ORM over {@code jdbc:bemi}: generated ids, JDBC batching, persist/merge/remove. */
@WithPostgres
@Tag("replication")
class HibernateTest {

  @Entity(name = "Book")
  public static class Book {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    Long id;
    String title;
  }

  @Entity(name = "Item")
  public static class Item {
    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "item_seq")
    @SequenceGenerator(name = "item_seq", allocationSize = 50)
    Long id;
    String name;
  }

  private static SessionFactory sessions;
  private Wal wal;

  @BeforeAll
  static void start(TestDatabase db) {
    sessions = new Configuration()
        .addAnnotatedClass(Book.class)
        .addAnnotatedClass(Item.class)
        .setProperty("hibernate.connection.url", EmissionTest.bemiUrl(db))
        .setProperty("hibernate.connection.username", db.user())
        .setProperty("hibernate.connection.password", db.password())
        .setProperty("hibernate.hbm2ddl.auto", "create")
        .setProperty("hibernate.jdbc.batch_size", "20")
        .setProperty("hibernate.order_inserts", "true")
        .buildSessionFactory();
  }

  @AfterAll
  static void stop() {
    sessions.close();
  }

  @BeforeEach
  void openWal(TestDatabase db) throws SQLException {
    wal = Wal.open(db);
  }

  @AfterEach
  void closeWal() throws SQLException {
    Bemi.clearContext();
    wal.close();
  }

  @Test
  void persistWithIdentityIdsCarriesTheContextAndGetsTheIds() throws SQLException {
    Bemi.setContext(Map.of("user", "ann"));
    Book first = new Book();
    first.title = "One";
    Book second = new Book();
    second.title = "Two";
    sessions.inTransaction(session -> {
      session.persist(first);
      session.persist(second);
    });
    assertThat(first.id).isNotNull();
    assertThat(second.id).isEqualTo(first.id + 1);
    assertThat(wal.transactions()).containsExactly(List.of("message {\"user\":\"ann\"}", "INSERT book", "INSERT book"));
  }

  @Test
  void batchedInsertsCarryOneMessagePerTransaction() throws SQLException {
    Bemi.setContext(Map.of("job", "import"));
    sessions.inTransaction(session -> {
      for (int i = 0; i < 30; i++) {
        Item item = new Item();
        item.name = "item " + i;
        session.persist(item);
      }
    });
    List<List<String>> transactions = wal.transactions();
    assertThat(transactions).hasSize(1);
    // Hibernate batches the inserts; a batch's message follows its rows (sent with the commit)
    assertThat(transactions.get(0)).last().isEqualTo("message {\"job\":\"import\"}");
    assertThat(transactions.get(0)).filteredOn(e -> e.startsWith("message")).hasSize(1);
    assertThat(transactions.get(0)).filteredOn("INSERT item"::equals).hasSize(30);
  }

  @Test
  void mergeAndRemoveCarryTheContextOfTheirTransactions() throws SQLException {
    Book book = new Book();
    book.title = "Draft";
    sessions.inTransaction(session -> session.persist(book));
    Bemi.setContext(Map.of("user", "editor"));
    book.title = "Final";
    sessions.inTransaction(session -> session.merge(book));
    Bemi.setContext(Map.of("user", "admin"));
    sessions.inTransaction(session -> session.remove(session.find(Book.class, book.id)));
    assertThat(wal.transactions()).containsExactly(
        List.of("INSERT book"),
        // with hibernate.jdbc.batch_size set, Hibernate sends updates and deletes as batches too
        List.of("UPDATE book", "message {\"user\":\"editor\"}"),
        List.of("DELETE book", "message {\"user\":\"admin\"}"));
  }
}

package io.bemi.spring.boot.app;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
public class Orders {

  private final JdbcTemplate jdbc;
  private final Notes notes;

  Orders(JdbcTemplate jdbc, Notes notes) {
    this.jdbc = jdbc;
    this.notes = notes;
  }

  @Transactional("jdbcTransactionManager")
  public void place(int id) {
    jdbc.update("INSERT INTO orders (id, status) VALUES (?, 'placed')", id);
  }

  /** The note is written in a NESTED transaction (a savepoint) that fails; the order still commits. */
  @Transactional("jdbcTransactionManager")
  public void placeWithFailingNote(int id) {
    jdbc.update("INSERT INTO orders (id, status) VALUES (?, 'placed')", id);
    try {
      notes.addThenFail(id);
    } catch (IllegalStateException expected) {
      jdbc.update("INSERT INTO order_audit (order_id, event) VALUES (?, 'note failed')", id);
    }
  }
}

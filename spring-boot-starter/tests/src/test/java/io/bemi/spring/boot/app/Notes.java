package io.bemi.spring.boot.app;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

@Service
public class Notes {

  private final JdbcTemplate jdbc;

  Notes(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  @Transactional(transactionManager = "jdbcTransactionManager", propagation = Propagation.NESTED)
  public void addThenFail(int orderId) {
    jdbc.update("INSERT INTO notes (order_id, body) VALUES (?, 'fragile')", orderId);
    throw new IllegalStateException("the note service is down");
  }
}

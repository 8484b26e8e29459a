package io.bemi.spring.boot.app;

import java.util.concurrent.CompletableFuture;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Async;
import org.springframework.stereotype.Service;

@Service
public class Invoicing {

  private final JdbcTemplate jdbc;

  Invoicing(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** Runs on Boot's TaskExecutor, another thread than the request's. */
  @Async
  public CompletableFuture<Void> invoice(int orderId) {
    jdbc.update("INSERT INTO invoices (order_id, thread) VALUES (?, ?)", orderId, Thread.currentThread().getName());
    return CompletableFuture.completedFuture(null);
  }
}

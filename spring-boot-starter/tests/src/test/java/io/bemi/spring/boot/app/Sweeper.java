package io.bemi.spring.boot.app;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** A scheduled job that writes once when a test arms it: it sweeps only orders a test marked {@code due}, never those other tests placed. */
@Component
public class Sweeper {

  private final JdbcTemplate jdbc;
  private final AtomicReference<CountDownLatch> armed = new AtomicReference<>();

  Sweeper(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  public CountDownLatch arm() {
    CountDownLatch done = new CountDownLatch(1);
    armed.set(done);
    return done;
  }

  @Scheduled(fixedDelay = 50)
  public void sweep() {
    CountDownLatch done = armed.getAndSet(null);
    if (done != null) {
      jdbc.update("UPDATE orders SET status = 'swept' WHERE status = 'due'");
      done.countDown();
    }
  }
}

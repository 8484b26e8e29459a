package io.bemi.spring.boot;

import javax.sql.DataSource;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/** The {@code bemi} health component on Spring Boot 3 (Actuator's health contract). */
final class BemiHealthIndicator extends AbstractHealthIndicator {

  private final DataSource dataSource;
  private final BemiCounts counts;

  BemiHealthIndicator(DataSource dataSource, BemiCounts counts) {
    super("Bemi health check failed");
    this.dataSource = dataSource;
    this.counts = counts;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) throws Exception {
    BemiHealthCheck check = BemiHealthCheck.of(dataSource, counts);
    (check.up() ? builder.up() : builder.down()).withDetails(check.details());
  }
}

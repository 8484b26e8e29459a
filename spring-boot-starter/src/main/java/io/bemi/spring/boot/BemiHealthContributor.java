package io.bemi.spring.boot;

import javax.sql.DataSource;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/** The {@code bemi} health component on Spring Boot 4 (spring-boot-health's contract). */
final class BemiHealthContributor extends AbstractHealthIndicator {

  private final DataSource dataSource;
  private final BemiCounts counts;

  BemiHealthContributor(DataSource dataSource, BemiCounts counts) {
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

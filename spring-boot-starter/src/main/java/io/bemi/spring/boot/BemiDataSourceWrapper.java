package io.bemi.spring.boot;

import java.util.Properties;
import javax.sql.DataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Wraps every DataSource bean in a {@link BemiDataSource}: no URL or driver-class change in the
 * application's configuration. Registered from a static bean method so it sees every DataSource,
 * including Boot's own.
 */
final class BemiDataSourceWrapper implements BeanPostProcessor {

  private final Properties driverOptions;
  private final Runnable onWrapped;

  BemiDataSourceWrapper(Properties driverOptions, Runnable onWrapped) {
    this.driverOptions = driverOptions;
    this.onWrapped = onWrapped;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (bean instanceof DataSource dataSource && !(bean instanceof BemiDataSource)) {
      return new BemiDataSource(dataSource, driverOptions, onWrapped);
    }
    return bean;
  }
}

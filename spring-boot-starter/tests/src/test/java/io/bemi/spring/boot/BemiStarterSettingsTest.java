package io.bemi.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.Bemi;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.task.TaskDecorator;
import org.springframework.jdbc.datasource.AbstractDataSource;

/** The starter's switches and settings as Spring binds them, without a database. */
class BemiStarterSettingsTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(BemiAutoConfiguration.class));

  @Test
  void every_spelling_of_off_that_spring_binds_turns_a_switch_off() {
    for (String off : new String[] {"false", "off", "no", "0", "OFF"}) {
      runner.withPropertyValues("bemi.enabled=" + off).run(context -> assertThat(context).doesNotHaveBean(BemiCounts.class));
      runner.withPropertyValues("bemi.async.enabled=" + off)
          .run(context -> assertThat(context).hasSingleBean(BemiCounts.class).doesNotHaveBean(TaskDecorator.class));
    }
    runner.withPropertyValues("bemi.async.enabled=on").run(context -> assertThat(context).hasSingleBean(TaskDecorator.class));
    runner.run(context -> assertThat(context).hasSingleBean(TaskDecorator.class));
    runner.withPropertyValues("bemi.enabled=maybe").run(context -> assertThat(context).hasFailed());
  }

  @Test
  void a_bad_driver_setting_stops_start_up_naming_it_instead_of_failing_each_checkout() {
    runner.withPropertyValues("bemi.datasource.context-for=bogus").run(context -> assertThat(context).hasFailed()
        .getFailure().rootCause().hasMessageContaining("bemi.contextFor must be"));
    runner.withPropertyValues("bemi.datasource.options.nosuch=1").run(context -> assertThat(context).hasFailed()
        .getFailure().rootCause().hasMessageContaining("Unknown Bemi option `bemi.nosuch`"));
  }

  @Test
  void driver_options_are_found_by_their_name_in_camel_kebab_or_environment_case() {
    for (String key : new String[] {"maxContextBytes", "max-context-bytes", "maxcontextbytes", "MAX_CONTEXT_BYTES"}) {
      Properties options = new BemiProperties.DataSource(true, false, null, null, Map.of(key, "150")).driverOptions();
      assertThat(options).as(key).containsEntry("bemi.maxContextBytes", "150").hasSize(1);
    }
    // the typed property's default does not undo options.includeSql
    assertThat(new BemiProperties.DataSource(true, false, null, null, Map.of("includeSql", "true")).driverOptions())
        .containsEntry("bemi.includeSql", "true");
  }

  @Test
  void connections_of_a_database_that_is_not_postgresql_are_handed_out_unwrapped() throws Exception {
    Connection h2 = connectionOf("H2");
    int[] wrapped = {0};
    BemiDataSource dataSource = new BemiDataSource(new AbstractDataSource() {
      @Override
      public Connection getConnection() {
        return h2;
      }

      @Override
      public Connection getConnection(String username, String password) {
        return h2;
      }
    }, new Properties(), () -> wrapped[0]++);

    assertThat(dataSource.getConnection()).isSameAs(h2);
    assertThat(wrapped[0]).isZero();
  }

  @Test
  void only_tasks_submitted_with_a_context_count_as_carried() {
    runner.run(context -> {
      TaskDecorator decorator = context.getBean(TaskDecorator.class);
      BemiCounts counts = context.getBean(BemiCounts.class);
      decorator.decorate(() -> {}).run(); // e.g. a @Scheduled run: Boot applies the decorator to its scheduler too
      assertThat(counts.asyncContexts.sum()).isZero();
      try (Bemi.Scope ignored = Bemi.withContext(Map.of("user", "ann"))) {
        decorator.decorate(() -> {}).run();
      }
      assertThat(counts.asyncContexts.sum()).isEqualTo(1);
    });
  }

  /** A connection of another database: only its metadata's product name is asked for. */
  private static Connection connectionOf(String product) {
    DatabaseMetaData metaData = (DatabaseMetaData) Proxy.newProxyInstance(DatabaseMetaData.class.getClassLoader(),
        new Class<?>[] {DatabaseMetaData.class}, (proxy, method, args) -> method.getName().equals("getDatabaseProductName")
            ? product : null);
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "getMetaData" -> metaData;
          case "isWrapperFor" -> false;
          default -> null;
        });
  }
}

package io.bemi.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * An application that only queries the trail has bemi-sql and pgjdbc on its class path, not Flyway
 * (an optional dependency of bemi-sql: the ingester and dashboard declare it themselves).
 */
@WithPostgres
class WithoutFlywayTest {

  @Test
  void bemi_changes_loads_and_reads_a_history_with_flyway_absent_from_the_class_path(TestDatabase db) throws Exception {
    Trail.install(db);
    db.execute("CREATE TABLE plans (id int PRIMARY KEY, name text)");
    Trail.capture(db, "plans");
    db.execute("INSERT INTO plans VALUES (1, 'free')");

    try (URLClassLoader application = new URLClassLoader(new URL[] {codeOf(BemiChanges.class), codeOf(org.postgresql.Driver.class)},
        ClassLoader.getPlatformClassLoader())) {
      assertThatThrownBy(() -> Class.forName("org.flywaydb.core.Flyway", false, application)).isInstanceOf(ClassNotFoundException.class);

      Class<?> dataSourceClass = Class.forName("org.postgresql.ds.PGSimpleDataSource", true, application);
      DataSource dataSource = (DataSource) dataSourceClass.getConstructor().newInstance();
      dataSourceClass.getMethod("setUrl", String.class).invoke(dataSource, db.jdbcUrl());
      dataSourceClass.getMethod("setUser", String.class).invoke(dataSource, db.user());
      dataSourceClass.getMethod("setPassword", String.class).invoke(dataSource, db.password());
      Class<?> bemiChanges = Class.forName(BemiChanges.class.getName(), true, application);
      assertThat(bemiChanges.getClassLoader()).isSameAs(application);

      Object changes = bemiChanges.getMethod("of", DataSource.class).invoke(null, dataSource);
      Method history = bemiChanges.getMethod("history", String.class, Object.class);
      assertThat((List<?>) history.invoke(changes, "plans", 1)).hasSize(1);
    }
  }

  private static URL codeOf(Class<?> type) {
    return type.getProtectionDomain().getCodeSource().getLocation();
  }
}

package io.bemi.dashboard;

import io.bemi.sql.DatabaseUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

@WithPostgres
class ReadOnlyPoolTest {

  @Test
  void theDestinationPoolCannotWriteEvenInAutocommit(TestDatabase db) throws Exception {
    new Trail(db).story();
    try (HikariDataSource pool = Main.pool("test", DatabaseUrl.parse(db.uri()), true);
        Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      assertThat(c.getAutoCommit()).isTrue();
      assertThatThrownBy(() -> s.execute("DELETE FROM bemi.changes"))
          .isInstanceOf(SQLException.class).hasMessageContaining("read-only transaction");
      assertThat(db.queryLong("SELECT count(*) FROM bemi.changes")).isEqualTo(6);
    }
  }
}

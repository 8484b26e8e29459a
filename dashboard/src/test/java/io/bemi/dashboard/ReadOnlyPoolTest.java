package io.bemi.dashboard;

import io.bemi.sql.DatabaseUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.bemi.dashboard.web.DashboardApp;
import io.bemi.dashboard.web.TestApp;
import io.bemi.test.PlantedOperators;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
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

  @Test
  void theDestinationPoolDoesNotRunOperatorsPlantedInPublic(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("planted");
    new Trail(db).story();
    PlantedOperators.plant(db);
    try (HikariDataSource pool = Main.pool("bemi-dashboard-destination", DatabaseUrl.parse(db.uri()), true)) {
      // every filter binds a string parameter compared with a text column
      TestApp.test(DashboardApp.create(Main.services(pool, null, "bemi", TestApp.TOKEN, null, Clock.systemUTC())),
          (server, client) -> {
            for (String path : new String[] {"/api/changes?table=public.orders&pk=1&op=UPDATE", "/api/tables",
                "/api/records/history?schema=public&table=orders&pk=1", "/api/context?key=user&value=ann",
                "/api/activity"}) {
              assertThat(TestApp.get(client, path).code()).as(path).isEqualTo(200);
            }
          });
    }

    PlantedOperators.probe(db);
    assertThat(PlantedOperators.ranIn(db, "probe")).isNotNull();
    assertThat(PlantedOperators.ranIn(db, "bemi-dashboard-destination")).isNull();
  }
}

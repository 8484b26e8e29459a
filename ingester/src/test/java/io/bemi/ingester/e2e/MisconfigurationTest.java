package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.ingester.Ingester;
import io.bemi.ingester.IngesterConfig;
import io.bemi.ingester.IngesterMetrics;
import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.fault.MisconfigurationException;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A setting that is wrong at start stops {@code run} with the fix instead of being retried as an outage. */
@WithPostgres
@Tag("replication")
class MisconfigurationTest {

  private static Ingester ingester(TestDatabase db, String sourceUri) {
    return new Ingester(IngesterConfig.defaults(PostgresUrl.parse(sourceUri), PostgresUrl.parse(db.uri()),
        "bemi", "bemi", "bemi"), new IngesterMetrics(), Clock.systemUTC());
  }

  @Test
  void aSourceDatabaseThatDoesNotExistStopsTheIngesterWithTheFix(TestDatabase db) throws Exception {
    String missing = db.uri().replace("/" + db.name(), "/no_such_database");
    long started = System.nanoTime();
    assertThatThrownBy(() -> ingester(db, missing).run())
        .isInstanceOf(MisconfigurationException.class)
        .hasMessageContaining("SQLSTATE 3D000")
        .hasMessageContaining("fix: the database named in --source-url");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void aSourceRoleWithoutReplicationStopsTheIngesterWithTheFix(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE things (id int PRIMARY KEY)");
    IngesterHarness.setUpSource(db);
    db.execute("DROP ROLE IF EXISTS bemi_norepl",
        "CREATE ROLE bemi_norepl LOGIN PASSWORD 'secret' NOREPLICATION");
    String withoutReplication = db.uri().replaceFirst("//[^@/]*@", "//bemi_norepl:secret@");
    assertThatThrownBy(() -> ingester(db, withoutReplication).run())
        .isInstanceOf(MisconfigurationException.class)
        .hasMessageContaining("SQLSTATE 42501")
        .hasMessageContaining("fix: grant");
  }
}

package io.bemi.test;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

/** zonky's embedded PostgreSQL; the binaries' major version is picked by the Maven build. */
final class EmbeddedServer implements PostgresServer {

  private final EmbeddedPostgres postgres;

  private EmbeddedServer(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  static EmbeddedServer start() {
    try {
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60));
      ServerSettings.LOGICAL_REPLICATION.forEach(builder::setServerConfig);
      return new EmbeddedServer(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start the embedded PostgreSQL: " + e.getMessage(), e);
    }
  }

  @Override
  public String baseJdbcUrl() {
    return "jdbc:postgresql://localhost:" + postgres.getPort() + "/";
  }

  @Override
  public String user() {
    return "postgres";
  }

  @Override
  public String password() {
    return "postgres";
  }

  @Override
  public String maintenanceDatabase() {
    return "postgres";
  }

  @Override
  public String description() {
    return "embedded PostgreSQL on port " + postgres.getPort();
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

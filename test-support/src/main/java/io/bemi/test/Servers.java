package io.bemi.test;

import java.sql.SQLException;
import org.junit.jupiter.api.Assumptions;

/** Chooses and starts the one test server of this JVM, lazily, and stops it at exit. */
final class Servers {

  static final String VERSION_PROPERTY = "bemi.pg.version";
  static final String EXTERNAL_URL_ENV = "BEMI_TEST_DATABASE_URL";
  static final String TESTCONTAINERS_ENV = "BEMI_TEST_TESTCONTAINERS";

  private static PostgresServer server;

  private Servers() {}

  static synchronized PostgresServer get() {
    if (server == null) {
      server = start();
      PostgresServer started = server;
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "bemi-test-postgres-stop"));
    }
    return server;
  }

  /** The major version the build asked for (default 17). */
  static int requestedMajorVersion() {
    return Integer.parseInt(System.getProperty(VERSION_PROPERTY, "17"));
  }

  private static PostgresServer start() {
    String external = System.getenv(EXTERNAL_URL_ENV);
    if (external != null && !external.isBlank()) {
      return ExternalServer.parse(external);
    }
    if (Boolean.parseBoolean(System.getenv(TESTCONTAINERS_ENV))) {
      Assumptions.assumeTrue(ContainerServer.dockerAvailable(),
          TESTCONTAINERS_ENV + "=true but no Docker engine answers; skipping database tests");
      return ContainerServer.start(requestedMajorVersion());
    }
    EmbeddedServer embedded = EmbeddedServer.start();
    checkVersion(embedded);
    return embedded;
  }

  private static void checkVersion(EmbeddedServer embedded) {
    try {
      TestDatabase probe = new TestDatabase(embedded, embedded.maintenanceDatabase());
      int actual = probe.serverMajorVersion();
      if (actual != requestedMajorVersion()) {
        embedded.close();
        throw new IllegalStateException("Asked for PostgreSQL " + requestedMajorVersion()
            + " but the embedded binaries are " + actual + ": build with -D" + VERSION_PROPERTY + "="
            + requestedMajorVersion() + " so Maven picks the matching binaries");
      }
    } catch (SQLException e) {
      throw new IllegalStateException("The embedded PostgreSQL started but does not answer: " + e.getMessage(), e);
    }
  }
}

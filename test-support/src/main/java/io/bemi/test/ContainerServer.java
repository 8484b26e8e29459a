package io.bemi.test;

import java.util.ArrayList;
import java.util.List;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * PostgreSQL in a Testcontainers container, used only when asked for with
 * {@code BEMI_TEST_TESTCONTAINERS=true}. Loaded reflectively-lazily: nothing here is touched unless
 * asked for, so Testcontainers stays an optional dependency.
 */
final class ContainerServer implements PostgresServer {

  private final PostgreSQLContainer<?> container;

  private ContainerServer(PostgreSQLContainer<?> container) {
    this.container = container;
  }

  static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  @SuppressWarnings("resource")
  static ContainerServer start(int majorVersion) {
    List<String> command = new ArrayList<>(List.of("postgres"));
    ServerSettings.LOGICAL_REPLICATION.forEach((k, v) -> command.addAll(List.of("-c", k + "=" + v)));
    PostgreSQLContainer<?> container = new PostgreSQLContainer<>("postgres:" + majorVersion)
        .withCommand(command.toArray(String[]::new));
    container.start();
    return new ContainerServer(container);
  }

  @Override
  public String baseJdbcUrl() {
    return "jdbc:postgresql://" + container.getHost() + ":" + container.getMappedPort(5432) + "/";
  }

  @Override
  public String user() {
    return container.getUsername();
  }

  @Override
  public String password() {
    return container.getPassword();
  }

  @Override
  public String maintenanceDatabase() {
    return container.getDatabaseName();
  }

  @Override
  public String description() {
    return "Testcontainers PostgreSQL " + container.getDockerImageName();
  }

  @Override
  public void close() {
    container.stop();
  }
}

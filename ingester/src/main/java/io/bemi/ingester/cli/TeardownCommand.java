package io.bemi.ingester.cli;

import io.bemi.ingester.setup.SourceSetup;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "teardown", mixinStandardHelpOptions = true,
    description = {"Drops the replication slot, the publication and the ingester's replication origin on the source. "
        + "Stored changes are kept. Stop the ingester first."})
final class TeardownCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  ConnectionOptions connection;

  @Option(names = "--yes", description = "Confirm: the slot's position is lost; changes made until a new setup are not captured.")
  boolean yes;

  @Option(names = "--print-sql", description = "Print the SQL instead of running it.")
  boolean printSql;

  @Override
  public Integer call() throws Exception {
    List<String> statements = SourceSetup.teardownStatements(connection.publication(), connection.slot(),
        "bemi_" + connection.slot());
    if (printSql) {
      statements.forEach(s -> System.out.println(s + "\n"));
      return 0;
    }
    if (!yes) {
      throw new ParameterException(spec.commandLine(), "teardown drops slot '" + connection.slot()
          + "' and publication '" + connection.publication() + "'; add --yes to confirm");
    }
    try (Connection source = connection.source().connect()) {
      try {
        SourceSetup.execute(source, statements);
      } catch (SQLException e) {
        if (!"55006".equals(e.getSQLState())) {
          throw e;
        }
        // the first statement drops the slot: nothing was changed
        throw new IllegalStateException("Slot " + connection.slot() + " is in use" + streamingClient(source)
            + ", so teardown changed nothing. Stop the ingester and its standbys first (a standby takes the slot over "
            + "within seconds), then run teardown again", e);
      }
    }
    System.out.println("Dropped slot " + connection.slot() + " and publication " + connection.publication());
    return 0;
  }

  /** Who streams from the slot: " by walsender pid …, application …, from …", or "" when it just stopped. */
  private String streamingClient(Connection source) throws SQLException {
    try (PreparedStatement s = source.prepareStatement("SELECT r.pid, r.application_name, r.client_addr::text"
        + " FROM pg_replication_slots p JOIN pg_stat_replication r ON r.pid OPERATOR(pg_catalog.=) p.active_pid"
        + " WHERE p.slot_name OPERATOR(pg_catalog.=) ?")) {
      s.setString(1, connection.slot());
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return "";
        }
        return " by walsender pid " + rs.getInt(1) + " (application " + rs.getString(2)
            + (rs.getString(3) == null ? ", local socket" : ", client " + rs.getString(3)) + ")";
      }
    }
  }
}

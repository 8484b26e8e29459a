package io.bemi.ingester.cli;

import io.bemi.ingester.setup.SourceSetup;
import java.sql.Connection;
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
      SourceSetup.execute(source, statements);
    }
    System.out.println("Dropped slot " + connection.slot() + " and publication " + connection.publication());
    return 0;
  }
}

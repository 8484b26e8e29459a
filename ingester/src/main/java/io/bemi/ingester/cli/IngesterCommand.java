package io.bemi.ingester.cli;

import io.bemi.ingester.replication.SetupMissingException;
import java.sql.SQLException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level command; the work is in the subcommands. */
@Command(name = "bemi-ingester", mixinStandardHelpOptions = true, version = "bemi-ingester 0.1.0",
    description = "Captures every row change of PostgreSQL tables from the WAL, with application context, into bemi.changes.",
    subcommands = {SetupCommand.class, RunCommand.class, StatusCommand.class, TeardownCommand.class,
        CommandLine.HelpCommand.class})
public final class IngesterCommand implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: setup, run, status or teardown");
  }

  /** The command line with error handling: a one-line reason and a non-zero exit code on failure. */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new IngesterCommand());
    commandLine.setExecutionExceptionHandler((e, cl, parseResult) -> {
      cl.getErr().println("bemi-ingester: " + oneLine(e));
      return e instanceof SetupMissingException || e instanceof IllegalArgumentException ? 2 : 1;
    });
    return commandLine;
  }

  static String oneLine(Throwable e) {
    String message = e.getMessage();
    if (e instanceof SQLException sql && sql.getSQLState() != null) {
      message = message + " (SQL state " + sql.getSQLState() + ")";
    }
    return message == null ? e.toString() : message.replace('\n', ' ');
  }
}

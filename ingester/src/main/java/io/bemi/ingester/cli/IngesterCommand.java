package io.bemi.ingester.cli;

import io.bemi.ingester.fault.MisconfigurationException;
import io.bemi.sql.cli.ConfigFile;
import io.bemi.sql.cli.UsageErrors;
import io.bemi.sql.logging.LogFormat;
import io.bemi.sql.logging.LogSetup;
import io.bemi.ingester.replication.SetupMissingException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.function.UnaryOperator;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level command; the work is in the subcommands. */
@Command(name = "bemi-ingester", mixinStandardHelpOptions = true,
    description = "Captures every row change of PostgreSQL tables from the WAL, with application context, into bemi.changes.",
    subcommands = {SetupCommand.class, RunCommand.class, ConsumeCommand.class, StatusCommand.class,
        CompactCommand.class, TeardownCommand.class, CommandLine.HelpCommand.class})
public final class IngesterCommand implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: setup, run, consume, status, compact or teardown");
  }

  /** The command line with error handling: a one-line reason and a non-zero exit code on failure. */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new IngesterCommand());
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    CommandHelp.apply(commandLine);
    commandLine.setExecutionStrategy(parseResult -> {
      useLogFormat(parseResult);
      return new CommandLine.RunLast().execute(parseResult);
    });
    commandLine.setParameterExceptionHandler(UsageErrors.oneLine("bemi-ingester"));
    commandLine.setExecutionExceptionHandler((e, cl, parseResult) -> {
      String message = UsageErrors.withOrigin(oneLine(e), parseResult);
      if (LogSetup.format() == LogFormat.JSON) {
        LoggerFactory.getLogger(IngesterCommand.class).error(message); // one JSON line, like the rest
      } else {
        cl.getErr().println("bemi-ingester: " + message);
      }
      return e instanceof SetupMissingException || e instanceof MisconfigurationException
          || e instanceof IllegalArgumentException ? 2 : 1;
    });
    return commandLine;
  }

  /**
   * The command line for these arguments: with {@code --config FILE} (or BEMI_CONFIG) the file's
   * properties become default values (keys: long option names without dashes, optionally prefixed
   * by the command, e.g. {@code run.http-port}). An unreadable file or an unknown key exits with
   * code 2 naming it.
   */
  public static int execute(String... args) {
    return execute(commandLine(), args);
  }

  /** {@link #execute(String...)} on a given command line (tests capture its output). */
  public static int execute(CommandLine commandLine, String... args) {
    return execute(commandLine, System::getenv, args);
  }

  /** {@link #execute(CommandLine, String...)} with the environment given (tests check precedence with it). */
  public static int execute(CommandLine commandLine, UnaryOperator<String> environment, String... args) {
    Path file = ConfigFile.named(args, "BEMI_CONFIG", environment);
    if (file != null) {
      try {
        commandLine.setDefaultValueProvider(ConfigFile.load(file, commandLine, environment,
            java.util.List.of(KafkaOptions.CLIENT_PROPERTY_PREFIX))); // kafka.*: client properties, see KafkaOptions
      } catch (IllegalArgumentException e) {
        commandLine.getErr().println("bemi-ingester: " + e.getMessage());
        return 2;
      }
    }
    return commandLine.execute(args);
  }

  /** Applies the chosen command's --log-format (from the command line, the config file or BEMI_LOG_FORMAT). */
  private static void useLogFormat(CommandLine.ParseResult parseResult) {
    CommandLine.ParseResult command = parseResult;
    while (command.hasSubcommand()) {
      command = command.subcommand();
    }
    CommandLine.Model.OptionSpec option = command.commandSpec().findOption("--log-format");
    if (option != null && option.getValue() instanceof LogFormat format) {
      LogSetup.use(format);
    }
  }

  static String oneLine(Throwable e) {
    String message = e.getMessage();
    if (e instanceof SQLException sql && sql.getSQLState() != null) {
      message = message + " (SQL state " + sql.getSQLState() + ")";
    }
    return message == null ? e.toString() : message.replace('\n', ' ');
  }
}

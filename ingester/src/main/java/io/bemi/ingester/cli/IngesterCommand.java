package io.bemi.ingester.cli;

import io.bemi.ingester.logging.LogFormat;
import io.bemi.ingester.logging.LogSetup;
import io.bemi.ingester.replication.SetupMissingException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level command; the work is in the subcommands. */
@Command(name = "bemi-ingester", mixinStandardHelpOptions = true, version = "bemi-ingester 0.1.0",
    description = "Captures every row change of PostgreSQL tables from the WAL, with application context, into bemi.changes.",
    subcommands = {SetupCommand.class, RunCommand.class, ConsumeCommand.class, StatusCommand.class,
        TeardownCommand.class, CommandLine.HelpCommand.class})
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
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setExecutionStrategy(parseResult -> {
      useLogFormat(parseResult);
      return new CommandLine.RunLast().execute(parseResult);
    });
    commandLine.setExecutionExceptionHandler((e, cl, parseResult) -> {
      if (LogSetup.format() == LogFormat.JSON) {
        LoggerFactory.getLogger(IngesterCommand.class).error(oneLine(e)); // one JSON line, like the rest
      } else {
        cl.getErr().println("bemi-ingester: " + oneLine(e));
      }
      return e instanceof SetupMissingException || e instanceof IllegalArgumentException ? 2 : 1;
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
    String file = configFile(args);
    if (file != null) {
      try {
        Properties properties = load(commandLine, Path.of(file));
        commandLine.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(properties));
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

  private static String configFile(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        return args[i + 1];
      }
      if (args[i].startsWith("--config=")) {
        return args[i].substring("--config=".length());
      }
    }
    String fromEnvironment = System.getenv("BEMI_CONFIG");
    return fromEnvironment == null || fromEnvironment.isBlank() ? null : fromEnvironment;
  }

  private static Properties load(CommandLine commandLine, Path file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read config file " + file + ": " + e);
    }
    Set<String> known = new HashSet<>();
    for (CommandLine sub : commandLine.getSubcommands().values()) {
      for (CommandLine.Model.OptionSpec option : sub.getCommandSpec().options()) {
        String name = option.longestName().replaceFirst("^-+", "");
        known.add(name);
        known.add(sub.getCommandName() + "." + name);
      }
    }
    for (String key : properties.stringPropertyNames()) {
      if (!known.contains(key) && !key.startsWith(KafkaOptions.CLIENT_PROPERTY_PREFIX)) { // kafka.*: KafkaOptions
        throw new IllegalArgumentException("Unknown key '" + key + "' in config file " + file
            + " (keys are long option names without dashes, e.g. source-url)");
      }
    }
    return properties;
  }

  static String oneLine(Throwable e) {
    String message = e.getMessage();
    if (e instanceof SQLException sql && sql.getSQLState() != null) {
      message = message + " (SQL state " + sql.getSQLState() + ")";
    }
    return message == null ? e.toString() : message.replace('\n', ' ');
  }
}

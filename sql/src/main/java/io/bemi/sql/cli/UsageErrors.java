package io.bemi.sql.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** How the ingester and the dashboard report a bad command line. */
public final class UsageErrors {

  private UsageErrors() {}

  /**
   * One line on stderr instead of picocli's message followed by the whole usage, saying where the
   * usage is: {@code bemi-ingester: Unknown option: '--slto' (did you mean --slot?); see
   * `bemi-ingester run --help`}. Exit code 2, as for every configuration error.
   */
  public static CommandLine.IParameterExceptionHandler oneLine(String program) {
    return (e, args) -> {
      CommandLine commandLine = e.getCommandLine();
      StringBuilder line = new StringBuilder(program).append(": ")
          .append(String.valueOf(e.getMessage()).replace('\n', ' ').strip());
      String origin = origin(e, args);
      if (origin != null) {
        line.append(" (set by ").append(origin).append(")");
      }
      if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
        line.append(" (did you mean ").append(String.join(" or ", unmatched.getSuggestions())).append("?)");
      }
      line.append("; see `").append(commandLine.getCommandSpec().qualifiedName()).append(" --help`");
      commandLine.getErr().println(line);
      return 2;
    };
  }

  /**
   * A setting error found when the command runs ({@code --http-port must be …}), with where that
   * option's value came from when the command line did not give it: {@code … (set by key 'http-port'
   * in config file /etc/bemi/ingester.properties)}. Messages that do not start with an option are
   * returned as they are.
   */
  public static String withOrigin(String message, CommandLine.ParseResult parseResult) {
    Matcher leading = LEADING_OPTION.matcher(message == null ? "" : message);
    if (parseResult == null || !leading.find()) {
      return message;
    }
    CommandLine.ParseResult command = parseResult;
    while (command.hasSubcommand()) {
      command = command.subcommand();
    }
    OptionSpec option = command.commandSpec().findOption(leading.group(1));
    if (option == null || command.hasMatchedOption(option)) {
      return message;
    }
    String origin = originOfDefault(command.commandSpec().commandLine(), option);
    return origin == null ? message : message + " (set by " + origin + ")";
  }

  private static final Pattern LEADING_OPTION = Pattern.compile("^(--[a-z][a-z0-9-]*)");

  /**
   * For a bad value of an option the command line does not give: the environment variable or the
   * config file key it came from, so the user knows where to correct it; else null.
   */
  private static String origin(CommandLine.ParameterException e, String[] args) {
    if (!(e.getArgSpec() instanceof OptionSpec option) || givenOnCommandLine(option, args)) {
      return null;
    }
    return originOfDefault(e.getCommandLine(), option);
  }

  private static String originOfDefault(CommandLine commandLine, OptionSpec option) {
    if (commandLine.getDefaultValueProvider() instanceof ConfigFile file) {
      return file.origin(option);
    }
    String variable = ConfigFile.environmentVariableOf(option);
    String value = variable == null ? null : System.getenv(variable);
    return value == null || value.isBlank() ? null : "environment variable " + variable;
  }

  private static boolean givenOnCommandLine(OptionSpec option, String[] args) {
    for (String arg : args) {
      for (String name : option.names()) {
        if (arg.equals(name) || arg.startsWith(name + "=")) {
          return true;
        }
      }
    }
    return false;
  }
}

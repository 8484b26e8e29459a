package io.bemi.sql.cli;

import picocli.CommandLine;

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
      if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
        line.append(" (did you mean ").append(String.join(" or ", unmatched.getSuggestions())).append("?)");
      }
      line.append("; see `").append(commandLine.getCommandSpec().qualifiedName()).append(" --help`");
      commandLine.getErr().println(line);
      return 2;
    };
  }
}

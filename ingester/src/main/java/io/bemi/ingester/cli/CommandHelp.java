package io.bemi.ingester.cli;

import io.bemi.sql.BemiVersion;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * What {@code --help} and {@code --version} show for every command: the build's real version, examples and
 * exit codes, and the {@code generate-completion} command (bash/zsh completion, see docs/operations.md).
 */
final class CommandHelp {

  /** Exit codes, as the execution exception handler in {@link IngesterCommand} assigns them. */
  static final Map<String, String> EXIT_CODES = exitCodes();

  private static final Map<String, String[]> EXAMPLES = Map.of(
      "bemi-ingester", new String[] {
          "bemi-ingester setup --source-url postgresql://bemi@db/shop --tables 'public.*'",
          "bemi-ingester run --source-url postgresql://bemi@db/shop --http-port 9464",
          "bemi-ingester run --config /etc/bemi/ingester.properties",
          "source <(bemi-ingester generate-completion)"},
      "setup", new String[] {
          "bemi-ingester setup --source-url postgresql://bemi@db/shop",
          "bemi-ingester setup --source-url postgresql://bemi@db/shop --tables 'public.*' --exclude-tables public.sessions"},
      "run", new String[] {
          "bemi-ingester run --source-url postgresql://bemi@db/shop --http-port 9464",
          "BEMI_SOURCE_URL=postgresql://bemi@db/shop bemi-ingester run --log-format json"},
      "status", new String[] {
          "bemi-ingester status --source-url postgresql://bemi@db/shop"},
      "compact", new String[] {
          "bemi-ingester compact --destination-url postgresql://bemi_owner@trail/audit --dry-run",
          "bemi-ingester compact --destination-url postgresql://bemi_owner@trail/audit --closed-for 3d"},
      "teardown", new String[] {
          "bemi-ingester teardown --source-url postgresql://bemi@db/shop"},
      "consume", new String[] {
          "bemi-ingester consume --kafka-bootstrap-servers kafka-1:9092 --destination-url postgresql://bemi@trail/audit"});

  private CommandHelp() {}

  private static Map<String, String> exitCodes() {
    Map<String, String> codes = new LinkedHashMap<>();
    codes.put("0", "Success.");
    codes.put("1", "Failure while working (database unreachable, replication error): the message says what happened.");
    codes.put("2", "Usage or configuration error (bad option, unreadable --config file, setup missing): nothing was done.");
    return codes;
  }

  /** Adds version, examples, exit codes and {@code generate-completion} to {@code commandLine} and its subcommands. */
  static void apply(CommandLine commandLine) {
    commandLine.addSubcommand("generate-completion", new AutoComplete.GenerateCompletion());
    commandLine.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false)
        .description("Prints a bash/zsh completion script: source <(bemi-ingester generate-completion)");
    decorate(commandLine);
  }

  private static void decorate(CommandLine commandLine) {
    CommandLine.Model.CommandSpec spec = commandLine.getCommandSpec();
    spec.versionProvider(() -> new String[] {"bemi-ingester " + BemiVersion.current()});
    String[] examples = EXAMPLES.get(spec.name());
    if (examples != null) {
      spec.usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(EXIT_CODES);
      String[] footer = new String[examples.length + 1];
      footer[0] = "%nExamples:";
      for (int i = 0; i < examples.length; i++) {
        footer[i + 1] = "  " + examples[i];
      }
      spec.usageMessage().footer(footer);
    }
    for (CommandLine sub : commandLine.getSubcommands().values()) {
      if (sub != commandLine) {
        decorate(sub);
      }
    }
  }
}

package io.bemi.ingester.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine;

class CommandHelpTest {

  private record Result(int exitCode, String out) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    CommandLine commandLine = IngesterCommand.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(out, true));
    int code = IngesterCommand.execute(commandLine, args);
    return new Result(code, out.toString());
  }

  @Test
  void version_prints_the_version_the_build_was_made_from() {
    Result result = run("--version");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out().trim()).isEqualTo("bemi-ingester " + System.getProperty("bemi.project.version"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"setup", "run", "status", "compact", "teardown"})
  void every_subcommand_prints_the_same_version(String command) {
    assertThat(run(command, "--version").out().trim()).isEqualTo("bemi-ingester " + System.getProperty("bemi.project.version"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "setup", "run", "status", "compact", "teardown"})
  void help_of_every_command_shows_examples_and_exit_codes(String command) {
    Result result = command.isEmpty() ? run("--help") : run(command, "--help");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("Examples:", "bemi-ingester " + (command.isEmpty() ? "" : command), "Exit codes:",
        "0   Success.", "2   Usage or configuration error");
  }

  @Test
  void generate_completion_prints_a_bash_completion_script_for_every_command() {
    Result result = run("generate-completion");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("complete -F", "bemi-ingester", "setup", "teardown", "--source-url");
  }

  /** An option is declared once per command; where two commands share a name, it reads the same variable. */
  @Test
  void every_option_names_the_environment_variable_it_reads_and_one_name_reads_one_variable() {
    Map<String, String> defaults = new HashMap<>();
    CommandLine ingester = IngesterCommand.commandLine().setInterpolateVariables(false); // ${env:…} as declared
    for (CommandLine command : ingester.getSubcommands().values()) {
      for (OptionSpec option : command.getCommandSpec().options()) {
        String defaultValue = option.defaultValue();
        if (defaultValue == null || !defaultValue.startsWith("${env:")) {
          continue;
        }
        String variable = defaultValue.substring("${env:".length()).split("[:}]")[0];
        String where = command.getCommandName() + " " + option.longestName();
        assertThat(String.join(" ", option.description())).as(where).contains(variable);
        assertThat(defaults.computeIfAbsent(option.longestName(), name -> defaultValue)).as(where).isEqualTo(defaultValue);
      }
    }
    assertThat(defaults).containsKeys("--source-url", "--sink", "--redact-columns", "--warn-retained-wal-mb", "--group");
  }
}

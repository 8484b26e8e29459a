package io.bemi.ingester.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
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
  @ValueSource(strings = {"setup", "run", "status", "teardown"})
  void every_subcommand_prints_the_same_version(String command) {
    assertThat(run(command, "--version").out().trim()).isEqualTo("bemi-ingester " + System.getProperty("bemi.project.version"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "setup", "run", "status", "teardown"})
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
}

package io.bemi.sql.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The precedence both programs share: command line > environment > file > built-in default. */
class ConfigFileTest {

  @Command(name = "program")
  static final class Program implements Runnable {
    @Option(names = "--port", defaultValue = "${env:PROGRAM_PORT:-7070}")
    int port;

    @Option(names = "--bind", defaultValue = "${env:PROGRAM_BIND:-127.0.0.1}")
    String bind;

    @Override
    public void run() {}
  }

  @TempDir
  Path dir;

  private Program parse(String fileText, Map<String, String> environment, String... args) throws IOException {
    Path file = Files.writeString(dir.resolve("program.properties"), fileText);
    Program program = new Program();
    CommandLine commandLine = new CommandLine(program);
    UnaryOperator<String> env = environment::get;
    commandLine.setDefaultValueProvider(ConfigFile.load(file, commandLine, env));
    commandLine.parseArgs(args);
    return program;
  }

  @Test
  void the_file_sets_what_neither_the_command_line_nor_the_environment_sets() throws IOException {
    assertThat(parse("port=8080\n", Map.of()).port).isEqualTo(8080);
  }

  @Test
  void the_environment_wins_over_the_file() throws IOException {
    assertThat(parse("port=8080\n", Map.of("PROGRAM_PORT", "9090")).port).isEqualTo(9090);
  }

  @Test
  void the_command_line_wins_over_the_environment_and_the_file() throws IOException {
    assertThat(parse("port=8080\n", Map.of("PROGRAM_PORT", "9090"), "--port", "7171").port).isEqualTo(7171);
  }

  @Test
  void an_option_set_nowhere_keeps_its_built_in_default() throws IOException {
    assertThat(parse("port=8080\n", Map.of()).bind).isEqualTo("127.0.0.1");
  }

  @Test
  void an_unknown_key_is_refused_with_the_file_and_key_named() throws IOException {
    Path file = Files.writeString(dir.resolve("bad.properties"), "prot=8080\n");

    assertThatThrownBy(() -> ConfigFile.load(file, new CommandLine(new Program()), name -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Unknown key 'prot'").hasMessageContaining(file.toString());
  }

  @Test
  void a_bad_value_names_the_file_key_or_environment_variable_it_came_from() throws IOException {
    Path file = Files.writeString(dir.resolve("program.properties"), "port=abc\n");

    assertThat(runWith(file, Map.of())).contains("'abc'")
        .contains("(set by key 'port' in config file " + file + ")");
    assertThat(runWith(file, Map.of("PROGRAM_PORT", "x1"))).contains("'x1'")
        .contains("(set by environment variable PROGRAM_PORT)");
    assertThat(runWith(file, Map.of(), "--port", "y2")).contains("'y2'").doesNotContain("set by");
  }

  private String runWith(Path file, Map<String, String> environment, String... args) {
    CommandLine commandLine = new CommandLine(new Program());
    java.io.StringWriter err = new java.io.StringWriter();
    commandLine.setErr(new java.io.PrintWriter(err, true));
    commandLine.setParameterExceptionHandler(UsageErrors.oneLine("program"));
    commandLine.setDefaultValueProvider(ConfigFile.load(file, commandLine, environment::get));
    assertThat(commandLine.execute(args)).isEqualTo(2);
    return err.toString();
  }

  @Test
  void the_file_is_named_by_the_command_line_before_the_environment() {
    assertThat(ConfigFile.named(new String[] {"--config", "a.properties"}, "CONFIG", name -> "b.properties")).isEqualTo(Path.of("a.properties"));
    assertThat(ConfigFile.named(new String[] {"--config=c.properties"}, "CONFIG", name -> null)).isEqualTo(Path.of("c.properties"));
    assertThat(ConfigFile.named(new String[0], "CONFIG", name -> "b.properties")).isEqualTo(Path.of("b.properties"));
  }
}

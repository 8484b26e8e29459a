package io.bemi.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The dashboard's command line: version, help, completion, and start-up errors as one line with the fix. */
class MainTest {

  private record Result(int exitCode, String out, String err) {}

  @TempDir
  Path dir;

  private static Result run(Map<String, String> environment, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int code = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> Main.execute(commandLine, environment::get, args));
    return new Result(code, out.toString(), err.toString());
  }

  private static Result run(String... args) {
    return run(Map.of(), args);
  }

  @Test
  void version_prints_the_version_the_build_was_made_from() {
    Result result = run("--version");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out().trim()).isEqualTo("bemi-dashboard " + System.getProperty("bemi.project.version"));
  }

  @Test
  void help_shows_examples_exit_codes_and_the_precedence_of_settings() {
    Result result = run("--help");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("Examples:", "bemi-dashboard --database-url", "Exit codes:", "2   Usage or configuration error",
        "--config=FILE", "--log-format", "the command line wins over the", "Probes: GET /health");
  }

  @Test
  void generate_completion_prints_a_bash_completion_script() {
    Result result = run("generate-completion");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("complete -F", "bemi-dashboard", "--database-url");
  }

  @Test
  void a_short_token_stops_start_up_with_one_line_that_says_how_to_make_one() {
    Result result = run("--database-url", "postgresql://reader@127.0.0.1:1/shop", "--token", "short");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err().strip()).doesNotContain("\n").doesNotContain("\tat ")
        .isEqualTo("bemi-dashboard: --token has 5 characters and needs at least 16: generate one with `openssl rand -base64 24`,"
            + " or leave it out to get a random one");
  }

  @Test
  void a_bad_database_url_stops_start_up_with_one_line_naming_the_option() {
    Result result = run("--database-url", "mysql://reader@db/shop");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err().strip()).doesNotContain("\n").startsWith("bemi-dashboard: --database-url: Expected jdbc:postgresql://");
  }

  @Test
  void a_port_in_use_stops_start_up_with_one_line_that_says_how_to_choose_another() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Result result = run("--database-url", "postgresql://reader@127.0.0.1:1/shop", "--port", Integer.toString(taken.getLocalPort()));

      assertThat(result.exitCode()).isEqualTo(2);
      assertThat(result.err().strip()).doesNotContain("\n")
          .isEqualTo("bemi-dashboard: Port " + taken.getLocalPort() + " on 127.0.0.1 is in use: stop the program using it,"
              + " or choose another with --port (env BEMI_DASHBOARD_PORT)");
    }
  }

  @Test
  void a_bad_port_bind_address_or_limit_stops_start_up_with_one_line_naming_the_option() {
    String url = "postgresql://reader@127.0.0.1:1/shop";
    List<List<String>> cases = List.of(
        List.of("--port", "70000", "--port must be between 0 and 65535 (0: any free port), not 70000"),
        List.of("--port", "-1", "--port must be between 0 and 65535"),
        List.of("--bind", "999.1.1.1", "--bind 999.1.1.1 is not an address or a known host name"),
        List.of("--bind", "192.0.2.1", "--bind 192.0.2.1 is not an address of this machine"),
        List.of("--session-minutes", "0", "--session-minutes must be at least 1, not 0"),
        List.of("--revert-max-changes", "-1", "--revert-max-changes must be at least 1, not -1"),
        List.of("--ingester-metrics-url", "not a url", "--ingester-metrics-url not a url: "));
    for (List<String> c : cases) {
      Result result = run("--database-url", url, c.get(0), c.get(1));

      assertThat(result.exitCode()).as(c.get(0) + " " + c.get(1)).isEqualTo(2);
      assertThat(result.err().strip()).as(c.get(0) + " " + c.get(1)).doesNotContain("\n")
          .startsWith("bemi-dashboard: " + c.get(2));
    }
  }

  @Test
  void the_config_file_supplies_options_and_the_environment_wins_over_it() throws Exception {
    Path file = Files.writeString(dir.resolve("dashboard.properties"), "database-url=postgresql://reader@127.0.0.1:1/shop\ntoken=short\n");

    Result fromFile = run("--config", file.toString());
    Result environmentWins = run(Map.of("BEMI_DASHBOARD_TOKEN", "tiny"), "--config", file.toString());
    Result commandLineWins = run(Map.of("BEMI_DASHBOARD_TOKEN", "tiny"), "--config", file.toString(), "--token", "abc");

    assertThat(fromFile.err()).contains("--token has 5 characters")
        .contains("(set by key 'token' in config file " + file + ")");
    assertThat(environmentWins.err()).contains("--token has 4 characters")
        .contains("(set by environment variable BEMI_DASHBOARD_TOKEN)");
    assertThat(commandLineWins.err()).contains("--token has 3 characters").doesNotContain("set by");
  }

  @Test
  void a_value_of_the_config_file_that_does_not_parse_names_the_file_and_key() throws Exception {
    Path file = Files.writeString(dir.resolve("dashboard.properties"), "database-url=postgresql://reader@127.0.0.1:1/shop\nport=abc\n");

    Result result = run("--config", file.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err().strip()).doesNotContain("\n").contains("--port", "'abc'", "(set by key 'port' in config file " + file + ")");
  }

  @Test
  void an_unknown_key_in_the_config_file_is_named_with_exit_code_2() throws Exception {
    Path file = Files.writeString(dir.resolve("dashboard.properties"), "databse-url=postgresql://db/shop\n");

    Result result = run("--config", file.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("Unknown key 'databse-url'", file.toString());
  }
}

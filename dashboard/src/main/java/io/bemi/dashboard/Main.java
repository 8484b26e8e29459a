package io.bemi.dashboard;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.bemi.dashboard.changes.Activity;
import io.bemi.dashboard.changes.ChangeRepository;
import io.bemi.dashboard.changes.StoredJson;
import io.bemi.dashboard.gaps.GapRepository;
import io.bemi.dashboard.health.IngesterMetricsReader;
import io.bemi.dashboard.restore.ReplayService;
import io.bemi.dashboard.restore.RestoreService;
import io.bemi.dashboard.revert.RevertService;
import io.bemi.dashboard.web.DashboardApp;
import io.bemi.dashboard.web.Security;
import io.bemi.dashboard.web.SecurityOptions;
import io.bemi.dashboard.web.Services;
import io.bemi.sql.BemiVersion;
import io.bemi.sql.CatalogSearchPath;
import io.bemi.sql.DatabaseUrl;
import io.bemi.sql.cli.ConfigFile;
import io.bemi.sql.cli.UsageErrors;
import io.bemi.sql.logging.LogSetup;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.BindException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code java -jar bemi-dashboard.jar --database-url …}: the dashboard's command line. */
@Command(name = "bemi-dashboard", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Web UI and JSON API over Bemi's stored changes. Every option also reads an environment variable"
        + " and a --config file; the command line wins over the environment, the environment over the file.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:Stopped normally (Ctrl-C, SIGTERM).",
        "1:Failed while running.",
        "2:Usage or configuration error (bad option or URL, short token, unreadable --config, port in use): nothing started."},
    footer = {"%nExamples:",
        "  bemi-dashboard --database-url postgresql://bemi_reader@db/shop",
        "  BEMI_DASHBOARD_TOKEN=$(openssl rand -base64 24) bemi-dashboard --database-url postgresql://bemi_reader@db/shop --bind 0.0.0.0",
        "  bemi-dashboard --config /etc/bemi/dashboard.properties --log-format json",
        "  source <(bemi-dashboard generate-completion)",
        "%nProbes: GET /health (no token). Prometheus: GET /metrics (no token)."})
public final class Main implements Callable<Integer> {

  @Option(names = "--config", paramLabel = "FILE", defaultValue = "${env:BEMI_DASHBOARD_CONFIG}",
      description = "Properties file of options (keys: long option names without dashes, e.g. database-url=…)."
          + " Env BEMI_DASHBOARD_CONFIG.")
  String config;

  @Option(names = "--log-format", paramLabel = "text|json", defaultValue = "${env:BEMI_LOG_FORMAT:-text}",
      description = "Log lines on stderr as text or one JSON object per line, as the ingester's (default: ${DEFAULT-VALUE})."
          + " Env BEMI_LOG_FORMAT.")
  String logFormat;

  @Option(names = "--database-url", required = true, defaultValue = "${env:BEMI_DASHBOARD_DATABASE_URL}",
      description = "Destination database (where bemi.changes lives): jdbc:postgresql://… or postgresql://user:pass@host/db."
          + " Needs only read access. Env BEMI_DASHBOARD_DATABASE_URL.")
  String databaseUrl;

  @Option(names = "--schema", defaultValue = "${env:BEMI_DASHBOARD_SCHEMA:-bemi}",
      description = "Schema of the changes table (default: ${DEFAULT-VALUE}). Env BEMI_DASHBOARD_SCHEMA.")
  String schema;

  @Option(names = "--port", defaultValue = "${env:BEMI_DASHBOARD_PORT:-7070}",
      description = "HTTP port (default: ${DEFAULT-VALUE}). Env BEMI_DASHBOARD_PORT.")
  int port;

  @Option(names = "--bind", defaultValue = "${env:BEMI_DASHBOARD_BIND:-127.0.0.1}",
      description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only). Env BEMI_DASHBOARD_BIND.")
  String bind;

  @Option(names = "--token", defaultValue = "${env:BEMI_DASHBOARD_TOKEN}",
      description = "Access token (16+ characters). Without one a random token is generated and the sign-in URL printed once."
          + " Env BEMI_DASHBOARD_TOKEN.")
  String token;

  @Option(names = "--source-url", defaultValue = "${env:BEMI_DASHBOARD_SOURCE_URL}",
      description = "Source database to run reverts and restores on (a role allowed to write the audited tables). Without it"
          + " they are preview-only. Env BEMI_DASHBOARD_SOURCE_URL.")
  String sourceUrl;

  @Option(names = "--ingester-metrics-url", defaultValue = "${env:BEMI_DASHBOARD_INGESTER_METRICS_URL}",
      description = "The ingester's Prometheus endpoint, e.g. http://127.0.0.1:9464/metrics, for ingestion health."
          + " Env BEMI_DASHBOARD_INGESTER_METRICS_URL.")
  String ingesterMetricsUrl;

  @Option(names = "--allowed-hosts", split = ",", defaultValue = "${env:BEMI_DASHBOARD_ALLOWED_HOSTS}",
      description = "Host names (or name:port) the dashboard answers to besides localhost, 127.0.0.1 and [::1], e.g. the name"
          + " a reverse proxy serves it under. Other Host headers are refused (DNS rebinding). Env BEMI_DASHBOARD_ALLOWED_HOSTS.")
  java.util.List<String> allowedHosts;

  @Option(names = "--trust-proxy", defaultValue = "${env:BEMI_DASHBOARD_TRUST_PROXY:-false}",
      description = "Behind one TLS-terminating reverse proxy that sets X-Forwarded-Proto and appends the client's address to"
          + " X-Forwarded-For: honour them (Secure session cookie; the last X-Forwarded-For entry is the client for the"
          + " sign-in limits). Env BEMI_DASHBOARD_TRUST_PROXY.")
  boolean trustProxy;

  @Option(names = "--session-minutes", defaultValue = "${env:BEMI_DASHBOARD_SESSION_MINUTES:-720}",
      description = "How long a browser session lasts after sign-in (default: ${DEFAULT-VALUE}). Env BEMI_DASHBOARD_SESSION_MINUTES.")
  int sessionMinutes;

  @Option(names = "--revert-max-changes", defaultValue = "${env:BEMI_DASHBOARD_REVERT_MAX_CHANGES:-1000}",
      description = "Reverts of more changes need an explicit confirmChanges=<count> (default: ${DEFAULT-VALUE})."
          + " Env BEMI_DASHBOARD_REVERT_MAX_CHANGES.")
  int revertMaxChanges;

  public static void main(String[] args) {
    System.exit(execute(commandLine(), System::getenv, args));
  }

  /** The command line with {@code generate-completion} and one-line errors (exit code 2 for configuration errors). */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new Main());
    commandLine.addSubcommand("generate-completion", new AutoComplete.GenerateCompletion());
    commandLine.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false)
        .description("Prints a bash/zsh completion script: source <(bemi-dashboard generate-completion)");
    commandLine.setParameterExceptionHandler(UsageErrors.oneLine("bemi-dashboard"));
    commandLine.setExecutionExceptionHandler((e, cl, parseResult) -> {
      cl.getErr().println("bemi-dashboard: " + UsageErrors.withOrigin(oneLine(e), parseResult));
      return e instanceof IllegalArgumentException ? 2 : 1;
    });
    return commandLine;
  }

  /** Runs the dashboard for {@code args}; {@code --config FILE} (or BEMI_DASHBOARD_CONFIG) supplies defaults. */
  public static int execute(CommandLine commandLine, UnaryOperator<String> environment, String... args) {
    Path file = ConfigFile.named(args, "BEMI_DASHBOARD_CONFIG", environment);
    if (file != null) {
      try {
        commandLine.setDefaultValueProvider(ConfigFile.load(file, commandLine, environment));
      } catch (IllegalArgumentException e) {
        commandLine.getErr().println("bemi-dashboard: " + e.getMessage());
        return 2;
      }
    }
    return commandLine.execute(args);
  }

  /** The build's version, as the ingester prints its own. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"bemi-dashboard " + BemiVersion.current()};
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    LogSetup.use(LogSetup.parse(logFormat));
    boolean generated = token == null || token.isBlank();
    if (!generated && token.length() < 16) {
      throw new IllegalArgumentException("--token has " + token.length() + " characters and needs at least 16:"
          + " generate one with `openssl rand -base64 24`, or leave it out to get a random one");
    }
    String accessToken = generated ? generateToken() : token;
    checkSettings();
    DatabaseUrl destinationUrl = parseUrl("--database-url", databaseUrl);
    DatabaseUrl sourceDatabase = sourceUrl == null || sourceUrl.isBlank() ? null : parseUrl("--source-url", sourceUrl);
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    HikariDataSource destination = pool("bemi-dashboard-destination", destinationUrl, true);
    destination.setMetricRegistry(meters);
    HikariDataSource source = sourceDatabase == null ? null : pool("bemi-dashboard-source", sourceDatabase, false);
    SecurityOptions securityOptions = new SecurityOptions(allowedHosts == null ? java.util.List.of() : allowedHosts,
        trustProxy, java.time.Duration.ofMinutes(sessionMinutes), SecurityOptions.DEFAULTS.signInAttemptsPerMinute());
    Javalin app = DashboardApp.create(services(destination, source, schema, accessToken, ingesterMetricsUrl,
        Clock.systemUTC(), securityOptions, revertMaxChanges), meters);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      app.stop();
      destination.close();
      if (source != null) {
        source.close();
      }
      stopped.countDown();
    }, "bemi-dashboard-shutdown"));
    try {
      app.start(bind, port);
    } catch (RuntimeException e) {
      destination.close();
      if (source != null) {
        source.close();
      }
      if (causedBy(e, BindException.class)) {
        throw new IllegalArgumentException("Port " + port + " on " + bind + " is in use: stop the program using it,"
            + " or choose another with --port (env BEMI_DASHBOARD_PORT)");
      }
      throw e;
    }
    String host = bind.contains(":") ? "[" + bind + "]" : bind.equals("0.0.0.0") ? "127.0.0.1" : bind;
    String base = "http://" + host + ":" + app.port();
    if (generated) {
      System.out.println("Bemi dashboard: open " + base + "/signin?token=" + accessToken + " to sign in (API: Authorization: Bearer "
          + accessToken + ")");
    } else {
      System.out.println("Bemi dashboard: listening on " + base + " (sign in with your token)");
    }
    stopped.await();
    return 0;
  }

  /** The settings that fail later with a less telling message, checked at start: each names its option. */
  private void checkSettings() {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be between 0 and 65535 (0: any free port), not " + port);
    }
    if (sessionMinutes < 1) {
      throw new IllegalArgumentException("--session-minutes must be at least 1, not " + sessionMinutes);
    }
    if (revertMaxChanges < 1) {
      throw new IllegalArgumentException("--revert-max-changes must be at least 1, not " + revertMaxChanges);
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(bind);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--bind " + bind + " is not an address or a known host name: use 127.0.0.1"
          + " (this machine only) or 0.0.0.0 (all its addresses)");
    }
    try {
      if (!address.isAnyLocalAddress() && !address.isLoopbackAddress()
          && NetworkInterface.getByInetAddress(address) == null) {
        throw new IllegalArgumentException("--bind " + bind + " is not an address of this machine: use one of its"
            + " addresses, 127.0.0.1 (this machine only) or 0.0.0.0 (all of them)");
      }
    } catch (SocketException e) {
      // the interfaces cannot be listed here: the server's own bind reports a wrong address
    }
    if (ingesterMetricsUrl != null && !ingesterMetricsUrl.isBlank()) {
      try {
        URI uri = URI.create(ingesterMetricsUrl);
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
          throw new IllegalArgumentException("not an http(s) URL with a host");
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--ingester-metrics-url " + ingesterMetricsUrl + ": " + e.getMessage()
            + "; give the ingester's metrics endpoint, e.g. http://127.0.0.1:9464/metrics");
      }
    }
  }

  private static DatabaseUrl parseUrl(String option, String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(option + " is empty: give the database's URL, e.g. postgresql://bemi_reader@db/shop");
    }
    try {
      return DatabaseUrl.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
    }
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return true;
      }
    }
    return false;
  }

  static String oneLine(Throwable e) {
    String message = e.getMessage();
    return message == null ? e.toString() : message.replace('\n', ' ');
  }

  /** Everything the web app needs, wired from data sources (tests call this too). */
  public static Services services(javax.sql.DataSource destination, javax.sql.DataSource source, String schema, String token,
      String ingesterMetricsUrl, Clock clock) {
    return services(destination, source, schema, token, ingesterMetricsUrl, clock, SecurityOptions.DEFAULTS,
        RevertService.DEFAULT_MAX_CHANGES);
  }

  /** {@link #services(javax.sql.DataSource, javax.sql.DataSource, String, String, String, Clock)} with security and revert limits. */
  public static Services services(javax.sql.DataSource destination, javax.sql.DataSource source, String schema, String token,
      String ingesterMetricsUrl, Clock clock, SecurityOptions securityOptions, int revertMaxChanges) {
    var json = StoredJson.mapper();
    ChangeRepository changes = new ChangeRepository(destination, schema);
    return new Services(changes, new GapRepository(destination, schema), new Activity(changes),
        new RevertService(changes, destination, schema, source, json, clock, revertMaxChanges),
        new RestoreService(destination, schema, source, clock),
        new ReplayService(destination, schema),
        new IngesterMetricsReader(ingesterMetricsUrl), new Security(token, securityOptions, clock), json, clock);
  }

  /**
   * The destination pool is read-only at the session level (readOnlyMode=always): no write can slip
   * through; its search_path is pinned ({@link CatalogSearchPath}): its queries name the trail's
   * schema and use only built-ins. The source pool keeps the role's own search_path: revert writes
   * fully qualified SQL, and the application's triggers that fire on it expect their usual one.
   */
  static HikariDataSource pool(String name, DatabaseUrl url, boolean readOnly) {
    HikariConfig config = new HikariConfig();
    config.setPoolName(name);
    config.setJdbcUrl(url.jdbcUrl());
    if (url.user() != null) {
      config.setUsername(url.user());
    }
    if (url.password() != null) {
      config.setPassword(url.password());
    }
    config.setMaximumPoolSize(8);
    config.setMinimumIdle(1);
    config.setReadOnly(readOnly);
    config.addDataSourceProperty("ApplicationName", name);
    if (readOnly) {
      config.addDataSourceProperty("readOnly", "true");
      config.addDataSourceProperty("readOnlyMode", "always");
      config.setConnectionInitSql(CatalogSearchPath.SQL);
    }
    config.setConnectionTimeout(5_000); // a page reports an unreachable database within seconds
    config.setInitializationFailTimeout(-1); // start even if the database is briefly down; pages report it
    return new HikariDataSource(config);
  }

  static String generateToken() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}

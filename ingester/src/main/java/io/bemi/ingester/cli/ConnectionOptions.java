package io.bemi.ingester.cli;

import io.bemi.ingester.PostgresUrl;
import io.bemi.sql.SqlNames;
import io.bemi.sql.logging.LogFormat;
import io.bemi.sql.BemiSql;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Options every command shares; each can also come from an environment variable. */
final class ConnectionOptions {

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  // Read before parsing by IngesterCommand.commandLine(args); declared here for --help and so it parses.
  @Option(names = "--config", defaultValue = "${env:BEMI_CONFIG}", paramLabel = "FILE",
      description = "Properties file of defaults: keys are long option names without dashes (source-url=…, "
          + "redact-columns=…). Order: command line, then environment, then this file. Env: BEMI_CONFIG.")
  String config;

  // Applied by IngesterCommand once parsed (the logging of the chosen command starts in that format).
  @Option(names = "--log-format", defaultValue = "${env:BEMI_LOG_FORMAT:-text}", paramLabel = "text|json",
      description = "Log lines on stderr as text or as JSON objects (timestamp, level, logger, thread, message, "
          + "exception). Default: ${DEFAULT-VALUE}. Env: BEMI_LOG_FORMAT.")
  LogFormat logFormat;

  @Option(names = "--source-url", defaultValue = "${env:BEMI_SOURCE_URL}", paramLabel = "URL",
      description = "Source database: jdbc:postgresql://host:port/db?user=…&password=… or "
          + "postgresql://user:pass@host:port/db. Env: BEMI_SOURCE_URL.")
  String sourceUrl;

  @Option(names = "--destination-url", defaultValue = "${env:BEMI_DESTINATION_URL}", paramLabel = "URL",
      description = "Database that receives the changes (same forms). Default: the source database (consume: "
          + "required). Env: BEMI_DESTINATION_URL.")
  String destinationUrl;

  @Option(names = "--destination-schema", defaultValue = "${env:BEMI_DESTINATION_SCHEMA:-" + BemiSql.DEFAULT_SCHEMA + "}",
      paramLabel = "SCHEMA", description = "Schema of bemi.changes in the destination. Default: ${DEFAULT-VALUE}. "
          + "Env: BEMI_DESTINATION_SCHEMA.")
  void destinationSchema(String value) {
    destinationSchema = lowerCaseIdentifier("--destination-schema", value);
  }

  private String destinationSchema;

  @Option(names = "--slot", defaultValue = "${env:BEMI_SLOT:-bemi}", paramLabel = "NAME",
      description = "Logical replication slot. Default: ${DEFAULT-VALUE}. Env: BEMI_SLOT.")
  void slot(String value) {
    if (value == null || !value.matches("[a-z0-9_]{1,63}")) {
      throw badValue("--slot", value,
          "--slot must use lower-case letters, digits and underscores (PostgreSQL's rule for slot names), got '" + value + "'");
    }
    slot = value;
  }

  private String slot;

  @Option(names = "--publication", defaultValue = "${env:BEMI_PUBLICATION:-bemi}", paramLabel = "NAME",
      description = "Publication listing the tracked tables. Default: ${DEFAULT-VALUE}. Env: BEMI_PUBLICATION.")
  void publication(String value) {
    publication = lowerCaseIdentifier("--publication", value);
  }

  private String publication;

  @Option(names = "--source-name", defaultValue = "${env:BEMI_SOURCE_NAME}", paramLabel = "NAME",
      description = "Stored in every change's source column (run, setup --snapshot), so several sources can share "
          + "one destination. Default: the source server's system identifier and the database (e.g. "
          + "7318245510482345678/app), unique across servers and kept by a failover to a standby. "
          + "Env: BEMI_SOURCE_NAME.")
  String sourceName;

  /** The --source-name given, or null: derived from the source (SourceIdentity#sourceName). */
  String sourceName() {
    return sourceName == null || sourceName.isBlank() ? null : sourceName.strip();
  }

  PostgresUrl source() {
    if (sourceUrl == null || sourceUrl.isBlank()) {
      throw new ParameterException(spec.commandLine(), "Missing --source-url (or BEMI_SOURCE_URL)");
    }
    return parse(sourceUrl, "--source-url");
  }

  PostgresUrl destination() {
    return destinationUrl == null || destinationUrl.isBlank() ? source() : parse(destinationUrl, "--destination-url");
  }

  // checked as parsed (the setters above): a bad name stops the command before it connects anywhere
  String destinationSchema() {
    return destinationSchema;
  }

  String slot() {
    return slot;
  }

  String publication() {
    return publication;
  }

  private String lowerCaseIdentifier(String option, String value) {
    if (!SqlNames.isLowerCaseIdentifier(value)) {
      throw badValue(option, value, option + " must be a lower-case identifier, got '" + value + "'");
    }
    return value;
  }

  /** A usage error about {@code option}'s value (UsageErrors names the file or variable it came from). */
  private ParameterException badValue(String option, String value, String message) {
    return new ParameterException(spec.commandLine(), message, spec.findOption(option), value);
  }

  private PostgresUrl parse(String url, String option) {
    try {
      return PostgresUrl.parse(url);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage());
    }
  }
}

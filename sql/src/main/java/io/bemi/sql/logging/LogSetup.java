package io.bemi.sql.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logback's configuration for the ingester and the dashboard, in code (each program names it in its own
 * {@code META-INF/services}, not bemi-sql's jar, so an application that uses bemi-sql keeps its own
 * logging; no XML to parse at start): one appender on stderr, text or JSON lines
 * ({@code BEMI_LOG_FORMAT}, then {@code --log-format} once the command line is parsed).
 *
 * <p>Levels: {@code -Dbemi.log.level} or {@code BEMI_LOG_LEVEL} (default info); the slf4j-simple
 * properties launch scripts already pass ({@code -Dorg.slf4j.simpleLogger.defaultLogLevel=warn},
 * {@code -Dorg.slf4j.simpleLogger.log.<logger>=…}) keep working. With
 * {@code -Dlogback.configurationFile=…} logback's own configuration applies instead.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {

  private static final String APPENDER = "bemi-stderr";
  private static final String SIMPLE_LOGGER = "org.slf4j.simpleLogger.";
  private static volatile LogFormat format = LogFormat.TEXT;

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(firstSet(System.getProperty("bemi.log.level"), System.getenv("BEMI_LOG_LEVEL"),
        System.getProperty(SIMPLE_LOGGER + "defaultLogLevel")), Level.INFO));
    // Kafka's clients (and an in-process broker in tests) log every config at INFO: warnings are what matters
    context.getLogger("org.apache.kafka").setLevel(Level.WARN);
    context.getLogger("kafka").setLevel(Level.WARN);
    for (String key : System.getProperties().stringPropertyNames()) {
      if (key.startsWith(SIMPLE_LOGGER + "log.")) {
        context.getLogger(key.substring((SIMPLE_LOGGER + "log.").length()))
            .setLevel(Level.toLevel(System.getProperty(key), null));
      }
    }
    String fromEnvironment = System.getenv("BEMI_LOG_FORMAT");
    install(context, fromEnvironment == null || fromEnvironment.isBlank() ? LogFormat.TEXT : parse(fromEnvironment));
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** Switches the format (after the command line is parsed); nothing if logback is configured otherwise. */
  public static void use(LogFormat wanted) {
    if (wanted == format || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    if (context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(APPENDER) != null) {
      install(context, wanted);
    }
  }

  /** The format in use (the command line reports a fatal error as a log line in JSON mode). */
  public static LogFormat format() {
    return format;
  }

  public static LogFormat parse(String text) {
    try {
      return LogFormat.valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Invalid log format '" + text + "': expected text or json");
    }
  }

  private static void install(LoggerContext context, LogFormat wanted) {
    Layout<ILoggingEvent> layout;
    if (wanted == LogFormat.JSON) {
      layout = new JsonLayout();
    } else {
      PatternLayout pattern = new PatternLayout();
      pattern.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSS'Z', UTC} [%thread] %level %logger - %msg%n");
      layout = pattern;
    }
    layout.setContext(context);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setCharset(StandardCharsets.UTF_8);
    encoder.setLayout(layout);
    encoder.start();
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setName(APPENDER);
    appender.setTarget("System.err");
    appender.setEncoder(encoder);
    appender.start();
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.core.Appender<ILoggingEvent> previous = root.getAppender(APPENDER);
    root.addAppender(appender);
    if (previous != null) {
      root.detachAppender(previous);
      previous.stop();
    }
    format = wanted;
  }

  private static String firstSet(String... values) {
    for (String value : values) {
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    return null;
  }
}

package io.bemi.sql.cli;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.AnnotatedElement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A {@code --config FILE} of the ingester or the dashboard: Java properties whose keys are long option names
 * without dashes ({@code source-url=…}), optionally prefixed by the command ({@code run.http-port=9464}).
 *
 * <p>One precedence for both programs: <b>command line &gt; environment &gt; file &gt; built-in default</b>.
 * Picocli asks this provider for an option's default only when the command line lacks it; the provider
 * answers with the option's environment variable (the NAME of its {@code ${env:NAME}} default) when that is
 * set, else from the file, else leaves the annotation's default to apply.
 */
public final class ConfigFile implements CommandLine.IDefaultValueProvider {

  private static final Pattern ENV_DEFAULT = Pattern.compile("^\\$\\{env:([A-Za-z0-9_]+)");

  private final Path file;
  private final Properties properties;
  private final UnaryOperator<String> environment;

  private ConfigFile(Path file, Properties properties, UnaryOperator<String> environment) {
    this.file = file;
    this.properties = properties;
    this.environment = environment;
  }

  /**
   * The file named by {@code --config FILE} / {@code --config=FILE} in {@code args}, else by the environment
   * variable {@code variable}; null when neither names one.
   */
  public static Path named(String[] args, String variable, UnaryOperator<String> environment) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        return Path.of(args[i + 1]);
      }
      if (args[i].startsWith("--config=")) {
        return Path.of(args[i].substring("--config=".length()));
      }
    }
    String fromEnvironment = environment.apply(variable);
    return fromEnvironment == null || fromEnvironment.isBlank() ? null : Path.of(fromEnvironment);
  }

  /**
   * Reads {@code file} and checks every key names an option of {@code commandLine} or one of its subcommands.
   *
   * @throws IllegalArgumentException naming the file and the bad key, or why the file cannot be read
   */
  public static ConfigFile load(Path file, CommandLine commandLine, UnaryOperator<String> environment) {
    return load(file, commandLine, environment, List.of());
  }

  /**
   * The same, also accepting keys under {@code passThroughPrefixes} (e.g. {@code kafka.}: client
   * properties the program reads from the file itself).
   */
  public static ConfigFile load(Path file, CommandLine commandLine, UnaryOperator<String> environment,
      List<String> passThroughPrefixes) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read config file " + file + ": " + e
          + " (give a readable properties file with --config FILE)");
    }
    Set<String> known = new HashSet<>();
    collectKeys(commandLine, "", known);
    for (String key : properties.stringPropertyNames()) {
      if (!known.contains(key) && passThroughPrefixes.stream().noneMatch(key::startsWith)) {
        throw new IllegalArgumentException("Unknown key '" + key + "' in config file " + file
            + " (keys are long option names without dashes, e.g. " + known.stream().sorted().findFirst().orElse("port") + ")");
      }
    }
    return new ConfigFile(file, properties, environment);
  }

  private static void collectKeys(CommandLine commandLine, String prefix, Set<String> known) {
    for (OptionSpec option : commandLine.getCommandSpec().options()) {
      String name = option.longestName().replaceFirst("^-+", "");
      known.add(name);
      known.add(prefix + name);
    }
    for (CommandLine sub : commandLine.getSubcommands().values()) {
      if (sub != commandLine) {
        collectKeys(sub, sub.getCommandName() + ".", known);
      }
    }
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option)) {
      return null;
    }
    String variable = environmentVariableOf(option);
    if (variable != null) {
      String value = environment.apply(variable);
      if (value != null && !value.isBlank()) {
        return value; // the environment wins over the file
      }
    }
    String name = option.longestName().replaceFirst("^-+", "");
    String command = option.command() == null ? null : option.command().name();
    String value = command == null ? null : properties.getProperty(command + "." + name);
    return value != null ? value : properties.getProperty(name);
  }

  /**
   * Where {@code option}'s default came from, for an error about its value: {@code environment variable
   * NAME} or {@code key 'run.http-port' in config file FILE}; null when neither set it (the built-in
   * default applies).
   */
  public String origin(OptionSpec option) {
    String variable = environmentVariableOf(option);
    if (variable != null) {
      String value = environment.apply(variable);
      if (value != null && !value.isBlank()) {
        return "environment variable " + variable;
      }
    }
    String name = option.longestName().replaceFirst("^-+", "");
    String command = option.command() == null ? null : option.command().name();
    if (command != null && properties.getProperty(command + "." + name) != null) {
      return "key '" + command + "." + name + "' in config file " + file;
    }
    return properties.getProperty(name) != null ? "key '" + name + "' in config file " + file : null;
  }

  /** The NAME of an option declared with {@code defaultValue = "${env:NAME…}"}, else null. */
  static String environmentVariableOf(OptionSpec option) {
    if (!(option.userObject() instanceof AnnotatedElement element)) {
      return null;
    }
    CommandLine.Option annotation = element.getAnnotation(CommandLine.Option.class);
    if (annotation == null) {
      return null;
    }
    Matcher matcher = ENV_DEFAULT.matcher(annotation.defaultValue());
    return matcher.find() ? matcher.group(1) : null;
  }

  @Override
  public String toString() {
    return "ConfigFile[" + file + "]";
  }
}

package io.bemi.agent.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The agent's settings, from the agent argument ({@code -javaagent:bemi-agent.jar=key=value,key=value})
 * over environment variables ({@code BEMI_AGENT_KEY_IN_SNAKE_CASE}) over defaults. List values are
 * separated by {@code :} (as in JaCoCo's agent), e.g. {@code fields=method:endpoint:user}.
 */
public record AgentOptions(
    boolean enabled,
    boolean wrapConnections,
    Set<String> fields,
    String requestIdHeader,
    String traceHeader,
    String userHeader,
    List<String> excludePaths,
    System.Logger.Level logLevel,
    Properties driverProperties,
    boolean faultInjection) {

  public static final String METHOD = "method";
  public static final String ENDPOINT = "endpoint";
  public static final String USER = "user";
  public static final String REQUEST_ID = "requestId";
  public static final String TRACE_ID = "traceId";
  public static final String THREAD = "thread";
  public static final String MAIN_CLASS = "mainClass";

  static final List<String> ALL_FIELDS = List.of(METHOD, ENDPOINT, USER, REQUEST_ID, TRACE_ID, THREAD, MAIN_CLASS);

  /** Agent options that become the driver's {@code bemi.*} connection properties. */
  private static final List<String> DRIVER_KEYS = List.of("includeSql", "maxContextBytes", "contextFor");

  private static final List<String> KEYS;

  static {
    List<String> keys = new ArrayList<>(List.of(
        "enabled", "wrapConnections", "fields", "requestIdHeader", "traceHeader", "userHeader",
        "excludePaths", "logLevel", "faultInjection"));
    keys.addAll(DRIVER_KEYS);
    KEYS = List.copyOf(keys);
  }

  /** Every setting a user can give, in the order the docs list them. */
  public static List<String> keys() {
    return KEYS;
  }

  public boolean records(String field) {
    return fields.contains(field);
  }

  /** Parses the agent argument over {@code environment}; unknown keys and bad values are errors. */
  public static AgentOptions parse(String agentArgument, Map<String, String> environment) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String key : KEYS) {
      String fromEnvironment = environment.get(environmentName(key));
      if (fromEnvironment != null) {
        values.put(key, fromEnvironment.trim());
      }
    }
    values.putAll(parseArgument(agentArgument));

    Set<String> fields = new LinkedHashSet<>();
    for (String field : list(values.getOrDefault("fields", String.join(":", ALL_FIELDS)))) {
      if (!ALL_FIELDS.contains(field)) {
        throw new IllegalArgumentException("Unknown field '" + field + "' in fields; known fields: " + String.join(":", ALL_FIELDS));
      }
      fields.add(field);
    }
    Properties driver = new Properties();
    for (String key : DRIVER_KEYS) {
      if (values.containsKey(key)) {
        driver.setProperty("bemi." + key, checkedDriverValue(key, values.get(key)));
      }
    }
    return new AgentOptions(
        bool(values, "enabled", true),
        bool(values, "wrapConnections", true),
        Set.copyOf(fields),
        values.getOrDefault("requestIdHeader", "X-Request-Id"),
        values.getOrDefault("traceHeader", "traceparent"),
        emptyToNull(values.get("userHeader")),
        list(values.getOrDefault("excludePaths", "")),
        level(values.getOrDefault("logLevel", "INFO")),
        driver,
        bool(values, "faultInjection", false));
  }

  /** {@code requestIdHeader} is read from {@code BEMI_AGENT_REQUEST_ID_HEADER}. */
  public static String environmentName(String key) {
    StringBuilder name = new StringBuilder("BEMI_AGENT_");
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (Character.isUpperCase(c) && i > 0) {
        name.append('_');
      }
      name.append(Character.toUpperCase(c));
    }
    return name.toString();
  }

  private static Map<String, String> parseArgument(String argument) {
    Map<String, String> values = new LinkedHashMap<>();
    if (argument == null || argument.isBlank()) {
      return values;
    }
    for (String pair : argument.split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int equals = pair.indexOf('=');
      if (equals <= 0) {
        throw new IllegalArgumentException("Expected key=value in the agent argument, got '" + pair + "'");
      }
      String key = pair.substring(0, equals).trim();
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException("Unknown agent option '" + key + "'; known options: " + String.join(", ", KEYS));
      }
      values.put(key, pair.substring(equals + 1).trim());
    }
    return values;
  }

  /**
   * The value of an option passed on to the driver, checked here by the driver's rules (the driver
   * would refuse it only when it wraps the first connection, and the application would then run
   * unwrapped): {@code includeSql} as the driver's booleans, {@code maxContextBytes} a positive
   * number, {@code contextFor} {@code writes} or {@code all}.
   */
  private static String checkedDriverValue(String key, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    boolean valid = switch (key) {
      case "includeSql" -> List.of("true", "false", "on", "off", "yes", "no", "1", "0").contains(v);
      case "maxContextBytes" -> isPositiveInt(v.replace("_", ""));
      case "contextFor" -> v.equals("writes") || v.equals("all");
      default -> true;
    };
    if (!valid) {
      String expected = switch (key) {
        case "includeSql" -> "true or false";
        case "maxContextBytes" -> "a positive number of bytes";
        default -> "writes or all";
      };
      throw new IllegalArgumentException("Option " + key + " must be " + expected + ", got '" + value + "'");
    }
    return value;
  }

  private static boolean isPositiveInt(String digits) {
    return digits.matches("[0-9]{1,10}") && Long.parseLong(digits) > 0 && Long.parseLong(digits) <= Integer.MAX_VALUE;
  }

  private static List<String> list(String value) {
    List<String> items = new ArrayList<>();
    for (String item : value.split(":")) {
      if (!item.isBlank()) {
        items.add(item.trim());
      }
    }
    return List.copyOf(items);
  }

  private static boolean bool(Map<String, String> values, String key, boolean fallback) {
    String value = values.get(key);
    if (value == null) {
      return fallback;
    }
    if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(value);
    }
    throw new IllegalArgumentException("Option " + key + " must be true or false, got '" + value + "'");
  }

  private static System.Logger.Level level(String value) {
    String name = value.toUpperCase(Locale.ROOT);
    if (name.equals("WARN")) {
      name = "WARNING";
    }
    try {
      return System.Logger.Level.valueOf(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Option logLevel must be one of OFF, ERROR, WARNING, INFO, DEBUG, TRACE; got '" + value + "'");
    }
  }

  private static String emptyToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}

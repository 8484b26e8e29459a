package io.bemi.jdbc;

import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The driver's own settings, from {@code bemi.*} URL parameters or connection properties.
 *
 * @param enabled {@code bemi.enabled}: emit context at all (default true)
 * @param includeSql {@code bemi.includeSql}: add the statement text under {@code "SQL"} (default false)
 * @param maxContextBytes {@code bemi.maxContextBytes}: larger contexts are reduced to their identifying keys (default 65,536)
 * @param allStatements {@code bemi.contextFor=all}: emit before every statement but transaction
 *     control, not only before writes (default {@code writes})
 */
record BemiOptions(boolean enabled, boolean includeSql, int maxContextBytes, boolean allStatements) {

  static final String PREFIX = "bemi.";
  static final String ENABLED = "bemi.enabled";
  static final String INCLUDE_SQL = "bemi.includeSql";
  static final String MAX_CONTEXT_BYTES = "bemi.maxContextBytes";
  static final String CONTEXT_FOR = "bemi.contextFor";
  static final Set<String> NAMES = Set.of(ENABLED, INCLUDE_SQL, MAX_CONTEXT_BYTES, CONTEXT_FOR);

  static final BemiOptions DEFAULTS = new BemiOptions(true, false, 65_536, false);

  /** Reads the {@code bemi.*} entries of {@code properties}; other entries are ignored. */
  static BemiOptions from(Properties properties) {
    if (properties == null) {
      return DEFAULTS;
    }
    for (String name : properties.stringPropertyNames()) {
      if (name.startsWith(PREFIX) && !NAMES.contains(name)) {
        throw new IllegalArgumentException("Unknown Bemi option `" + name + "`; known options: " + NAMES);
      }
    }
    return new BemiOptions(
        bool(properties, ENABLED, DEFAULTS.enabled),
        bool(properties, INCLUDE_SQL, DEFAULTS.includeSql),
        positiveInt(properties, MAX_CONTEXT_BYTES, DEFAULTS.maxContextBytes),
        contextFor(properties.getProperty(CONTEXT_FOR)));
  }

  static BemiOptions from(Map<String, String> options) {
    Properties properties = new Properties();
    properties.putAll(options);
    return from(properties);
  }

  private static boolean bool(Properties properties, String name, boolean fallback) {
    String value = properties.getProperty(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "on", "yes", "1" -> true;
      case "false", "off", "no", "0" -> false;
      default -> throw new IllegalArgumentException(name + " must be true or false, not `" + value + "`");
    };
  }

  private static int positiveInt(Properties properties, String name, int fallback) {
    String value = properties.getProperty(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value.trim().replace("_", ""));
      if (parsed > 0) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(name + " must be a positive number of bytes, not `" + value + "`");
  }

  private static boolean contextFor(String value) {
    if (value == null || value.isBlank() || value.trim().equalsIgnoreCase("writes")) {
      return false;
    }
    if (value.trim().equalsIgnoreCase("all")) {
      return true;
    }
    throw new IllegalArgumentException(CONTEXT_FOR + " must be `writes` or `all`, not `" + value + "`");
  }
}

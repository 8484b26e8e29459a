package io.bemi.sql;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A PostgreSQL database named the way users name it — a JDBC URL
 * ({@code jdbc:postgresql://host:5432/db?user=u&password=p}) or a libpq-style URI
 * ({@code postgresql://user:password@host:5432/db?sslmode=require}, also {@code postgres://}) —
 * turned into what pgjdbc takes: a JDBC URL plus the URI's user and password (percent-decoded).
 * Shared by the ingester's and the dashboard's command lines. {@link #toString()} never shows the
 * password, and neither does any error message.
 *
 * <p>The URI is read as libpq reads it ({@code postgresql://[user[:password]@][host[:port][,...]][/dbname][?param=value&...]}),
 * by hand rather than with {@link java.net.URI}, which gives up on host names with {@code _} and
 * on several hosts (and then reports no host at all): several hosts stay several hosts, user,
 * password, host and database are percent-decoded, and the libpq parameters pgjdbc names
 * differently are renamed ({@link #RENAMED}). What cannot be honoured (a Unix-socket host, a
 * {@code host=} or {@code service=} parameter) is an error, never a silent connection elsewhere.
 */
public record DatabaseUrl(String jdbcUrl, String user, String password) {

  /** libpq parameter → pgjdbc property; other parameters (sslmode, sslrootcert, options, …) pass as they are. */
  private static final Map<String, String> RENAMED = Map.of(
      "application_name", "ApplicationName",
      "connect_timeout", "connectTimeout",
      "target_session_attrs", "targetServerType");
  /** libpq parameters that would move the connection somewhere the URL's authority does not say. */
  private static final List<String> REFUSED = List.of("host", "hostaddr", "port", "dbname", "service", "passfile");

  public static DatabaseUrl parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(
          "A database URL is required: jdbc:postgresql://host:port/db or postgresql://user:password@host:port/db");
    }
    String trimmed = text.trim();
    if (trimmed.startsWith("jdbc:postgresql:")) {
      return new DatabaseUrl(trimmed, null, null);
    }
    int schemeEnd = trimmed.startsWith("postgresql://") ? 13 : trimmed.startsWith("postgres://") ? 11 : -1;
    if (schemeEnd < 0) {
      throw new IllegalArgumentException("Expected jdbc:postgresql://… or postgresql://user:password@host:port/db, got "
          + redact(trimmed));
    }
    String rest = trimmed.substring(schemeEnd);
    int authorityEnd = indexOfAny(rest, "/?", 0);
    String authority = authorityEnd < 0 ? rest : rest.substring(0, authorityEnd);
    String user = null;
    String password = null;
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      String userInfo = authority.substring(0, at);
      int colon = userInfo.indexOf(':');
      user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon), trimmed);
      password = colon < 0 ? null : decode(userInfo.substring(colon + 1), trimmed);
      authority = authority.substring(at + 1);
    }
    String hosts = hosts(authority, trimmed);
    String database = "";
    String query = "";
    if (authorityEnd >= 0) {
      String pathAndQuery = rest.substring(authorityEnd);
      int question = pathAndQuery.indexOf('?');
      String path = question < 0 ? pathAndQuery : pathAndQuery.substring(0, question);
      database = path.isEmpty() ? "" : decode(path.substring(1), trimmed);
      if (question >= 0) {
        List<String> parameters = new ArrayList<>();
        for (String pair : pathAndQuery.substring(question + 1).split("&")) {
          if (pair.isEmpty()) {
            continue;
          }
          int eq = pair.indexOf('=');
          String name = decode(eq < 0 ? pair : pair.substring(0, eq), trimmed);
          String value = eq < 0 ? "" : decode(pair.substring(eq + 1), trimmed);
          if (REFUSED.contains(name)) {
            throw new IllegalArgumentException("The URL parameter " + name + " is not supported; give host, port and "
                + "database in the URL itself (postgresql://user:password@host:port/db): " + redact(trimmed));
          }
          if (name.equals("user")) {
            user = value;
          } else if (name.equals("password")) {
            password = value;
          } else {
            String property = RENAMED.getOrDefault(name, name);
            parameters.add(encode(property) + "=" + encode(property.equals("targetServerType")
                ? targetServerType(value, trimmed) : value));
          }
        }
        query = parameters.isEmpty() ? "" : "?" + String.join("&", parameters);
      }
    }
    return new DatabaseUrl("jdbc:postgresql://" + hosts + "/" + encode(database) + query, user, password);
  }

  /** {@code host[:port][,host[:port]...]}, hosts percent-decoded; IPv6 in brackets; empty: localhost. */
  private static String hosts(String authority, String url) {
    if (authority.isEmpty()) {
      return "localhost";
    }
    List<String> result = new ArrayList<>();
    for (String spec : authority.split(",", -1)) {
      String host;
      String port = null;
      if (spec.startsWith("[")) {
        int close = spec.indexOf(']');
        if (close < 0) {
          throw new IllegalArgumentException("Unclosed [ in the host list of " + redact(url));
        }
        host = spec.substring(0, close + 1);
        if (close + 1 < spec.length()) {
          if (spec.charAt(close + 1) != ':') {
            throw new IllegalArgumentException("Expected :port after " + host + " in " + redact(url));
          }
          port = spec.substring(close + 2);
        }
      } else {
        int colon = spec.lastIndexOf(':');
        host = decode(colon < 0 ? spec : spec.substring(0, colon), url);
        port = colon < 0 ? null : spec.substring(colon + 1);
      }
      if (host.startsWith("/")) {
        throw new IllegalArgumentException("Unix-domain socket hosts (" + host + ") are not supported; connect over "
            + "TCP with host:port in " + redact(url));
      }
      if (host.isEmpty()) {
        host = "localhost";
      }
      if (port != null && !port.isEmpty() && !port.chars().allMatch(Character::isDigit)) {
        throw new IllegalArgumentException("Port '" + port + "' is not a number in " + redact(url)
            + " (percent-encode special characters in the password)");
      }
      result.add(port == null || port.isEmpty() ? host : host + ":" + port);
    }
    return String.join(",", result);
  }

  /** libpq's target_session_attrs values in pgjdbc's targetServerType terms. */
  private static String targetServerType(String value, String url) {
    return switch (value) {
      case "any" -> "any";
      case "read-write", "primary" -> "primary";
      case "read-only", "standby" -> "secondary";
      case "prefer-standby" -> "preferSecondary";
      default -> throw new IllegalArgumentException("Unknown target_session_attrs '" + value + "' in " + redact(url));
    };
  }

  /** Percent-decoding as libpq does it: {@code %XX} only, a {@code +} stays a plus sign. */
  private static String decode(String s, String url) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length() || Character.digit(s.charAt(i + 1), 16) < 0 || Character.digit(s.charAt(i + 2), 16) < 0) {
          throw new IllegalArgumentException("Invalid percent-encoding in " + redact(url)
              + " (write a % sign as %25)");
        }
        bytes.write(Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
        i += 2;
      } else {
        byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(utf8, 0, utf8.length);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** Encoded for pgjdbc, which URL-decodes the database name and parameter values (a space as %20, not +). */
  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static int indexOfAny(String s, String chars, int from) {
    for (int i = from; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The text with any password replaced by {@code ***}: a {@code password=} parameter, and in a
   * URI everything between the user's colon and the last {@code @} (a password may hold {@code @}).
   */
  public static String redact(String url) {
    String redacted = url.replaceAll("(?i)(password=)[^&]*", "$1***");
    int scheme = redacted.indexOf("://");
    int at = redacted.lastIndexOf('@');
    if (scheme >= 0 && at > scheme) {
      int colon = redacted.indexOf(':', scheme + 3);
      if (colon > 0 && colon < at) {
        redacted = redacted.substring(0, colon + 1) + "***" + redacted.substring(at);
      }
    }
    return redacted;
  }

  @Override
  public String toString() {
    return redact(jdbcUrl) + (user != null ? " (user " + user + ")" : "");
  }
}

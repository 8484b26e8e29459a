package io.bemi.sql;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A PostgreSQL database named the way users name it — a JDBC URL
 * ({@code jdbc:postgresql://host:5432/db?user=u&password=p}) or a libpq-style URI
 * ({@code postgresql://user:password@host:5432/db?sslmode=require}, also {@code postgres://}) —
 * turned into what pgjdbc takes: a JDBC URL plus the URI's user and password (percent-decoded).
 * Shared by the ingester's and the dashboard's command lines. {@link #toString()} never shows the
 * password.
 */
public record DatabaseUrl(String jdbcUrl, String user, String password) {

  public static DatabaseUrl parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(
          "A database URL is required: jdbc:postgresql://host:port/db or postgresql://user:password@host:port/db");
    }
    String trimmed = text.trim();
    if (trimmed.startsWith("jdbc:postgresql:")) {
      return new DatabaseUrl(trimmed, null, null);
    }
    if (!trimmed.startsWith("postgresql://") && !trimmed.startsWith("postgres://")) {
      throw new IllegalArgumentException("Expected jdbc:postgresql://… or postgresql://user:password@host:port/db, got "
          + redact(trimmed));
    }
    URI uri;
    try {
      uri = new URI(trimmed);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("Not a valid URI (percent-encode special characters in the password): "
          + redact(trimmed), e);
    }
    String user = null;
    String password = null;
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      user = decode(parts[0]);
      password = parts.length > 1 ? decode(parts[1]) : null;
    }
    String host = uri.getHost() == null ? "localhost" : uri.getHost();
    String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    return new DatabaseUrl("jdbc:postgresql://" + host + port + path + query, user, password);
  }

  /** Percent-decoding as in a URI's user info: a {@code +} stays a plus sign. */
  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** The text with any password (URI user info or {@code password=} parameter) replaced by {@code ***}. */
  public static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("(://[^:/@]+:)[^@]*@", "$1***@");
  }

  @Override
  public String toString() {
    return redact(jdbcUrl) + (user != null ? " (user " + user + ")" : "");
  }
}

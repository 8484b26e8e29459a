package io.bemi.dashboard;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A database location given either as a JDBC URL ({@code jdbc:postgresql://host/db?user=…}) or a
 * libpq-style URI ({@code postgresql://user:password@host:5432/db?sslmode=require}), turned
 * into what pgjdbc takes: a JDBC URL plus optional user and password.
 */
public record DatabaseUrl(String jdbcUrl, String user, String password) {

  public static DatabaseUrl parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("A database URL is required (jdbc:postgresql://… or postgresql://…)");
    }
    String t = text.trim();
    if (t.startsWith("jdbc:postgresql:")) {
      return new DatabaseUrl(t, null, null);
    }
    if (!t.startsWith("postgresql://") && !t.startsWith("postgres://")) {
      throw new IllegalArgumentException("Database URL must start with jdbc:postgresql:, postgresql:// or postgres://");
    }
    try {
      URI uri = new URI(t);
      String user = null;
      String password = null;
      if (uri.getRawUserInfo() != null) {
        String[] parts = uri.getRawUserInfo().split(":", 2);
        user = decode(parts[0]);
        password = parts.length > 1 ? decode(parts[1]) : null;
      }
      String host = uri.getHost() == null ? "localhost" : uri.getHost();
      String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
      String path = uri.getRawPath() == null ? "/" : uri.getRawPath();
      String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
      return new DatabaseUrl("jdbc:postgresql://" + host + port + path + query, user, password);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("Database URL is not a valid URI: " + e.getMessage(), e);
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "DatabaseUrl[" + jdbcUrl.replaceAll("password=[^&]*", "password=***") + (user == null ? "" : " as " + user) + "]";
  }
}

package io.bemi.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** The shop's tables and seed rows ({@code shop.sql}), created idempotently at every start. */
final class ShopSchema {

  private ShopSchema() {}

  static void create(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(script());
    }
  }

  private static String script() {
    try (InputStream in = ShopSchema.class.getResourceAsStream("shop.sql")) {
      if (in == null) {
        throw new IllegalStateException("shop.sql is missing from the demo's jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read shop.sql", e);
    }
  }
}

package io.bemi.sql;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Where the shipped SQL lives, and a reader for it. */
public final class BemiSql {

  /** The destination schema used when none is configured. */
  public static final String DEFAULT_SCHEMA = "bemi";

  /** Flyway location of the destination migrations. */
  public static final String MIGRATIONS_LOCATION = "classpath:io/bemi/sql/migration";

  private BemiSql() {}

  /** A SQL resource of this module by its path below {@code io/bemi/sql/}, e.g. {@code source/setup.sql}. */
  public static String read(String path) {
    String resource = "/io/bemi/sql/" + path;
    try (InputStream in = BemiSql.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("No SQL resource " + resource + " in bemi-sql");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read " + resource, e);
    }
  }
}

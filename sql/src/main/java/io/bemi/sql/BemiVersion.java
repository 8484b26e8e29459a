package io.bemi.sql;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version of this build ({@code project.version}, written into {@code version.properties} by the build). */
public final class BemiVersion {

  private static final String RESOURCE = "/io/bemi/sql/version.properties";

  private BemiVersion() {}

  /** e.g. {@code 0.1.0-SNAPSHOT}. */
  public static String current() {
    try (InputStream in = BemiVersion.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from bemi-sql: rebuild it with Maven");
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + RESOURCE, e);
    }
  }
}

package io.bemi.dashboard.web;

import io.bemi.dashboard.Main;
import io.bemi.sql.CatalogSearchPath;
import io.bemi.test.TestDatabase;
import io.javalin.Javalin;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.Response;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/** The dashboard wired to a test database, with a fixed clock (2024-05-01 14:00 UTC, after the Trail story). */
public final class TestApp {

  public static final String TOKEN = "test-token-0123456789abcdef";
  public static final Instant NOW = Instant.parse("2024-05-01T14:00:00Z");

  private TestApp() {}

  public static Services services(TestDatabase db, DataSource source, String metricsUrl) {
    return Main.services(destination(db), source, "bemi", TOKEN, metricsUrl, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  /** The destination's connections with the search_path {@link Main}'s destination pool pins. */
  public static DataSource destination(TestDatabase db) {
    PGSimpleDataSource ds = new PGSimpleDataSource() {
      @Override
      public Connection getConnection(String user, String password) throws SQLException {
        return CatalogSearchPath.pin(super.getConnection(user, password));
      }
    };
    ds.setURL(db.jdbcUrl());
    ds.setUser(db.user());
    ds.setPassword(db.password());
    return ds;
  }

  public static Javalin create(TestDatabase db) {
    return DashboardApp.create(services(db, null, null));
  }

  /**
   * Runs an HTTP test against a fresh app with a client that keeps no cookies and follows no
   * redirects, so every request says exactly what it sends.
   */
  public static void test(TestDatabase db, io.javalin.testtools.TestCase test) {
    test(create(db), test);
  }

  public static void test(Javalin app, io.javalin.testtools.TestCase test) {
    io.javalin.testtools.JavalinTest.test(app,
        new io.javalin.testtools.TestConfig(true, false, java.net.http.HttpClient.newHttpClient()), test);
  }

  /** GET with the bearer token. */
  public static Response get(HttpClient client, String path) {
    return client.get(path, req -> req.header("Authorization", "Bearer " + TOKEN));
  }
}

package com.example.shop;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.javalin.Javalin;
import io.javalin.http.Context;
import jakarta.servlet.DispatcherType;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.EnumSet;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A small shop service that knows nothing about Bemi: Javalin 7 on Jetty 12, a HikariCP pool, a
 * pgjdbc data source, {@code DriverManager}, a servlet filter doing HTTP Basic authentication, one
 * making OpenTelemetry spans current, and a start-up job. The agent tests run it in a child JVM with and without {@code -javaagent}.
 *
 * <p>Arguments: {@code jdbcUrl user password}. Prints {@code LISTENING <port>} once it serves.
 */
public final class ShopApp {

  private final DataSource pool;
  private final PGSimpleDataSource simple;
  private final String url;
  private final String user;
  private final String password;

  private ShopApp(String url, String user, String password) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(2);
    this.pool = new HikariDataSource(config);
    this.simple = new PGSimpleDataSource();
    simple.setUrl(url);
    simple.setUser(user);
    simple.setPassword(password);
    this.url = url;
    this.user = user;
    this.password = password;
  }

  public static void main(String[] args) throws Exception {
    ShopApp app = new ShopApp(args[0], args[1], args[2]);
    app.recordStart();
    Javalin server = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.jetty.modifyServletContextHandler(handler ->
      {
        handler.addFilter(BasicAuthFilter.class, "/*", EnumSet.of(DispatcherType.REQUEST));
        handler.addFilter(SpanFilter.class, "/*", EnumSet.of(DispatcherType.REQUEST));
      });
      config.routes.post("/items", app::createItem);
      config.routes.put("/items/{id}", app::renameItem);
      config.routes.delete("/items/{id}", app::deleteItem);
      config.routes.get("/items", app::listItems);
      config.routes.post("/notes", app::createNote);
      config.routes.post("/events", app::createEvent);
      config.routes.get("/health", app::health);
    }).start(0);
    System.out.println("LISTENING " + server.port());
    System.out.flush();
  }

  /** A job: the start-up row, written from the main thread before any request. */
  private void recordStart() throws SQLException {
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO events(kind) VALUES ('started')");
    }
  }

  private void createItem(Context ctx) throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement s = c.prepareStatement("INSERT INTO items(name) VALUES (?) RETURNING id")) {
      s.setString(1, ctx.body());
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        ctx.status(201).result(String.valueOf(rs.getLong(1)));
      }
    }
  }

  private void renameItem(Context ctx) throws SQLException {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement s = c.prepareStatement("UPDATE items SET name = ? WHERE id = ?")) {
        s.setString(1, ctx.body());
        s.setLong(2, Long.parseLong(ctx.pathParam("id")));
        int count = s.executeUpdate();
        c.commit();
        ctx.result("updated " + count);
      }
    }
  }

  private void deleteItem(Context ctx) throws SQLException {
    try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement("DELETE FROM items WHERE id = ?")) {
      s.setLong(1, Long.parseLong(ctx.pathParam("id")));
      ctx.result("deleted " + s.executeUpdate());
    }
  }

  private void listItems(Context ctx) throws SQLException {
    StringBuilder out = new StringBuilder();
    try (Connection c = pool.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, name FROM items ORDER BY id")) {
      while (rs.next()) {
        out.append(rs.getLong(1)).append('=').append(rs.getString(2)).append('\n');
      }
    }
    ctx.result(out.toString());
  }

  /** Through pgjdbc's own data source, without a pool. */
  private void createNote(Context ctx) throws SQLException {
    try (Connection c = simple.getConnection(); PreparedStatement s = c.prepareStatement("INSERT INTO notes(body) VALUES (?)")) {
      s.setString(1, ctx.body());
      ctx.status(201).result("noted " + s.executeUpdate());
    }
  }

  /** Through DriverManager. */
  private void createEvent(Context ctx) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, user, password);
        PreparedStatement s = c.prepareStatement("INSERT INTO events(kind) VALUES (?)")) {
      s.setString(1, ctx.body());
      ctx.status(201).result("event " + s.executeUpdate());
    }
  }

  /** Health checks write a heartbeat (the tests exclude this path from capture). */
  private void health(Context ctx) throws SQLException {
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO events(kind) VALUES ('heartbeat')");
    }
    ctx.result("ok");
  }
}

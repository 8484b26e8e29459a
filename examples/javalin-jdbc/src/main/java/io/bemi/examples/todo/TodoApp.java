package io.bemi.examples.todo;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import jakarta.servlet.DispatcherType;
import java.sql.SQLException;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;

/**
 * A to-do list API: Javalin, HikariCP and plain JDBC, with Bemi recording who changed what. Bemi
 * takes two things: the {@code jdbc:bemi:} URL of the pool, and {@link HeaderUserContextFilter}
 * (Bemi's servlet filter) around the routes.
 *
 * <pre>
 * DATABASE_URL=jdbc:bemi:postgresql://localhost:5432/app DATABASE_USER=app DATABASE_PASSWORD=… \
 *   java -jar bemi-example-javalin-jdbc.jar
 * curl -H 'X-User: ann' -d '{"title":"write the report"}' localhost:8080/todos
 * </pre>
 */
public final class TodoApp {

  private TodoApp() {}

  public static void main(String[] args) throws SQLException {
    HikariDataSource dataSource = dataSource(
        env("DATABASE_URL", "jdbc:bemi:postgresql://localhost:5432/postgres"),
        env("DATABASE_USER", "postgres"),
        env("DATABASE_PASSWORD", ""));
    TodoRepository todos = new TodoRepository(dataSource);
    todos.createTable();
    Javalin app = create(todos).start(Integer.parseInt(env("PORT", "8080")));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      app.stop();
      dataSource.close();
    }, "todo-app-shutdown"));
  }

  /** The pool takes the {@code jdbc:bemi:} URL like any other; the driver is found by its prefix. */
  public static HikariDataSource dataSource(String jdbcUrl, String user, String password) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(5);
    return new HikariDataSource(config);
  }

  public static Javalin create(TodoRepository todos) {
    return Javalin.create(config -> {
      // The one line of Bemi in the web layer: every request's writes carry who, what and which request.
      config.jetty.modifyServletContextHandler(handler -> handler.addFilter(
          new FilterHolder(new HeaderUserContextFilter()), "/*", EnumSet.of(DispatcherType.REQUEST)));
      config.routes.get("/todos", ctx -> ctx.json(todos.list()));
      config.routes.post("/todos", ctx -> ctx.status(201).json(todos.create(ctx.bodyAsClass(NewTodo.class).title())));
      config.routes.patch("/todos/{id}", ctx -> ctx.json(
          todos.setDone(id(ctx), ctx.bodyAsClass(DoneChange.class).done()).orElseThrow(NotFoundResponse::new)));
      config.routes.delete("/todos/{id}", ctx -> {
        if (!todos.delete(id(ctx))) {
          throw new NotFoundResponse();
        }
        ctx.status(204);
      });
    });
  }

  public record NewTodo(String title) {}

  public record DoneChange(boolean done) {}

  private static long id(Context ctx) {
    return ctx.pathParamAsClass("id", Long.class).get();
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}

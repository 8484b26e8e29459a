package io.bemi.demo;

import io.bemi.Bemi;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sample shop that keeps the demo busy: one write every {@code 1/rate} seconds, one
 * transaction each.
 *
 * <p>Most writes are the shop's "HTTP endpoints" going through {@code jdbc:bemi:postgresql} with
 * a context ({@code user}, {@code endpoint}, {@code requestId}), as a real application would set
 * it from a request. The rest are what happens outside any application — a cron job restocking,
 * someone changing a price or deleting an account in psql — written over plain
 * {@code jdbc:postgresql} with no context. Bemi records both; only the first kind says who.
 */
@SuppressWarnings("try") // context scopes are opened for what they do, not referenced
final class ShopApplication implements AutoCloseable {

  /** One kind of write; {@code weight} is its share of the random mix. */
  private record Action(String name, int weight, Write write) {}

  @FunctionalInterface
  private interface Write {
    /** Returns what happened, for the log line, or empty if there was nothing to do. */
    Optional<String> run() throws Exception;
  }

  private static final List<String> STAFF =
      List.of("alice@example.com", "bob@example.com", "support@shop.example", "carla@example.com");

  private final Connection app;
  private final Connection psql;
  private final Random random = new Random();
  private final List<Action> actions;
  /** Every kind once, ordered so each finds something to do: two orders, so one can be cancelled. */
  private final List<Action> firstRound;
  private final ScheduledExecutorService scheduler;
  private final AtomicLong writes = new AtomicLong();
  private int nextOfFirstRound;

  private ShopApplication(Connection app, Connection psql) {
    this.app = app;
    this.psql = psql;
    Action order = new Action("POST /orders", 30, this::placeOrder);
    Action pay = new Action("POST /orders/{id}/pay", 14, this::payOrder);
    Action ship = new Action("POST /orders/{id}/ship", 10, this::shipOrder);
    Action cancel = new Action("DELETE /orders/{id}", 8, this::cancelOrder);
    Action changeEmail = new Action("PATCH /customers/{id}", 8, this::changeEmail);
    Action signUp = new Action("POST /customers", 7, this::signUp);
    Action restock = new Action("restock job", 8, this::restock);
    Action changePrice = new Action("price change in psql", 10, this::changePrice);
    Action deleteAccount = new Action("account deletion in psql", 5, this::deleteIdleCustomer);
    this.actions = List.of(order, pay, ship, cancel, changeEmail, signUp, restock, changePrice, deleteAccount);
    this.firstRound = List.of(order, order, pay, ship, cancel, changeEmail, signUp, restock, changePrice,
        deleteAccount);
    this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "shop-application");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Connects both ways to the shop and starts writing {@code writesPerSecond} times a second. */
  static ShopApplication start(ShopDatabase database, double writesPerSecond) throws SQLException {
    ShopApplication shop = connect(database.bemiJdbcUrl(), database.jdbcUrl());
    long periodMillis = Math.max(10, Math.round(1000 / writesPerSecond));
    shop.scheduler.scheduleWithFixedDelay(shop::writeOnce, 0, periodMillis, TimeUnit.MILLISECONDS);
    return shop;
  }

  /** A shop connected through Bemi's driver ({@code bemiUrl}) and plain pgjdbc ({@code plainUrl}), not writing yet. */
  static ShopApplication connect(String bemiUrl, String plainUrl) throws SQLException {
    Connection app = DriverManager.getConnection(bemiUrl);
    Connection psql = DriverManager.getConnection(plainUrl);
    app.setAutoCommit(false);
    psql.setAutoCommit(false);
    return new ShopApplication(app, psql);
  }

  /** Runs the first round on the calling thread; stops at the first failure. What each write did. */
  List<String> writeFirstRound() throws Exception {
    List<String> done = new ArrayList<>();
    for (Action action : firstRound) {
      action.write().run().ifPresent(what -> done.add(action.name() + ": " + what));
    }
    return done;
  }

  long writes() {
    return writes.get();
  }

  /** The first round shows every kind of write, so even a short demo has each; then at random. */
  private void writeOnce() {
    Action action = nextOfFirstRound < firstRound.size() ? firstRound.get(nextOfFirstRound++) : pickAtRandom();
    try {
      Optional<String> done = action.write().run();
      done.ifPresent(what -> {
        writes.incrementAndGet();
        System.out.printf("%-10s| %-26s %s%n", "shop", action.name(), what);
      });
    } catch (Exception e) {
      rollbackQuietly();
      System.out.printf("%-10s| %-26s failed: %s%n", "shop", action.name(), e.getMessage());
    }
  }

  private Action pickAtRandom() {
    int total = actions.stream().mapToInt(Action::weight).sum();
    int ticket = random.nextInt(total);
    for (Action action : actions) {
      ticket -= action.weight();
      if (ticket < 0) {
        return action;
      }
    }
    throw new AssertionError("weights add up to " + total);
  }

  // ---- writes through jdbc:bemi:, with the request's context -------------------------------

  /** A multi-row transaction: the order, its items, the stock they take and the order's total. */
  private Optional<String> placeOrder() throws Exception {
    String user = anyOf(STAFF);
    try (var context = requestContext(user, "POST /orders")) {
      Optional<Long> customer = queryLong(app, "SELECT id FROM customers ORDER BY random() LIMIT 1");
      if (customer.isEmpty()) {
        app.rollback();
        return Optional.empty();
      }
      long orderId;
      try (PreparedStatement insert = app.prepareStatement(
          "INSERT INTO orders (customer_id) VALUES (?) RETURNING id")) {
        insert.setLong(1, customer.get());
        try (ResultSet rows = insert.executeQuery()) {
          rows.next();
          orderId = rows.getLong(1);
        }
      }
      List<String> skus = new ArrayList<>();
      try (PreparedStatement item = app.prepareStatement(
              "INSERT INTO order_items (order_id, sku, quantity, unit_price) "
                  + "SELECT ?, sku, ?, price FROM products WHERE sku = ? AND stock >= ?");
          PreparedStatement take = app.prepareStatement(
              "UPDATE products SET stock = stock - ?, updated_at = now() WHERE sku = ? AND stock >= ?");
          Statement statement = app.createStatement();
          ResultSet products = statement.executeQuery(
              "SELECT sku FROM products ORDER BY random() LIMIT " + (1 + random.nextInt(3)))) {
        while (products.next()) {
          String sku = products.getString(1);
          int quantity = 1 + random.nextInt(3);
          item.setLong(1, orderId);
          item.setInt(2, quantity);
          item.setString(3, sku);
          item.setInt(4, quantity);
          if (item.executeUpdate() == 1) {
            take.setInt(1, quantity);
            take.setString(2, sku);
            take.setInt(3, quantity);
            take.executeUpdate();
            skus.add(quantity + " x " + sku);
          }
        }
      }
      try (PreparedStatement total = app.prepareStatement(
          "UPDATE orders SET total = (SELECT coalesce(sum(quantity * unit_price), 0) FROM order_items "
              + "WHERE order_id = ?), updated_at = now() WHERE id = ?")) {
        total.setLong(1, orderId);
        total.setLong(2, orderId);
        total.executeUpdate();
      }
      app.commit();
      return Optional.of("order " + orderId + " by " + user + ": " + String.join(", ", skus));
    }
  }

  private Optional<String> payOrder() throws Exception {
    return moveOrder("POST /orders/{id}/pay", "pending", "status = 'paid'", "paid");
  }

  private Optional<String> shipOrder() throws Exception {
    return moveOrder("POST /orders/{id}/ship", "paid",
        "status = 'shipped', shipping = jsonb_build_object('carrier', 'DHL', 'tracking', md5(random()::text))",
        "shipped");
  }

  private Optional<String> moveOrder(String endpoint, String from, String set, String verb) throws Exception {
    String user = anyOf(STAFF);
    try (var context = requestContext(user, endpoint)) {
      Optional<Long> order = queryLong(app,
          "SELECT id FROM orders WHERE status = '" + from + "' ORDER BY random() LIMIT 1");
      if (order.isEmpty()) {
        app.rollback();
        return Optional.empty();
      }
      update(app, "UPDATE orders SET " + set + ", updated_at = now() WHERE id = ?", order.get());
      app.commit();
      return Optional.of("order " + order.get() + " " + verb + " by " + user);
    }
  }

  private Optional<String> changeEmail() throws Exception {
    String user = anyOf(STAFF);
    try (var context = requestContext(user, "PATCH /customers/{id}")) {
      Optional<Long> customer = queryLong(app, "SELECT id FROM customers ORDER BY random() LIMIT 1");
      if (customer.isEmpty()) {
        app.rollback();
        return Optional.empty();
      }
      update(app, "UPDATE customers SET email = regexp_replace(email, '(\\+[0-9a-f]{4})?@', "
          + "'+' || substr(md5(random()::text), 1, 4) || '@') WHERE id = ?", customer.get());
      app.commit();
      return Optional.of("customer " + customer.get() + " email changed by " + user);
    }
  }

  private Optional<String> signUp() throws Exception {
    String handle = anyOf(List.of("gina", "hugo", "ines", "jonas", "kemal", "lena", "mateo", "nora"))
        + random.nextInt(1000);
    String email = handle + "@mail.example";
    try (var context = requestContext(email, "POST /customers")) {
      try (PreparedStatement insert = app.prepareStatement(
          "INSERT INTO customers (name, email) VALUES (?, ?) ON CONFLICT (email) DO NOTHING")) {
        insert.setString(1, Character.toUpperCase(handle.charAt(0)) + handle.substring(1));
        insert.setString(2, email);
        insert.executeUpdate();
      }
      app.commit();
      return Optional.of(email + " signed up");
    }
  }

  /** Gives the stock back and deletes the order; its items go by ON DELETE CASCADE. */
  private Optional<String> cancelOrder() throws Exception {
    String user = anyOf(STAFF);
    try (var context = requestContext(user, "DELETE /orders/{id}")) {
      Optional<Long> order = queryLong(app,
          "SELECT id FROM orders WHERE status = 'pending' ORDER BY random() LIMIT 1");
      if (order.isEmpty()) {
        app.rollback();
        return Optional.empty();
      }
      update(app, "UPDATE products p SET stock = p.stock + i.quantity, updated_at = now() "
          + "FROM order_items i WHERE i.sku = p.sku AND i.order_id = ?", order.get());
      update(app, "DELETE FROM orders WHERE id = ?", order.get());
      app.commit();
      return Optional.of("order " + order.get() + " cancelled by " + user);
    }
  }

  /**
   * What a web application's request filter would set: who, which endpoint, which request. The
   * driver emits it with the transaction's next write; closing the scope restores the previous
   * context.
   */
  private Bemi.Scope requestContext(String user, String endpoint) {
    return Bemi.withContext(Map.of(
        "user", user,
        "endpoint", endpoint,
        "requestId", UUID.randomUUID().toString().substring(0, 8)));
  }

  // ---- direct SQL over jdbc:postgresql, no context ------------------------------------------

  /** A cron job's multi-row update. */
  private Optional<String> restock() throws SQLException {
    try (Statement statement = psql.createStatement()) {
      int restocked = statement.executeUpdate(
          "UPDATE products SET stock = stock + 40, updated_at = now() WHERE stock < 60");
      psql.commit();
      return restocked == 0 ? Optional.empty() : Optional.of(restocked + " products restocked (no context)");
    }
  }

  private Optional<String> changePrice() throws SQLException {
    BigDecimal factor = BigDecimal.valueOf(90 + random.nextInt(21), 2);
    try (PreparedStatement update = psql.prepareStatement(
        "UPDATE products SET price = round(price * ?, 2), updated_at = now() "
            + "WHERE sku = (SELECT sku FROM products ORDER BY random() LIMIT 1) RETURNING sku, price")) {
      update.setBigDecimal(1, factor);
      try (ResultSet rows = update.executeQuery()) {
        Optional<String> done = rows.next()
            ? Optional.of(rows.getString(1) + " now costs " + rows.getBigDecimal(2) + " (no context)")
            : Optional.empty();
        psql.commit();
        return done;
      }
    }
  }

  /** Deletes an account that signed up and never ordered (the seeded customers stay). */
  private Optional<String> deleteIdleCustomer() throws SQLException {
    try (Statement statement = psql.createStatement();
        ResultSet rows = statement.executeQuery(
            "DELETE FROM customers WHERE id = (SELECT c.id FROM customers c WHERE c.email LIKE '%@mail.example' "
                + "AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id) ORDER BY random() LIMIT 1) "
                + "RETURNING email")) {
      Optional<String> done = rows.next()
          ? Optional.of("customer " + rows.getString(1) + " deleted (no context)")
          : Optional.empty();
      psql.commit();
      return done;
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  private <T> T anyOf(List<T> values) {
    return values.get(random.nextInt(values.size()));
  }

  private static Optional<Long> queryLong(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
      return rows.next() ? Optional.of(rows.getLong(1)) : Optional.empty();
    }
  }

  private static void update(Connection connection, String sql, long id) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setLong(1, id);
      statement.executeUpdate();
    }
  }

  private void rollbackQuietly() {
    for (Connection connection : List.of(app, psql)) {
      try {
        connection.rollback();
      } catch (SQLException e) {
        // The connection is gone; the next write will say so.
      }
    }
  }

  /** Stops writing (letting a write in progress finish) and closes both connections. */
  @Override
  public void close() throws InterruptedException {
    scheduler.shutdown();
    if (!scheduler.awaitTermination(10, TimeUnit.SECONDS)) {
      scheduler.shutdownNow();
    }
    for (Connection connection : List.of(app, psql)) {
      try {
        connection.close();
      } catch (SQLException e) {
        // Closing anyway.
      }
    }
  }
}

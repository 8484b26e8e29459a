package com.example.jobs;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A batch job that knows nothing about Bemi: one row from the main thread, one from a worker
 * thread named {@code nightly-worker}. Arguments: {@code jdbcUrl user password}.
 */
public final class NightlyJob {

  public static void main(String[] args) throws Exception {
    insert(args, "from main");
    ExecutorService workers = Executors.newSingleThreadExecutor(task -> new Thread(task, "nightly-worker"));
    workers.submit(() -> {
      insert(args, "from worker");
      return null;
    }).get();
    workers.shutdown();
    workers.awaitTermination(10, TimeUnit.SECONDS);
    System.out.println("DONE");
  }

  private static void insert(String[] args, String kind) throws Exception {
    try (Connection c = DriverManager.getConnection(args[0], args[1], args[2]);
        PreparedStatement s = c.prepareStatement("INSERT INTO events(kind) VALUES (?)")) {
      s.setString(1, kind);
      s.executeUpdate();
    }
  }
}

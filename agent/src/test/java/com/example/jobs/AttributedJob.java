package com.example.jobs;

import io.bemi.Bemi;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.Map;
import java.util.TreeMap;

/**
 * A job that sets its own context with {@code io.bemi.Bemi} but does not ship bemi-driver (the agent
 * provides it). Arguments: {@code jdbcUrl user password} — the URL may be {@code jdbc:bemi:postgresql:}.
 */
public final class AttributedJob {

  public static void main(String[] args) throws Exception {
    try (Bemi.Scope ignored = Bemi.withContext(new TreeMap<>(Map.of("job", "reindex", "user", "scheduler")))) {
      try (Connection c = DriverManager.getConnection(args[0], args[1], args[2]);
          PreparedStatement s = c.prepareStatement("INSERT INTO events(kind) VALUES (?)")) {
        s.setString(1, "attributed");
        s.executeUpdate();
      }
    }
    System.out.println("DONE");
  }
}

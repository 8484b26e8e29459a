package com.example.tenant;

import io.bemi.Bemi;
import io.javalin.Javalin;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.EnumSet;
import java.util.Map;

/**
 * A Javalin service that sets part of its Bemi context itself, in a servlet filter (before the
 * servlet the agent watches), relying on the agent for {@code io.bemi.Bemi}. Arguments:
 * {@code jdbcUrl user password}; prints {@code LISTENING <port>}.
 */
public final class TenantApp {

  /** Puts the caller's tenant and acting user into the context for the rest of the request. */
  public static final class TenantFilter implements Filter {
    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
      HttpServletRequest http = (HttpServletRequest) request;
      try (Bemi.Scope ignored = Bemi.withMergedContext(Map.of("tenant", http.getHeader("X-Tenant"), "user", "api-key-7"))) {
        chain.doFilter(request, response);
      }
    }
  }

  public static void main(String[] args) {
    Javalin server = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.jetty.modifyServletContextHandler(handler ->
          handler.addFilter(TenantFilter.class, "/*", EnumSet.of(DispatcherType.REQUEST)));
      config.routes.post("/tenants/{tenant}/events", ctx -> {
        try (Connection c = DriverManager.getConnection(args[0], args[1], args[2]);
            PreparedStatement s = c.prepareStatement("INSERT INTO events(kind) VALUES (?)")) {
          s.setString(1, ctx.body());
          ctx.status(201).result(String.valueOf(s.executeUpdate()));
        }
      });
    }).start(0);
    System.out.println("LISTENING " + server.port());
    System.out.flush();
  }
}

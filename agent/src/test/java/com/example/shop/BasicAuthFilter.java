package com.example.shop;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Base64;

/** Authenticates {@code Authorization: Basic} users (any password) the way security filters do: by wrapping the request. */
public final class BasicAuthFilter implements Filter {

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
    HttpServletRequest http = (HttpServletRequest) request;
    String header = http.getHeader("Authorization");
    if (header == null || !header.startsWith("Basic ")) {
      chain.doFilter(request, response);
      return;
    }
    String decoded = new String(Base64.getDecoder().decode(header.substring(6)), StandardCharsets.UTF_8);
    String name = decoded.substring(0, decoded.indexOf(':'));
    Principal principal = () -> name;
    chain.doFilter(new HttpServletRequestWrapper(http) {
      @Override
      public Principal getUserPrincipal() {
        return principal;
      }

      @Override
      public String getRemoteUser() {
        return name;
      }
    }, response);
  }
}

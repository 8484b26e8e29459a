package io.bemi.sql.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * {@code java -cp … io.bemi.sql.cli.HttpProbe URL}: exit 0 when URL answers 2xx within 3 s, else 1. The
 * container images' health check (they have a JRE but no curl).
 */
public final class HttpProbe {

  private HttpProbe() {}

  public static void main(String[] args) {
    System.exit(args.length == 1 && healthy(args[0]) ? 0 : 1);
  }

  static boolean healthy(String url) {
    try {
      HttpResponse<Void> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()
          .send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.discarding());
      return response.statusCode() / 100 == 2;
    } catch (Exception e) {
      System.err.println("HttpProbe: " + url + ": " + e);
      return false;
    }
  }
}

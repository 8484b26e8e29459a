package io.bemi.dashboard.web;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/** The vendored CSS/JS/icon, served from the jar (no CDN). Public: they hold no data. */
final class Assets {

  private static final Map<String, String> FILES = Map.of(
      "app.css", "text/css; charset=utf-8",
      "app.js", "text/javascript; charset=utf-8",
      "favicon.svg", "image/svg+xml");

  private final Map<String, byte[]> content = new java.util.HashMap<>();

  Assets() {
    FILES.keySet().forEach(name -> {
      try (InputStream in = Assets.class.getResourceAsStream("/io/bemi/dashboard/assets/" + name)) {
        if (in == null) {
          throw new IllegalStateException("Missing asset " + name + " in the dashboard jar");
        }
        content.put(name, in.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  void serve(Context ctx) {
    String name = ctx.pathParam("name");
    byte[] bytes = content.get(name);
    if (bytes == null) {
      throw new WebErrors.NotFound("No asset " + name);
    }
    ctx.header("Cache-Control", "public, max-age=3600");
    ctx.contentType(FILES.get(name)).result(bytes);
  }
}

package io.bemi.dashboard.bench;

import io.bemi.dashboard.Main;
import io.bemi.dashboard.changes.ChangeFilter;
import io.bemi.dashboard.changes.ChangeRepository;
import io.bemi.dashboard.changes.StoredJson;
import io.bemi.dashboard.web.DashboardApp;
import io.bemi.dashboard.web.Services;
import io.bemi.sql.Migrations;
import io.javalin.Javalin;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Times the dashboard's API over HTTP on a generated trail (default 1M changes, 10M with
 * {@code 10000000} as argument) and prints p50/p95/max per common filter with the ratio to the
 * 200 ms budget, plus which index each page query uses (EXPLAIN ANALYZE).
 *
 * <pre>./mvnw -q -o -pl dashboard test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.bemi.dashboard.bench.DashboardBench [-Dexec.args=10000000] [-Dbench.maxWalSize=8GB]</pre>
 *
 * Trail shape: 10 tables (one per 3-change transaction), ~3 changes per record per million, 70 % UPDATE /
 * 20 % CREATE / 10 % DELETE, context {userId (5 000 users), endpoint (12), requestId (one per
 * transaction)}, spread evenly over the 30 days before now.
 */
public final class DashboardBench {

  private static final String TOKEN = "bench-token-0123456789abcdef";
  private static final int WARMUP = 3;
  private static final int RUNS = 25;
  private static final double BUDGET_MS = 200;

  private DashboardBench() {}

  public static void main(String[] args) throws Exception {
    long n = args.length > 0 ? Long.parseLong(args[0].replace("_", "")) : 1_000_000L;
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
        .setPGStartupWait(Duration.ofSeconds(60))
        .setServerConfig("shared_buffers", "512MB")
        .setServerConfig("max_wal_size", System.getProperty("bench.maxWalSize", "8GB")) // less WAL on disk for 100M
        .setServerConfig("synchronous_commit", "off")
        .setServerConfig("maintenance_work_mem", "512MB")
        .setServerConfig("TimeZone", "UTC")
        .start()) {
      DataSource ds = pg.getPostgresDatabase();
      Migrations.migrate(ds, "bemi");
      Instant now = Instant.now();
      generate(ds, n, now);
      Services services = Main.services(ds, null, "bemi", TOKEN, null, Clock.systemUTC());
      Javalin app = DashboardApp.create(services).start("127.0.0.1", 0);
      try {
        run(app.port(), services.changes(), n);
      } finally {
        app.stop();
      }
    }
  }

  private static void generate(DataSource ds, long n, Instant now) throws SQLException {
    long started = System.nanoTime();
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      List<String> indexes = new ArrayList<>();
      try (ResultSet rs = s.executeQuery("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'bemi'"
          + " AND tablename = 'changes' AND indexname NOT IN ('changes_pkey', 'changes_commit_change_key')")) {
        while (rs.next()) {
          indexes.add(rs.getString(2).replace(" ON ONLY ", " ON ")); // a partitioned index: build it on every partition
        }
      }
      for (String def : indexes) {
        s.execute("DROP INDEX bemi." + def.replaceAll("^CREATE (UNIQUE )?INDEX (\\S+) .*$", "$2"));
      }
      s.execute("SET synchronous_commit = off");
      long chunk = 1_000_000;
      for (long from = 0; from < n; from += chunk) {
        long to = Math.min(n, from + chunk) - 1;
        s.execute("INSERT INTO bemi.changes (primary_key, before, after, context, database, schema, \"table\", operation,"
            + " committed_at, queued_at, created_at, transaction_id, position, commit_lsn, change_index)"
            + " SELECT ((g / 10) % 100000)::text,"
            + "   CASE WHEN g % 10 < 2 THEN '{}'::jsonb ELSE jsonb_build_object('id', (g / 10) % 100000, 'status', 'open', 'total', g % 1000) END,"
            + "   CASE WHEN g % 10 = 9 THEN '{}'::jsonb ELSE jsonb_build_object('id', (g / 10) % 100000, 'status', 'paid', 'total', g % 1000 + 1) END,"
            + "   jsonb_build_object('userId', (g * 7919) % 5000, 'endpoint', (ARRAY['POST /orders','PUT /orders/:id','GET /orders',"
            + "     'POST /invoices','PUT /invoices/:id','POST /customers','PUT /customers/:id','POST /payments','POST /refunds',"
            + "     'PUT /shipments/:id','POST /admin/import','DELETE /carts/:id'])[1 + (g / 3) % 12], 'requestId', 'req-' || (g / 3)),"
            + "   'shop', 'public', (ARRAY['orders','invoices','customers','payments','refunds','shipments','carts','products',"
            + "     'line_items','addresses'])[1 + (g / 3) % 10],"
            + "   CASE WHEN g % 10 < 2 THEN 'CREATE' WHEN g % 10 = 9 THEN 'DELETE' ELSE 'UPDATE' END,"
            + "   ts, ts, ts, g / 3, 16 * g, 1000000 + 16 * (g / 3), (g % 3)::int"
            + " FROM generate_series(" + from + "::bigint, " + to + ") g,"
            + "   LATERAL (SELECT TIMESTAMPTZ '" + now + "' - interval '30 days' + (g::float8 / " + n + ") * interval '30 days' AS ts) t");
        System.out.printf("  generated %,d changes%n", to + 1);
      }
      for (String def : indexes) {
        s.execute(def);
      }
      s.execute("VACUUM ANALYZE bemi.changes");
      try (ResultSet rs = s.executeQuery("SELECT pg_size_pretty(sum(pg_table_size(relid))), pg_size_pretty(sum(pg_indexes_size(relid)))"
          + " FROM pg_partition_tree('bemi.changes')")) {
        rs.next();
        System.out.printf("Generated %,d changes in %.1f s; table %s, indexes %s%n", n, (System.nanoTime() - started) / 1e9,
            rs.getString(1), rs.getString(2));
      }
    }
  }

  private static void run(int port, ChangeRepository repository, long n) throws Exception {
    // follows /api/transactions/{xid}'s 303 to the transaction's commit LSN
    HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
    String base = "http://127.0.0.1:" + port;
    String cursor = cursor(http, base + "/api/changes?table=orders");
    long recentKey = ((n - 10) / 10) % 100000;
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("newest page (no filter)", "/api/changes");
    cases.put("table", "/api/changes?table=orders");
    cases.put("table, 2nd page (keyset)", "/api/changes?table=orders&after=" + cursor);
    cases.put("table + key", "/api/changes?table=orders&pk=4242");
    cases.put("context userId = 42", "/api/changes?context=" + enc("userId = 42"));
    cases.put("context requestId (rare)", "/api/changes?context=" + enc("requestId = req-" + n / 6));
    cases.put("context endpoint contains", "/api/changes?context=" + enc("endpoint contains /refunds"));
    cases.put("time range (1 h, 10 days ago)", "/api/changes?from=-240h&to=-239h");
    cases.put("table + time range + op", "/api/changes?table=payments&op=DELETE&from=-72h&to=-48h");
    cases.put("table + context", "/api/changes?table=orders&context=" + enc("userId = 42"));
    cases.put("record history", "/api/records/history?schema=public&table=orders&pk=" + recentKey);
    cases.put("record as-of", "/api/records/as-of?schema=public&table=orders&pk=" + recentKey + "&at=-24h");
    cases.put("transaction", "/api/transactions/" + n / 6);
    cases.put("context view (one request)", "/api/context?key=requestId&value=" + enc("\"req-" + n / 6 + "\""));
    cases.put("changes page HTML (table)", "/?table=orders");
    cases.put("record page HTML", "/record?schema=public&table=orders&pk=" + recentKey + "&at=-24h");
    cases.put("activity 1h", "/api/activity?window=1h");
    cases.put("activity 24h", "/api/activity?window=24h");

    System.out.printf("%nDashboard over HTTP, %,d changes, %d runs each after %d warm-up (budget %.0f ms)%n", n, RUNS, WARMUP, BUDGET_MS);
    System.out.printf("%-32s %9s %9s %9s %8s  %s%n", "case", "p50 ms", "p95 ms", "max ms", "p95/200", "rows/bytes");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      double[] ms = new double[RUNS];
      int bytes = 0;
      for (int i = 0; i < WARMUP + RUNS; i++) {
        long t0 = System.nanoTime();
        HttpResponse<String> r = http.send(request(base + c.getValue()), HttpResponse.BodyHandlers.ofString());
        long t1 = System.nanoTime();
        if (r.statusCode() != 200) {
          throw new IllegalStateException(c.getKey() + ": HTTP " + r.statusCode() + " " + r.body());
        }
        bytes = r.body().length();
        if (i >= WARMUP) {
          ms[i - WARMUP] = (t1 - t0) / 1e6;
        }
      }
      Arrays.sort(ms);
      double p95 = ms[(int) Math.ceil(RUNS * 0.95) - 1];
      System.out.printf("%-32s %9.1f %9.1f %9.1f %8.2f  %,d B%n", c.getKey(), ms[RUNS / 2], p95, ms[RUNS - 1], p95 / BUDGET_MS, bytes);
    }

    System.out.println("\nIndex use of the page query (EXPLAIN ANALYZE, first plan nodes):");
    Map<String, Map<String, List<String>>> filters = new LinkedHashMap<>();
    filters.put("no filter", Map.of());
    filters.put("table", Map.of("table", List.of("orders")));
    filters.put("table + key", Map.of("table", List.of("orders"), "pk", List.of("4242")));
    filters.put("context userId = 42", Map.of("context", List.of("userId = 42")));
    filters.put("time range", Map.of("from", List.of("-240h"), "to", List.of("-239h")));
    filters.put("endpoint contains", Map.of("context", List.of("endpoint contains /refunds")));
    for (Map.Entry<String, Map<String, List<String>>> f : filters.entrySet()) {
      String plan = repository.explainPage(ChangeFilter.fromQuery(f.getValue(), Instant.now()), 50);
      System.out.printf("  %-22s %s | %s%n", f.getKey(), indexes(plan), executionTime(plan));
    }
  }

  private static String indexes(String plan) {
    Matcher m = Pattern.compile("(Index Scan Backward using \\S+|Index Scan using \\S+|Bitmap Index Scan on \\S+|Seq Scan on \\S+)").matcher(plan);
    List<String> found = new ArrayList<>();
    while (m.find()) {
      found.add(m.group(1));
    }
    return String.join(", ", found);
  }

  private static String executionTime(String plan) {
    Matcher m = Pattern.compile("Execution Time: ([0-9.]+ ms)").matcher(plan);
    return m.find() ? "executed in " + m.group(1) : "";
  }

  private static String cursor(HttpClient http, String url) throws Exception {
    HttpResponse<String> response = http.send(request(url), HttpResponse.BodyHandlers.ofString());
    com.fasterxml.jackson.databind.JsonNode next = response.statusCode() == 200
        ? StoredJson.mapper().readTree(response.body()).get("next") : null;
    if (next == null || next.isNull()) {
      throw new IllegalStateException(url + ": no next page in HTTP " + response.statusCode() + " " + response.body());
    }
    return next.asText();
  }

  private static HttpRequest request(String url) {
    return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN).GET().build();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}

package io.bemi.dashboard.web;

import static io.bemi.dashboard.web.TestApp.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.dashboard.Main;
import io.bemi.dashboard.Trail;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import io.javalin.Javalin;
import io.javalin.testtools.FormBody;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.Response;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The dashboard that can execute reverts, hardened like one: hostile stored values, hosts, redirects, sessions, guessing. */
@WithPostgres
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HardeningTest {

  private TestDatabase db;
  private String hugeChange;

  @BeforeAll
  void story(TestDatabase shared) throws Exception {
    db = shared.createSibling("hardening");
    new Trail(db).story();
    String digits = "9".repeat(1_500);
    String deep = "[".repeat(1_500) + "1" + "]".repeat(1_500);
    db.execute("INSERT INTO bemi.changes (primary_key, before, after, context, database, schema, \"table\", operation,"
        + " committed_at, queued_at, transaction_id, position, commit_lsn, change_index) VALUES ('9', '{}',"
        + " '{\"id\": 9, \"big\": " + digits + ".5, \"deep\": " + deep + "}', '{\"n\": " + digits + "}', current_database(),"
        + " 'public', 'orders', 'CREATE', '2024-05-01T13:40:00Z', '2024-05-01T13:40:00Z', 300, 1, 88000000, 0)",
        "INSERT INTO bemi.changes (primary_key, before, after, context, database, schema, \"table\", operation,"
        + " committed_at, queued_at, transaction_id, position, commit_lsn, change_index) VALUES ('8', '{}',"
        + " '{\"id\": 8, \"big\": " + digits + "}', '{}', current_database(),"
        + " 'public', 'orders', 'CREATE', '2024-05-01T13:41:00Z', '2024-05-01T13:41:00Z', 301, 1, 88000001, 0)");
    hugeChange = String.valueOf(db.queryValue("SELECT id FROM bemi.changes WHERE primary_key = '8'"));
  }

  private Javalin app(SecurityOptions options, Clock clock) {
    return DashboardApp.create(Main.services(TestApp.destination(db), null, "bemi", TOKEN, null, clock, options, 1000));
  }

  private static String signIn(HttpClient client) {
    Response r = client.request("/signin", b -> b.post(new FormBody.Builder().add("token", TOKEN).build()));
    assertThat(r.code()).isEqualTo(303);
    String setCookie = r.headers().get("Set-Cookie").get(0);
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  /** The status line of a GET sent with exactly this Host header (the JDK client will not set one). */
  private static String statusWithHost(int port, String host) throws Exception {
    return statusOf(port, "/api/changes", host);
  }

  private static String statusOf(int port, String path, String host) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + TOKEN
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1)).readLine();
    }
  }

  @Test
  void storedValuesBeyondJacksonsDefaultLimitsStillRenderEveryPage() {
    TestApp.test(app(SecurityOptions.DEFAULTS, Clock.fixed(TestApp.NOW, ZoneOffset.UTC)), (server, client) -> {
      for (String path : List.of("/", "/record?schema=public&table=orders&pk=9", "/record?schema=public&table=orders&pk=8&at=-1m",
          "/transactions/0/53EC600", "/api/changes", "/api/changes/" + hugeChange, "/api/records/history?schema=public&table=orders&pk=9",
          "/api/changes/export?format=json", "/api/changes/export?format=csv", "/activity")) {
        Response r = TestApp.get(client, path);
        assertThat(r.code()).as(path).isEqualTo(200);
      }
      assertThat(TestApp.get(client, "/api/changes/" + hugeChange).body().string()).contains("9".repeat(1_500));
    });
  }

  @Test
  void aRequestJettyRefusesBeforeTheDashboardGetsTheErrorJsonNotAnHtmlPage() {
    TestApp.test(db, (server, client) -> {
      Response tooLong = client.get("/api/changes?table=" + "x".repeat(20_000));
      assertThat(tooLong.code()).isEqualTo(414);
      assertThat(tooLong.headers().get("Content-Type").get(0)).startsWith("application/json");
      assertThat(tooLong.body().string()).isEqualTo("{\"status\": 414, \"error\": \"URI Too Long\"}");

      Response headersTooLarge = client.get("/api/changes", b -> b.header("X-Big", "y".repeat(20_000)));
      assertThat(headersTooLarge.code()).isEqualTo(431);
      assertThat(headersTooLarge.headers().get("Content-Type").get(0)).startsWith("application/json");
      assertThat(headersTooLarge.body().string()).startsWith("{\"status\": 431, \"error\": ");
    });
  }

  @Test
  void signInNeverRedirectsOffSiteWhateverNextHolds() {
    for (String next : List.of("//evil.example/", "https://evil.example/", "/\\evil.example", "evil", "/\t/evil.example",
        "/\n/evil.example", "/%2F/evil.example", "/%2f%2fevil.example", "/%5Cevil.example", "/%5cevil.example", "\\/evil.example",
        "/%09/evil.example", "/%0d%0aSet-Cookie:x", " //evil.example", "/\u2028/evil.example", "/%E2%80%A8/evil.example")) {
      String safe = AuthController.safeNext(next);
      assertThat(safe).as(next).startsWith("/").doesNotStartWith("//").doesNotStartWith("/\\").doesNotContain("evil.example/")
          .matches("/[A-Za-z0-9\\-._~!$&'()*+,;=:@/%?]*");
      assertThat(safe.equals("/") || !safe.substring(1).startsWith("/")).as(next).isTrue();
    }
    assertThat(AuthController.safeNext("/record?pk=1&table=orders")).isEqualTo("/record?pk=1&table=orders");
    assertThat(AuthController.safeNext("/revert?context={\"a\":\"b c\"}")).isEqualTo("/revert?context=%7B%22a%22:%22b%20c%22%7D");
    assertThat(AuthController.safeNext("/x\\y")).isEqualTo("/x%5Cy");
  }

  @Test
  void aHostThatIsNotAllowedIsRefusedBeforeAnythingElse() {
    TestApp.test(app(new SecurityOptions(List.of("bemi.example.com"), false, Duration.ofHours(1), 10),
        Clock.fixed(TestApp.NOW, ZoneOffset.UTC)), (server, client) -> {
      int port = server.port();
      assertThat(statusWithHost(port, "rebound.attacker.example:" + port)).contains(" 421 ");
      assertThat(statusWithHost(port, "localhost.attacker.example")).contains(" 421 ");
      assertThat(statusWithHost(port, "127.0.0.1:" + (port + 1))).contains(" 421 ");
      assertThat(statusWithHost(port, "localhost:" + port)).contains(" 200 ");
      assertThat(statusWithHost(port, "127.0.0.1:" + port)).contains(" 200 ");
      assertThat(statusWithHost(port, "[::1]:" + port)).contains(" 200 ");
      assertThat(statusWithHost(port, "BEMI.example.com")).contains(" 200 ");
      // probes and scrapers by the pod's address: /health and /metrics answer whatever the Host
      assertThat(statusOf(port, "/health", "10.1.2.3:" + port)).contains(" 200 ").doesNotContain(" 421 ");
      assertThat(statusOf(port, "/metrics", "dashboard:7070")).contains(" 200 ");
      assertThat(statusOf(port, "/api/health", "10.1.2.3:" + port)).contains(" 421 ");
    });
  }

  @Test
  void theSessionCookieIsSecureBehindATrustedTlsProxyOnly() {
    TestApp.test(app(new SecurityOptions(List.of(), true, Duration.ofHours(1), 10), Clock.fixed(TestApp.NOW, ZoneOffset.UTC)),
        (server, client) -> {
          Response r = client.request("/signin", b -> b.header("X-Forwarded-Proto", "https")
              .post(new FormBody.Builder().add("token", TOKEN).build()));
          assertThat(r.headers().get("Set-Cookie").get(0)).contains("Secure", "Max-Age=3600");
        });
    TestApp.test(app(SecurityOptions.DEFAULTS, Clock.fixed(TestApp.NOW, ZoneOffset.UTC)), (server, client) -> {
      Response r = client.request("/signin", b -> b.header("X-Forwarded-Proto", "https")
          .post(new FormBody.Builder().add("token", TOKEN).build()));
      assertThat(r.headers().get("Set-Cookie").get(0)).doesNotContain("Secure");
    });
  }

  @Test
  void aSessionExpiresAfterItsLifetime() {
    MutableClock clock = new MutableClock(TestApp.NOW);
    TestApp.test(app(new SecurityOptions(List.of(), false, Duration.ofMinutes(30), 10), clock), (server, client) -> {
      String cookie = signIn(client);
      assertThat(client.get("/", b -> b.header("Cookie", cookie)).code()).isEqualTo(200);
      clock.now = clock.now.plus(Duration.ofMinutes(31));
      assertThat(client.get("/", b -> b.header("Cookie", cookie)).code()).isEqualTo(303);
    });
  }

  @Test
  void signOutRevokesTheSessionEvenIfTheCookieIsKept() {
    TestApp.test(app(SecurityOptions.DEFAULTS, Clock.fixed(TestApp.NOW, ZoneOffset.UTC)), (server, client) -> {
      String cookie = signIn(client);
      client.request("/signout", b -> b.header("Cookie", cookie)
          .post(new FormBody.Builder().add("csrf", new Security(TOKEN).csrfToken()).build()));
      Response r = client.get("/", b -> b.header("Cookie", cookie));
      assertThat(r.code()).isEqualTo(303);
      assertThat(r.headers().get("Location").get(0)).startsWith("/signin");
    });
  }

  @Test
  void aFloodOfWrongTokensFromManyAddressesDoesNotLockOutTheHolderOfTheToken() {
    TestApp.test(app(new SecurityOptions(List.of(), true, Duration.ofHours(1), 3), new MutableClock(TestApp.NOW)),
        (server, client) -> {
          for (int address = 0; address < 12; address++) { // 36 wrong tokens, past the 30 all clients may send
            for (int i = 0; i < 3; i++) {
              signInFrom(client, "203.0.113." + address, "guess-" + address + "-" + i);
            }
          }
          assertThat(signInFrom(client, "203.0.113.1", TOKEN)).as("an address that failed").isEqualTo(429);
          assertThat(signInFrom(client, "198.51.100.7", TOKEN)).as("the holder of the token").isEqualTo(303);
          assertThat(client.get("/api/changes", b -> b.header("X-Forwarded-For", "198.51.100.8")
              .header("Authorization", "Bearer " + TOKEN)).code()).as("an API client with the token").isEqualTo(200);
          assertThat(signInFrom(client, "198.51.100.7, 203.0.113.1", TOKEN))
              .as("what a client writes before the proxy's entry is not its address").isEqualTo(429);
        });
  }

  private static int signInFrom(HttpClient client, String forwardedFor, String token) {
    return client.request("/signin", b -> b.header("X-Forwarded-For", forwardedFor)
        .post(new FormBody.Builder().add("token", token).build())).code();
  }

  @Test
  void signInAttemptsAreRateLimited() {
    MutableClock clock = new MutableClock(TestApp.NOW);
    TestApp.test(app(new SecurityOptions(List.of(), false, Duration.ofHours(1), 3), clock), (server, client) -> {
      for (String guess : List.of("guess-1", "guess-2", "guess-3")) {
        assertThat(client.request("/signin", b -> b.post(new FormBody.Builder().add("token", guess).build())).code())
            .isEqualTo(401);
      }
      Response limited = client.request("/signin", b -> b.post(new FormBody.Builder().add("token", TOKEN).build()));
      assertThat(limited.code()).isEqualTo(429);
      assertThat(limited.headers().get("Retry-After")).isNotEmpty();
      assertThat(client.get("/signin?token=" + TOKEN).code()).isEqualTo(429);

      clock.now = clock.now.plus(Duration.ofMinutes(1));
      assertThat(client.request("/signin", b -> b.post(new FormBody.Builder().add("token", TOKEN).build())).code()).isEqualTo(303);
    });
  }
}

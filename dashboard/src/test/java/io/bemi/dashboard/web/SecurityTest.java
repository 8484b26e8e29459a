package io.bemi.dashboard.web;

import static io.bemi.dashboard.web.TestApp.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.dashboard.Trail;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import io.javalin.testtools.FormBody;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.Response;
import io.javalin.testtools.TestCase;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@WithPostgres
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityTest {

  private TestDatabase db;

  @BeforeAll
  void story(TestDatabase db) throws Exception {
    this.db = db;
    new Trail(db).story();
  }

  private void http(TestCase test) {
    TestApp.test(db, test);
  }

  private static String signIn(HttpClient client) {
    Response r = client.request("/signin", b -> b.post(new FormBody.Builder().add("token", TOKEN).add("next", "/activity").build()));
    assertThat(r.code()).isEqualTo(303);
    String setCookie = r.headers().get("Set-Cookie").get(0);
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  @Test
  void apiWithoutTokenIs401WithJsonAndBearerChallenge() {
    http((server, client) -> {
      Response r = client.get("/api/changes");
      assertThat(r.code()).isEqualTo(401);
      assertThat(r.headers().get("WWW-Authenticate")).containsExactly("Bearer realm=\"bemi\"");
      assertThat(r.body().string()).contains("\"error\"", "Bearer");
    });
  }

  @Test
  void apiWithAWrongTokenIs401() {
    http((server, client) -> {
      Response r = client.get("/api/changes", b -> b.header("Authorization", "Bearer " + TOKEN + "x"));
      assertThat(r.code()).isEqualTo(401);
      assertThat(r.body().string()).contains("is not Bearer and the dashboard's token: check the token");
      assertThat(client.get("/api/changes", b -> b.header("Authorization", "Basic " + TOKEN)).code()).isEqualTo(401);
    });
  }

  @Test
  void guessingTheApiTokenIsLimitedAsSignInIs() {
    http((server, client) -> {
      int refused = 0;
      for (int i = 0; i < 12; i++) {
        Response r = client.get("/api/changes", b -> b.header("Authorization", "Bearer guess-" + System.nanoTime()));
        if (r.code() == 429) {
          refused++;
          assertThat(r.headers().get("Retry-After")).isNotEmpty();
        } else {
          assertThat(r.code()).isEqualTo(401);
        }
      }
      assertThat(refused).isEqualTo(2); // 10 attempts a minute per address
      // past the limit the token is not even compared: the right one is refused alike, so guessing through
      // the API learns nothing from a 429
      Response right = client.get("/api/changes", b -> b.header("Authorization", "Bearer " + TOKEN));
      assertThat(right.code()).isEqualTo(429);
      assertThat(right.body().string()).doesNotContain(new Security(TOKEN).csrfToken());
    });
  }

  @Test
  void pagesWithoutSessionRedirectToSignInKeepingTheDestination() {
    http((server, client) -> {
      Response r = client.get("/activity?window=7d");
      assertThat(r.code()).isEqualTo(303);
      assertThat(r.headers().get("Location")).containsExactly("/signin?next=%2Factivity%3Fwindow%3D7d");
    });
  }

  @Test
  void signInSetsAnHttpOnlyStrictCookieThatIsNotTheToken() {
    http((server, client) -> {
      Response r = client.request("/signin", b -> b.post(new FormBody.Builder().add("token", TOKEN).add("next", "/activity").build()));
      assertThat(r.code()).isEqualTo(303);
      assertThat(r.headers().get("Location")).containsExactly("/activity");
      String setCookie = r.headers().get("Set-Cookie").get(0);
      assertThat(setCookie).contains("bemi_session=", "HttpOnly", "SameSite=Strict", "Path=/").doesNotContain(TOKEN);
    });
  }

  @Test
  void theSessionCookieOpensPages() {
    http((server, client) -> {
      String cookie = signIn(client);
      Response r = client.get("/", b -> b.header("Cookie", cookie));
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.body().string()).contains("<h1>Changes</h1>");
    });
  }

  @Test
  void signInWithAWrongTokenIs401AndSetsNoCookie() {
    http((server, client) -> {
      Response r = client.request("/signin", b -> b.post(new FormBody.Builder().add("token", "nope").build()));
      assertThat(r.code()).isEqualTo(401);
      assertThat(r.headers().get("Set-Cookie")).isNullOrEmpty();
      assertThat(r.body().string()).contains("Wrong token");
    });
  }

  @Test
  void thePrintedSignInLinkSignsInAndDropsTheTokenFromTheUrl() {
    http((server, client) -> {
      Response r = client.get("/signin?token=" + TOKEN);
      assertThat(r.code()).isEqualTo(303);
      assertThat(r.headers().get("Location")).containsExactly("/");
      assertThat(r.headers().get("Set-Cookie").get(0)).contains("bemi_session=");
    });
  }

  @Test
  void signInNeverRedirectsToAnotherSite() {
    for (String next : List.of("//evil.example/", "https://evil.example/", "/\\evil.example", "evil")) {
      assertThat(AuthController.safeNext(next)).as(next).isEqualTo("/");
    }
    assertThat(AuthController.safeNext("/record?pk=1")).isEqualTo("/record?pk=1");
  }

  @Test
  void postWithTheCookieButWithoutCsrfTokenIs403() {
    http((server, client) -> {
      String cookie = signIn(client);
      Response r = client.request("/revert", b -> b.header("Cookie", cookie)
          .post(new FormBody.Builder().add("transaction", "103").add("confirm", "yes").build()));
      assertThat(r.code()).isEqualTo(403);
      assertThat(r.body().string()).contains("CSRF");
    });
  }

  @Test
  void postWithTheCookieAndCsrfTokenReachesTheHandler() {
    http((server, client) -> {
      String cookie = signIn(client);
      String csrf = new Security(TOKEN).csrfToken();
      Response r = client.request("/revert", b -> b.header("Cookie", cookie)
          .post(new FormBody.Builder().add("csrf", csrf).add("transaction", "103").add("confirm", "yes").build()));
      // past CSRF: refused only because no --source-url is configured
      assertThat(r.code()).isEqualTo(400);
      assertThat(r.body().string()).contains("--source-url");
    });
  }

  @Test
  void postFromAnotherOriginIs403EvenWithTheCsrfToken() {
    http((server, client) -> {
      String cookie = signIn(client);
      String csrf = new Security(TOKEN).csrfToken();
      Response r = client.request("/signout", b -> b.header("Cookie", cookie).header("Origin", "https://evil.example")
          .post(new FormBody.Builder().add("csrf", csrf).build()));
      assertThat(r.code()).isEqualTo(403);
    });
  }

  @Test
  void signOutClearsTheCookie() {
    http((server, client) -> {
      String cookie = signIn(client);
      Response r = client.request("/signout", b -> b.header("Cookie", cookie)
          .post(new FormBody.Builder().add("csrf", new Security(TOKEN).csrfToken()).build()));
      assertThat(r.code()).isEqualTo(303);
      assertThat(r.headers().get("Set-Cookie").get(0)).contains("bemi_session=;", "Expires=Thu, 01 Jan 1970");
    });
  }

  @Test
  void everyResponseCarriesTheSecurityHeaders() {
    http((server, client) -> {
      for (Response r : List.of(client.get("/api/changes"), client.get("/signin"), TestApp.get(client, "/"),
          TestApp.get(client, "/api/changes?op=bad"))) {
        assertThat(r.headers().get("Content-Security-Policy")).containsExactly(Security.CSP);
        assertThat(r.headers().get("X-Content-Type-Options")).containsExactly("nosniff");
        assertThat(r.headers().get("X-Frame-Options")).containsExactly("DENY");
        assertThat(r.headers().get("Referrer-Policy")).containsExactly("no-referrer");
        assertThat(r.headers().get("Cache-Control")).containsExactly("no-store");
      }
    });
  }

  @Test
  void assetsAreServedWithoutSignInAndNothingElseIs() {
    http((server, client) -> {
      Response css = client.get("/assets/app.css");
      assertThat(css.code()).isEqualTo(200);
      assertThat(css.headers().get("Content-Type").get(0)).startsWith("text/css");
      assertThat(client.get("/assets/app.js").headers().get("Content-Type").get(0)).startsWith("text/javascript");
      assertThat(client.get("/assets/../api/changes").code()).isIn(400, 401, 404);
      assertThat(client.get("/assets/secret.txt").code()).isEqualTo(404);
    });
  }

  @Test
  void aShortTokenIsRejectedAtStartUp() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Security("short"))
        .hasMessageContaining("at least 16 characters");
  }
}

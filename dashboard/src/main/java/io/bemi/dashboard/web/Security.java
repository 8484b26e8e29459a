package io.bemi.dashboard.web;

import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HandlerType;
import io.javalin.http.SameSite;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Token authentication, sessions, CSRF tokens, the Host allowlist, sign-in rate limits and the
 * standard response headers.
 *
 * <p>A request is authenticated by {@code Authorization: Bearer <token>} or by the
 * {@code bemi_session} cookie set at sign-in (HttpOnly, SameSite=Strict, Secure over HTTPS, also
 * behind a trusted TLS proxy). The cookie holds a random session id known only to this process:
 * it expires after {@link SecurityOptions#sessionTtl()}, sign-out revokes it, a restart signs
 * everyone out. The CSRF token is {@code HMAC(token, "csrf")} and must accompany every POST made
 * with the cookie (form field {@code csrf} or header {@code X-CSRF-Token}).
 *
 * <p>Every request, signed in or not, must name an allowed Host (localhost, 127.0.0.1, [::1] or a
 * configured name): a DNS-rebinding page reaches the loopback-bound UI under its own name and is
 * refused.
 */
public final class Security {

  static final String COOKIE = "bemi_session";
  private static final String AUTH = "bemi.auth";
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
      + " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
  private static final int MAX_SESSIONS = 10_000;

  private final byte[] token;
  private final String csrfToken;
  private final SecurityOptions options;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Instant> sessions = new ConcurrentHashMap<>(); // id -> expiry
  private final SignInLimiter limiter;

  public Security(String token) {
    this(token, SecurityOptions.DEFAULTS, Clock.systemUTC());
  }

  public Security(String token, SecurityOptions options, Clock clock) {
    if (token == null || token.length() < 16) {
      throw new IllegalArgumentException("The dashboard token must have at least 16 characters");
    }
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.csrfToken = hmac("csrf");
    this.options = options;
    this.clock = clock;
    this.limiter = new SignInLimiter(options.signInAttemptsPerMinute(), clock);
  }

  /** Before every request: standard headers, the Host check, then authentication unless the path is public. */
  void before(Context ctx) {
    ctx.header("Content-Security-Policy", CSP);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("Cross-Origin-Opener-Policy", "same-origin");
    ctx.header("Cross-Origin-Resource-Policy", "same-origin");
    ctx.header("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    ctx.header("Cache-Control", "no-store");
    String path = ctx.path();
    if (path.equals("/health") || path.equals("/metrics")) {
      // probes and scrapers address the pod by its IP: these two take no credentials, set no cookie
      // and change nothing, so the Host check (against DNS rebinding of the signed-in UI) is not theirs
      return;
    }
    if (!hostAllowed(ctx.header("Host"), ctx.req().getLocalPort())) {
      throw new WebErrors.MisdirectedRequest("Host '" + ctx.header("Host") + "' is not served here: open the dashboard as"
          + " http://127.0.0.1:" + ctx.req().getLocalPort() + "/ or add the name with --allowed-hosts");
    }
    if (path.equals("/signin") || path.startsWith("/assets/")) {
      return;
    }
    Auth auth = authenticate(ctx);
    ctx.attribute(AUTH, auth);
    if (auth == Auth.NONE) {
      throw new WebErrors.Unauthorized(ctx.header("Authorization") != null);
    }
    if (ctx.method() != HandlerType.GET && ctx.method() != HandlerType.HEAD && auth == Auth.COOKIE) {
      checkCsrf(ctx);
    }
  }

  enum Auth { NONE, BEARER, COOKIE }

  /**
   * An {@code Authorization} header is a try of the token (a wrong one, or another scheme, counts as a
   * failed sign-in; past the client's limit: 429, compared or not); else the session cookie.
   */
  private Auth authenticate(Context ctx) {
    String header = ctx.header("Authorization");
    if (header != null) {
      boolean bearer = header.regionMatches(true, 0, "Bearer ", 0, 7);
      return tryToken(ctx, bearer ? header.substring(7).trim() : null) ? Auth.BEARER : Auth.NONE;
    }
    return hasSession(ctx) ? Auth.COOKIE : Auth.NONE;
  }

  /**
   * For error pages: the request was authenticated, or carries a live session. A bearer token is never
   * compared again here, past the limiter (a refused guess must not learn whether it was right).
   */
  boolean signedIn(Context ctx) {
    return ctx.attribute(AUTH) == Auth.BEARER || hasSession(ctx);
  }

  private boolean hasSession(Context ctx) {
    String cookie = ctx.cookie(COOKIE);
    if (cookie == null) {
      return false;
    }
    Instant expires = sessions.get(cookie);
    if (expires == null) {
      return false;
    }
    if (!clock.instant().isBefore(expires)) {
      sessions.remove(cookie);
      return false;
    }
    return true;
  }

  /** localhost, 127.0.0.1 and [::1] (bare or with the server's port), or a configured name (bare or name:port). */
  boolean hostAllowed(String host, int port) {
    if (host == null || host.isEmpty()) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    for (String name : new String[] {"localhost", "127.0.0.1", "[::1]"}) {
      if (h.equals(name) || h.equals(name + ":" + port)) {
        return true;
      }
    }
    for (String allowed : options.allowedHosts()) {
      if (h.equals(allowed) || (!allowed.contains(":") || allowed.startsWith("[") && !allowed.contains("]:"))
          && h.equals(allowed + ":" + port)) {
        return true;
      }
    }
    return false;
  }

  private void checkCsrf(Context ctx) {
    String origin = ctx.header("Origin");
    String host = ctx.header("Host");
    if (origin != null && host != null && !origin.equals("null") && !origin.endsWith("//" + host)) {
      throw new WebErrors.Forbidden("Cross-origin request refused (Origin " + origin + ")");
    }
    String sent = ctx.header("X-CSRF-Token");
    if (sent == null && ctx.isFormUrlencoded()) {
      sent = ctx.formParam("csrf");
    }
    if (sent == null || !constantTimeEquals(sent, csrfToken)) {
      throw new WebErrors.Forbidden("Missing or wrong CSRF token: reload the page and try again");
    }
  }

  /**
   * Compares a token a client sent (null: none, a try all the same) within the client's sign-in limit:
   * the try is taken first, given back when the token is right; refused (429, with Retry-After) past
   * the limit without comparing.
   */
  boolean tryToken(Context ctx, String candidate) {
    String client = clientAddress(ctx);
    long retryAfter = limiter.attempt(client);
    if (retryAfter > 0) {
      ctx.header("Retry-After", Long.toString(retryAfter));
      throw new WebErrors.TooManyRequests("Too many sign-in attempts: wait " + retryAfter + " s and try again");
    }
    boolean right = candidate != null && MessageDigest.isEqual(candidate.getBytes(StandardCharsets.UTF_8), token);
    if (right) {
      limiter.succeeded(client);
    }
    return right;
  }

  /** The CSRF token pages embed in their forms (and API clients may send as X-CSRF-Token). */
  public String csrfToken() {
    return csrfToken;
  }

  void signIn(Context ctx) {
    Instant now = clock.instant();
    if (sessions.size() >= MAX_SESSIONS) {
      sessions.values().removeIf(expires -> !now.isBefore(expires));
    }
    if (sessions.size() >= MAX_SESSIONS) {
      throw new WebErrors.TooManyRequests("Too many open sessions: sign out elsewhere or restart the dashboard");
    }
    byte[] id = new byte[32];
    random.nextBytes(id);
    String session = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
    sessions.put(session, now.plus(options.sessionTtl()));
    ctx.cookie(new Cookie(COOKIE, session, "/", (int) options.sessionTtl().toSeconds(), secure(ctx), true, null, SameSite.STRICT));
  }

  /** Revokes the session (the cookie alone is no longer accepted) and clears the cookie. */
  void signOut(Context ctx) {
    String cookie = ctx.cookie(COOKIE);
    if (cookie != null) {
      sessions.remove(cookie);
    }
    ctx.cookie(new Cookie(COOKIE, "", "/", 0, secure(ctx), true, null, SameSite.STRICT));
  }

  /** HTTPS seen by the browser: the request's own scheme, or X-Forwarded-Proto from a trusted proxy. */
  boolean secure(Context ctx) {
    if ("https".equals(ctx.scheme())) {
      return true;
    }
    String forwarded = options.trustProxy() ? ctx.header("X-Forwarded-Proto") : null;
    return forwarded != null && "https".equalsIgnoreCase(forwarded.split(",")[0].trim());
  }

  /**
   * The client's address; behind a trusted proxy the last {@code X-Forwarded-For} entry, the one the
   * proxy appended (the entries before it are whatever the client sent).
   */
  private String clientAddress(Context ctx) {
    String forwarded = options.trustProxy() ? ctx.header("X-Forwarded-For") : null;
    if (forwarded == null || forwarded.isBlank()) {
      return ctx.ip();
    }
    String last = forwarded.substring(forwarded.lastIndexOf(',') + 1).trim();
    return last.isEmpty() ? ctx.ip() : last;
  }

  private String hmac(String purpose) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(token, "HmacSHA256"));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  private static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}

package io.bemi.dashboard.web;

import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HandlerType;
import io.javalin.http.SameSite;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Token authentication, the session cookie, CSRF tokens and the standard response headers.
 *
 * <p>A request is authenticated by {@code Authorization: Bearer <token>} or by the
 * {@code bemi_session} cookie set at sign-in (HttpOnly, SameSite=Strict). The cookie holds
 * {@code HMAC(token, "session")}, not the token; the CSRF token is {@code HMAC(token, "csrf")}
 * and must accompany every POST made with the cookie (form field {@code csrf} or header
 * {@code X-CSRF-Token}). Changing the token signs everyone out.
 */
public final class Security {

  static final String COOKIE = "bemi_session";
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
      + " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

  private final byte[] token;
  private final String sessionValue;
  private final String csrfToken;

  public Security(String token) {
    if (token == null || token.length() < 16) {
      throw new IllegalArgumentException("The dashboard token must have at least 16 characters");
    }
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.sessionValue = hmac("session");
    this.csrfToken = hmac("csrf");
  }

  /** Before every request: standard headers, then authentication unless the path is public. */
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
    if (path.equals("/signin") || path.startsWith("/assets/") || path.equals("/health") || path.equals("/metrics")) {
      return;
    }
    Auth auth = authenticate(ctx);
    if (auth == Auth.NONE) {
      throw new WebErrors.Unauthorized();
    }
    if (ctx.method() != HandlerType.GET && ctx.method() != HandlerType.HEAD && auth == Auth.COOKIE) {
      checkCsrf(ctx);
    }
  }

  enum Auth { NONE, BEARER, COOKIE }

  Auth authenticate(Context ctx) {
    String header = ctx.header("Authorization");
    if (header != null) {
      return header.regionMatches(true, 0, "Bearer ", 0, 7) && matchesToken(header.substring(7).trim()) ? Auth.BEARER : Auth.NONE;
    }
    String cookie = ctx.cookie(COOKIE);
    return cookie != null && constantTimeEquals(cookie, sessionValue) ? Auth.COOKIE : Auth.NONE;
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

  public boolean matchesToken(String candidate) {
    return candidate != null && MessageDigest.isEqual(candidate.getBytes(StandardCharsets.UTF_8), token);
  }

  /** The CSRF token pages embed in their forms (and API clients may send as X-CSRF-Token). */
  public String csrfToken() {
    return csrfToken;
  }

  void signIn(Context ctx) {
    Cookie cookie = new Cookie(COOKIE, sessionValue, "/", -1, "https".equals(ctx.scheme()), true, null, SameSite.STRICT);
    ctx.cookie(cookie);
  }

  void signOut(Context ctx) {
    Cookie cookie = new Cookie(COOKIE, "", "/", 0, "https".equals(ctx.scheme()), true, null, SameSite.STRICT);
    ctx.cookie(cookie);
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

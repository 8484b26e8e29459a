package io.bemi.dashboard.web;

import io.bemi.dashboard.web.html.Views;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Sign-in (form or the one-time link printed at start-up) and sign-out. */
final class AuthController {

  private final Security security;

  AuthController(Security security) {
    this.security = security;
  }

  /** GET /signin: the form, or — with ?token= from the printed link — sign in directly. */
  void form(Context ctx) {
    String token = ctx.queryParam("token");
    if (token != null) {
      if (security.tryToken(ctx, token)) {
        security.signIn(ctx);
        ctx.redirect(safeNext(ctx.queryParam("next")), HttpStatus.SEE_OTHER);
        return;
      }
      ctx.status(HttpStatus.UNAUTHORIZED);
      ctx.html(Views.signIn(new Views.SignInPage(safeNext(ctx.queryParam("next")), "That sign-in link's token is not valid.")));
      return;
    }
    ctx.html(Views.signIn(new Views.SignInPage(safeNext(ctx.queryParam("next")), null)));
  }

  /** POST /signin with the token: sets the session cookie and goes where the user was heading. */
  void submit(Context ctx) {
    String next = safeNext(ctx.formParam("next"));
    if (!security.tryToken(ctx, ctx.formParam("token"))) {
      ctx.status(HttpStatus.UNAUTHORIZED);
      ctx.html(Views.signIn(new Views.SignInPage(next, "Wrong token.")));
      return;
    }
    security.signIn(ctx);
    ctx.redirect(next, HttpStatus.SEE_OTHER);
  }

  void signOut(Context ctx) {
    security.signOut(ctx);
    ctx.redirect("/signin", HttpStatus.SEE_OTHER);
  }

  /**
   * Only a path on this site may follow sign-in. It must start with one "/" and, neither as given
   * nor percent-decoded, start with "//" or "/\" (both mean another host to a browser), and hold
   * no control characters (browsers drop tabs and newlines, so "/\t/host" would become "//host").
   * Any other character outside the URL set, a backslash included, is percent-encoded, so the
   * Location header can only name a path here. Anything else becomes "/".
   */
  static String safeNext(String next) {
    if (next == null || offSite(next)) {
      return "/";
    }
    String decoded;
    try {
      decoded = URLDecoder.decode(next.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return "/"; // malformed percent-encoding
    }
    if (offSite(decoded) || hasControl(next) || hasControl(decoded)) {
      return "/";
    }
    StringBuilder safe = new StringBuilder();
    for (byte b : next.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if (c < 0x80 && URL_CHARACTERS.indexOf(c) >= 0) {
        safe.append(c);
      } else {
        safe.append('%').append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xf));
      }
    }
    return safe.toString();
  }

  private static final String URL_CHARACTERS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/%?";
  private static final String HEX = "0123456789ABCDEF";

  private static boolean offSite(String path) {
    return !path.startsWith("/") || path.startsWith("//") || path.startsWith("/\\");
  }

  private static boolean hasControl(String text) {
    return text.chars().anyMatch(c -> c < 0x20 || c == 0x7f || Character.isWhitespace(c) && c != ' ');
  }
}

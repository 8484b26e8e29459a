package io.bemi.dashboard.web;

import io.bemi.dashboard.web.html.Views;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

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
      if (security.matchesToken(token)) {
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
    if (!security.matchesToken(ctx.formParam("token"))) {
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

  /** Only a local path may follow sign-in (no open redirect to another site). */
  static String safeNext(String next) {
    if (next == null || next.isBlank() || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")
        || next.contains("\r") || next.contains("\n")) {
      return "/";
    }
    return next;
  }
}

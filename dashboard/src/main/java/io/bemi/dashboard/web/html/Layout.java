package io.bemi.dashboard.web.html;

import static io.bemi.dashboard.web.html.Html.html;

import io.bemi.dashboard.changes.ColumnDiff;
import io.bemi.history.Operation;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** The page frame and the small pieces every page shares (times, operation badges, diffs). */
public final class Layout {

  /** Which top navigation entry is current. */
  public enum Nav { CHANGES, ACTIVITY, NONE }

  private static final DateTimeFormatter UTC_TEXT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter UTC_FULL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS 'UTC'").withZone(ZoneOffset.UTC);

  private Layout() {}

  /** A full page. {@code csrf} null: signed-out page (no navigation). */
  public static String page(String title, Nav nav, String csrf, SafeHtml body) {
    SafeHtml header = csrf == null
        ? html("<header class=\"top\"><a class=\"brand\" href=\"/\">{}</a></header>", brand())
        : html("""
            <header class="top">
              <a class="brand" href="/">{}</a>
              <nav>
                <a href="/"{}>Changes</a>
                <a href="/activity"{}>Activity</a>
              </nav>
              <form class="signout" method="post" action="/signout">
                <input type="hidden" name="csrf" value="{}">
                <button type="submit" class="link">Sign out</button>
              </form>
            </header>""",
            brand(), current(nav == Nav.CHANGES), current(nav == Nav.ACTIVITY), csrf);
    return html("""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>{} · Bemi</title>
        <link rel="stylesheet" href="/assets/app.css">
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
        <script src="/assets/app.js" defer></script>
        </head>
        <body>
        {}
        <main>
        {}
        </main>
        <footer>Bemi audit trail · times in your time zone (hover for UTC)</footer>
        </body>
        </html>
        """, title, header, body).html();
  }

  private static SafeHtml brand() {
    return html("<span class=\"logo\" aria-hidden=\"true\"></span>Bemi <span class=\"muted\">audit trail</span>");
  }

  private static SafeHtml current(boolean yes) {
    return new SafeHtml(yes ? " aria-current=\"page\"" : "");
  }

  /** A time shown in UTC; app.js rewrites the text into the viewer's zone and keeps UTC on hover. */
  public static SafeHtml time(Instant at) {
    if (at == null) {
      return SafeHtml.EMPTY;
    }
    return html("<time datetime=\"{}\" title=\"{}\">{} UTC</time>", at.toString(), UTC_FULL.format(at), UTC_TEXT.format(at));
  }

  public static SafeHtml badge(Operation op) {
    return html("<span class=\"op op-{}\">{}</span>", op.name().toLowerCase(), op.name());
  }

  /** The before/after table of one change; changed columns highlighted, unchanged ones dimmed. */
  public static SafeHtml diff(List<ColumnDiff> columns) {
    if (columns.isEmpty()) {
      return html("<p class=\"muted\">No column values (e.g. TRUNCATE).</p>");
    }
    return html("""
        <table class="diff">
        <thead><tr><th>Column</th><th>Before</th><th>After</th></tr></thead>
        <tbody>{}</tbody>
        </table>""",
        Html.each(columns, c -> html("<tr class=\"{}\"><th scope=\"row\">{}</th><td class=\"before\">{}</td><td class=\"after\">{}</td></tr>",
            c.changed() ? "changed" : "same", c.column(), JsonView.render(c.before()), JsonView.render(c.after()))));
  }
}

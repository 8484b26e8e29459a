package io.bemi.dashboard.web;

import io.bemi.dashboard.changes.BadRequestException;
import io.bemi.dashboard.changes.ChangeFilter;
import io.bemi.dashboard.changes.Cursor;
import io.bemi.dashboard.changes.Instants;
import io.bemi.dashboard.changes.RecordKey;
import io.bemi.dashboard.restore.ReplayService;
import io.bemi.dashboard.revert.RevertService;
import io.bemi.sql.Lsn;
import io.javalin.http.Context;
import java.time.Instant;

/** Reading typed values from requests; every bad value becomes a 400 naming the parameter. */
final class Requests {

  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 500;
  static final int HISTORY_PAGE = 1000;

  private Requests() {}

  static ChangeFilter filter(Context ctx, Instant now) {
    return ChangeFilter.fromQuery(ctx.queryParamMap(), now);
  }

  static Cursor cursor(Context ctx) {
    String after = ctx.queryParam("after");
    return after == null || after.isBlank() ? null : Cursor.decode(after.trim());
  }

  static int limit(Context ctx) {
    return limit(ctx, DEFAULT_LIMIT, MAX_LIMIT);
  }

  /** A page of a record's history: {@value #HISTORY_PAGE} changes unless the request asks fewer. */
  static int historyLimit(Context ctx) {
    return limit(ctx, HISTORY_PAGE, HISTORY_PAGE);
  }

  private static int limit(Context ctx, int defaultLimit, int maxLimit) {
    String text = ctx.queryParam("limit");
    if (text == null || text.isBlank()) {
      return defaultLimit;
    }
    try {
      int limit = Integer.parseInt(text.trim());
      if (limit >= 1 && limit <= maxLimit) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new BadRequestException("limit '" + text + "' must be a whole number from 1 to " + maxLimit);
  }

  /** The {@code before} cursor of a record page (older changes); null: its newest changes. */
  static Cursor before(Context ctx) {
    String before = ctx.queryParam("before");
    return before == null || before.isBlank() ? null : Cursor.decode(before.trim());
  }

  /**
   * The {@code source} (query, or form of a POST) a page or answer is limited to: null when absent
   * (every source, or the only one); {@code source=} names the unnamed source {@code ''}.
   */
  static String source(Context ctx) {
    String source = ctx.queryParam("source") != null ? ctx.queryParam("source")
        : ctx.isFormUrlencoded() ? ctx.formParam("source") : null;
    return source == null ? null : source.trim();
  }

  static RecordKey record(Context ctx) {
    return new RecordKey(blank(ctx.queryParam("schema")), blank(ctx.queryParam("table")), ctx.queryParam("pk"), source(ctx));
  }

  /** The current GET request with {@code name=value} instead of any {@code name} it had: a choice's link. */
  static String with(Context ctx, String name, String value) {
    StringBuilder url = new StringBuilder(ctx.path());
    char separator = '?';
    for (var param : ctx.queryParamMap().entrySet()) {
      if (!param.getKey().equals(name)) {
        for (String v : param.getValue()) {
          url.append(separator).append(encode(param.getKey())).append('=').append(encode(v));
          separator = '&';
        }
      }
    }
    return url.append(separator).append(encode(name)).append('=').append(encode(value)).toString();
  }

  private static String encode(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
  }

  static long longPath(Context ctx, String name) {
    String text = ctx.pathParam(name);
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new BadRequestException(name + " '" + text + "' is not a whole number");
    }
  }

  /** The commit LSN in a /transactions/{hi}/{lo} path (PostgreSQL's text form, split at its slash). */
  static long commitLsn(Context ctx) {
    String text = ctx.pathParam("hi") + "/" + ctx.pathParam("lo");
    return Lsn.tryParse(text).map(Lsn::value)
        .orElseThrow(() -> new BadRequestException("'" + text + "' is not a commit LSN (such as 0/16B3748)"));
  }

  /** The one transaction the xid in {id} names (in the request's source, or the only source that stored it). */
  static io.bemi.history.TransactionCommit commitOfXid(Context ctx, RevertService revert) {
    String text = ctx.pathParam("id");
    if (!text.matches("[0-9]{1,19}")) {
      throw new BadRequestException("transaction '" + text + "' is neither a commit LSN (such as 0/16B3748) nor an xid"
          + " (a whole number)");
    }
    return revert.commitOf(longPath(ctx, "id"), source(ctx));
  }

  /** The tables (repeatable {@code table} parameter, query or form) and the instant of a restore. */
  static java.util.List<String> tables(Context ctx) {
    java.util.List<String> tables = new java.util.ArrayList<>(ctx.queryParams("table"));
    if (ctx.isFormUrlencoded()) {
      tables.addAll(ctx.formParams("table"));
    }
    return tables.stream().map(String::trim).filter(t -> !t.isEmpty()).distinct().toList();
  }

  /** The source a restore of {@code tables} reads (no tables: the restore refuses, naming what is missing). */
  static String restoreSource(Context ctx, io.bemi.dashboard.changes.ChangeRepository changes, java.util.List<String> tables) {
    return tables.isEmpty() ? source(ctx) : changes.tablesSource(tables, source(ctx));
  }

  static Instant restoreInstant(Context ctx, Instant now) {
    String at = ctx.queryParam("at") != null ? ctx.queryParam("at") : ctx.isFormUrlencoded() ? ctx.formParam("at") : null;
    return at == null || at.isBlank() ? null : io.bemi.dashboard.changes.Instants.parse("at", at, now);
  }

  /**
   * What to roll forward: one of change, transaction (commit LSN or xid) or context, as for a
   * revert; else the time range from/to (instants or relative like -1h) of the tables given
   * (every table when none). Empty when the request names nothing yet (the page's first view).
   */
  static java.util.Optional<ReplayService.Selection> replaySelection(Context ctx, RevertService revert,
      io.bemi.dashboard.changes.ChangeRepository changes, Instant now) {
    String change = ctx.queryParam("change");
    String transaction = ctx.queryParam("transaction");
    String context = ctx.queryParam("context");
    if (!isBlank(change) || !isBlank(transaction) || !isBlank(context)) {
      return java.util.Optional.of(new ReplayService.Target(revert.target(change, transaction, context, source(ctx))));
    }
    String from = ctx.queryParam("from");
    String to = ctx.queryParam("to");
    if (isBlank(from) && isBlank(to)) {
      return java.util.Optional.empty();
    }
    java.util.List<String> tables = tables(ctx);
    return java.util.Optional.of(new ReplayService.Range(isBlank(from) ? null : Instants.parse("from", from, now),
        isBlank(to) ? null : Instants.parse("to", to, now), tables, changes.tablesSource(tables, source(ctx))));
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  static Integer optionalInt(String name, String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return Integer.valueOf(text.trim());
    } catch (NumberFormatException e) {
      throw new BadRequestException(name + " '" + text + "' is not a whole number");
    }
  }

  static java.util.UUID uuidPath(Context ctx, String name) {
    String text = ctx.pathParam(name);
    try {
      return java.util.UUID.fromString(text);
    } catch (IllegalArgumentException e) {
      throw new BadRequestException(name + " '" + text + "' is not a change id (a UUID)");
    }
  }

  /**
   * The plan digest a preview returned (64 lower-case hex digits), sent back to execute it; a value
   * of another form is a bad parameter, not a changed plan. Null when missing (the service says so).
   */
  static String plan(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    if (!text.trim().matches("[0-9a-f]{64}")) {
      throw new BadRequestException("plan '" + text + "' is not a plan digest: send the 64 hex digits the preview returned");
    }
    return text.trim();
  }

  /** A yes/no switch such as {@code force}: {@code yes} (or {@code true}), {@code no} (or {@code false}) or absent. */
  static boolean yes(String name, String text) {
    if (text == null || text.isBlank()) {
      return false;
    }
    return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "yes", "true" -> true;
      case "no", "false" -> false;
      default -> throw new BadRequestException(name + " '" + text + "' must be yes or no");
    };
  }

  static String required(Context ctx, String name) {
    String v = ctx.queryParam(name);
    if (v == null || v.isBlank()) {
      throw new BadRequestException(name + " is required");
    }
    return v;
  }

  private static String blank(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}

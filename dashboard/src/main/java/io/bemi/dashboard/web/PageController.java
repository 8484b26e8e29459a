package io.bemi.dashboard.web;

import io.bemi.dashboard.changes.Activity;
import io.bemi.dashboard.changes.BadRequestException;
import io.bemi.dashboard.changes.ChangeFilter;
import io.bemi.dashboard.changes.ChangeRepository;
import io.bemi.dashboard.changes.Instants;
import io.bemi.dashboard.changes.RecordKey;
import io.bemi.dashboard.restore.ReplayService;
import io.bemi.dashboard.revert.RevertService;
import io.bemi.dashboard.revert.RevertTarget;
import io.bemi.dashboard.web.html.Views;
import io.bemi.history.Change;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The server-rendered pages. Each handler reads its parameters, queries, and renders one view. */
final class PageController {

  private static final int VIEW_LIMIT = 1000;

  private final Services s;

  PageController(Services services) {
    this.s = services;
  }

  void changes(Context ctx) {
    Instant now = s.clock().instant();
    ChangeFilter filter = Requests.filter(ctx, now);
    ChangeRepository.Page page = s.changes().page(filter, Requests.cursor(ctx), Requests.limit(ctx));
    String next = null;
    if (page.next() != null) {
      String q = filter.toQueryString();
      next = "/?" + (q.isEmpty() ? "" : q + "&") + "after=" + page.next().encode()
          + (ctx.queryParam("limit") == null ? "" : "&limit=" + Requests.limit(ctx));
    }
    ctx.html(Views.changes(new Views.ChangesPage(filter, page.changes(), next, s.changes().tables(), csrf())));
  }

  void record(Context ctx) {
    RecordKey record = s.changes().record(Requests.record(ctx));
    String atText = ctx.queryParam("at");
    Instant at = atText == null || atText.isBlank() ? null : Instants.parse("at", atText, s.clock().instant());
    Optional<ChangeRepository.AsOf> asOf = at == null ? Optional.empty() : Optional.of(s.changes().asOf(record, at));
    ChangeRepository.Page page = s.changes().historyBefore(record, Requests.before(ctx), Requests.historyLimit(ctx));
    List<Change> history = page.changes();
    String older = page.next() == null ? null : "before=" + page.next().encode()
        + (ctx.queryParam("limit") == null ? "" : "&limit=" + Requests.historyLimit(ctx));
    ctx.html(Views.record(new Views.RecordPage(record, history, s.gaps().forHistory(history), atText, asOf, older, csrf())));
  }

  /** /transactions/{hi}/{lo}: the transaction committed at that LSN, of the request's source (or the only one there). */
  void transaction(Context ctx) {
    long commitLsn = Requests.commitLsn(ctx);
    String source = s.changes().commitSource(commitLsn, Requests.source(ctx));
    List<Change> changes = s.changes().commit(commitLsn, source, VIEW_LIMIT);
    ctx.html(Views.transaction(new Views.TransactionPage(commitLsn, source, changes, changes.size() == VIEW_LIMIT, csrf())));
  }

  /** /transactions/{xid}: a convenience that redirects to the one transaction the xid names (409 when several). */
  void transactionByXid(Context ctx) {
    ctx.redirect(RevertService.transactionPath(Requests.commitOfXid(ctx, s.revert())), io.javalin.http.HttpStatus.SEE_OTHER);
  }

  void context(Context ctx) {
    ContextValue cv = ContextValue.of(ctx, s.json());
    String source = s.changes().contextSource(cv.document(), Requests.source(ctx));
    List<Change> changes = s.changes().withContext(cv.document(), source, VIEW_LIMIT);
    ctx.html(Views.context(new Views.ContextPage(cv.key(), cv.value(), source, changes, changes.size() == VIEW_LIMIT, csrf())));
  }

  void revertPreview(Context ctx) {
    RevertTarget target = s.revert().target(ctx.queryParam("change"), ctx.queryParam("transaction"), ctx.queryParam("context"),
        Requests.source(ctx));
    ctx.html(Views.revert(new Views.RevertPage(s.revert().preview(target), csrf())));
  }

  void revertExecute(Context ctx) {
    RevertTarget target = s.revert().target(ctx.formParam("change"), ctx.formParam("transaction"), ctx.formParam("context"),
        Requests.source(ctx));
    if (!"yes".equals(ctx.formParam("confirm"))) {
      throw new BadRequestException("Tick the confirmation box to execute a revert");
    }
    boolean force = Requests.yes("force", ctx.formParam("force"));
    RevertService.ExecutionResult result = s.revert().execute(target, Requests.plan(ctx.formParam("plan")),
        Requests.optionalInt("confirmChanges", ctx.formParam("confirmChanges")), force);
    ctx.html(Views.revertDone(new Views.RevertDonePage(RevertService.describe(target), result, csrf())));
  }

  void restorePreview(Context ctx) {
    java.util.List<String> tables = Requests.tables(ctx);
    Instant at = Requests.restoreInstant(ctx, s.clock().instant());
    String source = Requests.restoreSource(ctx, s.changes(), tables);
    var plan = tables.isEmpty() || at == null ? Optional.<io.bemi.dashboard.restore.RestoreService.Plan>empty()
        : Optional.of(s.restore().preview(tables, at, source));
    ctx.html(Views.restore(new Views.RestorePage(tables, ctx.queryParam("at"), source, plan, knownTables(), csrf())));
  }

  /** Roll forward: the statement replaying a range, transaction or context, for another database (never run here). */
  void replayPreview(Context ctx) {
    var selection = Requests.replaySelection(ctx, s.revert(), s.changes(), s.clock().instant());
    ctx.html(Views.replay(new Views.ReplayPage(ctx.queryParam("from"), ctx.queryParam("to"), Requests.tables(ctx),
        selection.map(ReplayService.Selection::source).orElse(Requests.source(ctx)), selection.map(s.replay()::preview),
        knownTables(), csrf())));
  }

  /** The tables to choose from, and the sources when there are several (a page offers them only then). */
  private Views.KnownTables knownTables() {
    return new Views.KnownTables(s.changes().tables(), s.changes().tableSources(List.of()));
  }

  void restoreExecute(Context ctx) {
    if (!"yes".equals(ctx.formParam("confirm"))) {
      throw new BadRequestException("Tick the confirmation box to execute a restore");
    }
    java.util.List<String> tables = Requests.tables(ctx);
    Instant at = Requests.restoreInstant(ctx, s.clock().instant());
    String source = Requests.restoreSource(ctx, s.changes(), tables);
    var result = s.restore().execute(tables, at, source, Requests.plan(ctx.formParam("plan")),
        Requests.yes("force", ctx.formParam("force")));
    ctx.html(Views.restoreDone(new Views.RestoreDonePage(tables, at, result, csrf())));
  }

  void activity(Context ctx) {
    Instant now = s.clock().instant();
    Activity.Report report = s.activity().report(Activity.Window.parse(ctx.queryParam("window")), Requests.source(ctx), now);
    ctx.html(Views.activity(new Views.ActivityPage(report, s.changes().newest(), s.ingesterMetrics().read(), now, csrf())));
  }

  private String csrf() {
    return s.security().csrfToken();
  }
}

package io.bemi.dashboard.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bemi.dashboard.changes.Activity;
import io.bemi.dashboard.changes.BadRequestException;
import io.bemi.dashboard.changes.ChangeFilter;
import io.bemi.dashboard.changes.ChangeRepository;
import io.bemi.dashboard.changes.Instants;
import io.bemi.dashboard.changes.RecordKey;
import io.bemi.dashboard.changes.SeveralSourcesException;
import io.bemi.dashboard.health.IngesterMetricsReader;
import io.bemi.dashboard.restore.ReplayService;
import io.bemi.dashboard.restore.RestoreService;
import io.bemi.dashboard.revert.RevertPlan;
import io.bemi.dashboard.revert.RevertService;
import io.bemi.dashboard.revert.RevertTarget;
import io.bemi.history.Change;
import io.bemi.history.Operation;
import io.bemi.sql.Lsn;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The JSON API under /api: the same queries as the pages, as JSON (documented in docs/dashboard.md). */
final class ApiController {

  private static final int VIEW_LIMIT = 1000;

  private final Services s;
  private final Export export;

  ApiController(Services services) {
    this.s = services;
    this.export = new Export(services.changes(), services.json());
  }

  void changes(Context ctx) {
    ChangeFilter filter = Requests.filter(ctx, s.clock().instant());
    int limit = Requests.limit(ctx);
    ChangeRepository.Page page = s.changes().page(filter, Requests.cursor(ctx), limit);
    ObjectNode body = s.json().createObjectNode();
    body.set("filter", s.json().valueToTree(filter.toParams()));
    body.set("changes", ApiJson.changes(page.changes(), false));
    body.put("next", page.next() == null ? null : page.next().encode());
    send(ctx, body);
  }

  void export(Context ctx) throws IOException {
    ChangeFilter filter = Requests.filter(ctx, s.clock().instant());
    Export.Format format = Export.Format.parse(ctx.queryParam("format"));
    ctx.contentType(format.contentType);
    ctx.header("Content-Disposition", "attachment; filename=\"bemi-changes." + format.extension + "\"");
    export.write(filter, format, ctx.outputStream());
  }

  void change(Context ctx) {
    Change change = s.changes().find(Requests.uuidPath(ctx, "id"))
        .orElseThrow(() -> new WebErrors.NotFound("No change " + ctx.pathParam("id")));
    send(ctx, ApiJson.change(change, true));
  }

  void tables(Context ctx) {
    ObjectNode body = s.json().createObjectNode();
    ArrayNode tables = body.putArray("tables");
    s.changes().tables().forEach(tables::add);
    send(ctx, body);
  }

  void history(Context ctx) {
    RecordKey record = s.changes().record(Requests.record(ctx));
    ObjectNode body = recordNode(record);
    ChangeRepository.Page page = s.changes().history(record, Requests.cursor(ctx), Requests.historyLimit(ctx));
    List<Change> history = page.changes();
    body.set("changes", ApiJson.changes(history, true));
    body.set("gaps", ApiJson.gaps(s.gaps().forHistory(history), history));
    body.put("next", page.next() == null ? null : page.next().encode());
    send(ctx, body);
  }

  void asOf(Context ctx) {
    RecordKey record = s.changes().record(Requests.record(ctx));
    Instant at = Instants.parse("at", Requests.required(ctx, "at"), s.clock().instant());
    ChangeRepository.AsOf asOf = s.changes().asOf(record, at);
    ObjectNode body = recordNode(record);
    body.put("at", at.toString());
    body.put("exists", asOf.state() != null);
    body.set("state", asOf.state());
    body.put("lastChangeId", asOf.lastChange().map(c -> c.id().toString()).orElse(null));
    body.put("lastChangeAt", asOf.lastChange().map(c -> c.committedAt().toString()).orElse(null));
    send(ctx, body);
  }

  /** /api/transactions/{hi}/{lo}: the transaction committed at that LSN, of the request's source (or the only one there). */
  void transaction(Context ctx) {
    long commitLsn = Requests.commitLsn(ctx);
    String source = s.changes().commitSource(commitLsn, Requests.source(ctx));
    List<Change> changes = s.changes().commit(commitLsn, source, VIEW_LIMIT);
    if (changes.isEmpty()) {
      throw new WebErrors.NotFound("No changes stored for the transaction committed at " + Lsn.text(commitLsn)
          + (source == null ? "" : " by source " + SeveralSourcesException.quoted(source)));
    }
    ObjectNode body = s.json().createObjectNode();
    body.put("commitLsn", Lsn.text(commitLsn));
    body.put("source", source);
    body.put("transactionId", changes.get(0).transactionId());
    body.put("truncated", changes.size() == VIEW_LIMIT);
    body.set("changes", ApiJson.changes(changes, true));
    send(ctx, body);
  }

  /** /api/transactions/{xid}: a convenience that answers for the one transaction the xid names (409 when several). */
  void transactionByXid(Context ctx) {
    ctx.redirect("/api" + RevertService.transactionPath(Requests.commitOfXid(ctx, s.revert())), io.javalin.http.HttpStatus.SEE_OTHER);
  }

  void context(Context ctx) {
    ContextValue cv = ContextValue.of(ctx, s.json());
    String source = s.changes().contextSource(cv.document(), Requests.source(ctx));
    List<Change> changes = s.changes().withContext(cv.document(), source, VIEW_LIMIT);
    ObjectNode body = s.json().createObjectNode();
    body.set("context", s.json().createObjectNode().set(cv.key(), cv.value()));
    body.put("source", source);
    body.put("truncated", changes.size() == VIEW_LIMIT);
    body.set("changes", ApiJson.changes(changes, true));
    send(ctx, body);
  }

  void revertPreview(Context ctx) {
    RevertTarget target = s.revert().target(ctx.queryParam("change"), ctx.queryParam("transaction"), ctx.queryParam("context"),
        Requests.source(ctx));
    RevertPlan plan = s.revert().preview(target);
    ObjectNode body = s.json().createObjectNode();
    body.put("target", RevertService.describe(target));
    body.put("source", target.source());
    body.put("plan", plan.digest());
    body.put("changeCount", plan.changeCount());
    body.put("conflictCount", plan.conflictCount());
    body.put("needsCountConfirmation", plan.needsCountConfirmation());
    body.put("sql", plan.sql());
    body.put("forced", plan.forced());
    body.put("executable", plan.executable());
    body.put("reason", plan.unavailableReason());
    body.put("truncated", plan.truncated());
    ArrayNode steps = body.putArray("steps");
    for (RevertPlan.Step step : plan.steps()) {
      ObjectNode n = steps.addObject();
      n.put("changeId", step.change().id().toString());
      n.put("action", step.action());
      n.put("conflict", step.conflict());
      n.put("conflictReason", step.conflictReason());
      n.set("change", ApiJson.change(step.change(), false));
    }
    send(ctx, body);
  }

  void revertExecute(Context ctx) {
    RevertTarget target = s.revert().target(param(ctx, "change"), param(ctx, "transaction"), param(ctx, "context"),
        Requests.source(ctx));
    if (!"yes".equals(param(ctx, "confirm"))) {
      throw new BadRequestException("confirm=yes is required to execute a revert");
    }
    RevertService.ExecutionResult result = s.revert().execute(target, Requests.plan(param(ctx, "plan")),
        Requests.optionalInt("confirmChanges", param(ctx, "confirmChanges")), Requests.yes("force", param(ctx, "force")));
    ObjectNode body = s.json().createObjectNode();
    body.put("reverted", RevertService.describe(target));
    body.put("plan", param(ctx, "plan"));
    body.put("changes", result.changesReverted());
    body.put("forced", result.forced());
    try {
      body.set("context", s.json().readTree(result.context()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    send(ctx, body);
  }

  void restorePreview(Context ctx) {
    List<String> tableNames = Requests.tables(ctx);
    RestoreService.Plan plan = s.restore().preview(tableNames, Requests.restoreInstant(ctx, s.clock().instant()),
        Requests.restoreSource(ctx, s.changes(), tableNames));
    ObjectNode body = s.json().createObjectNode();
    ArrayNode tables = body.putArray("tables");
    plan.tables().forEach(tables::add);
    body.put("at", plan.at().toString());
    body.put("source", plan.source());
    body.put("plan", plan.digest());
    ArrayNode counts = body.putArray("counts");
    plan.counts().forEach(c -> counts.addObject().put("schema", c.schema()).put("table", c.table())
        .put("inserts", c.inserts()).put("updates", c.updates()).put("deletes", c.deletes()));
    body.put("rows", plan.total());
    body.put("sql", plan.sql());
    body.put("executable", plan.executable());
    body.put("reason", plan.unavailableReason());
    send(ctx, body);
  }

  void replayPreview(Context ctx) {
    ReplayService.Plan plan = s.replay().preview(Requests.replaySelection(ctx, s.revert(), s.changes(), s.clock().instant())
        .orElseThrow(() -> new BadRequestException("give from and to (a time range, optionally with table), or one of"
            + " transaction (a commit LSN), context (a JSON object) or change (a change id)")));
    ObjectNode body = s.json().createObjectNode();
    body.put("selection", plan.selection().describe());
    body.put("source", plan.selection().source());
    ArrayNode counts = body.putArray("counts");
    plan.counts().forEach(c -> counts.addObject().put("schema", c.schema()).put("table", c.table())
        .put("inserts", c.inserts()).put("updates", c.updates()).put("deletes", c.deletes()).put("truncates", c.truncates()));
    body.put("changes", plan.total());
    body.put("sql", plan.sql());
    body.put("reason", plan.unavailableReason());
    send(ctx, body);
  }

  void restoreExecute(Context ctx) {
    if (!"yes".equals(param(ctx, "confirm"))) {
      throw new BadRequestException("confirm=yes is required to execute a restore");
    }
    List<String> tables = Requests.tables(ctx);
    RestoreService.Result result = s.restore().execute(tables, Requests.restoreInstant(ctx, s.clock().instant()),
        Requests.restoreSource(ctx, s.changes(), tables), Requests.plan(param(ctx, "plan")),
        Requests.yes("force", param(ctx, "force")));
    ObjectNode body = s.json().createObjectNode();
    body.put("plan", param(ctx, "plan"));
    body.put("rows", result.rows());
    body.put("forced", result.forced());
    send(ctx, body);
  }

  void activity(Context ctx) {
    Activity.Report r = s.activity().report(Activity.Window.parse(ctx.queryParam("window")), Requests.source(ctx),
        s.clock().instant());
    ObjectNode body = s.json().createObjectNode();
    body.put("window", r.window().label);
    body.put("source", r.source());
    body.put("from", r.from().toString());
    body.put("to", r.to().toString());
    body.put("bucketSeconds", r.window().bucket.toSeconds());
    body.put("total", r.total());
    ArrayNode buckets = body.putArray("buckets");
    r.buckets().forEach(b -> buckets.add(b.toString()));
    ObjectNode byTable = body.putObject("byTable");
    r.byTable().forEach((t, series) -> series(byTable.putArray(t), series));
    ObjectNode byOperation = body.putObject("byOperation");
    r.byOperation().forEach((Operation op, long[] series) -> series(byOperation.putArray(op.name()), series));
    ArrayNode top = body.putArray("topContext");
    r.topContext().forEach(v -> top.addObject().put("key", v.key()).put("value", v.value()).put("changes", v.changes()));
    send(ctx, body);
  }

  void health(Context ctx) {
    ObjectNode body = s.json().createObjectNode();
    Optional<Change> newest = s.changes().newest();
    body.put("newestCommittedAt", newest.map(c -> c.committedAt().toString()).orElse(null));
    body.put("newestStoredAt", newest.map(c -> c.createdAt().toString()).orElse(null));
    IngesterMetricsReader.Snapshot metrics = s.ingesterMetrics().read();
    ObjectNode m = body.putObject("ingester");
    m.put("url", metrics.url());
    m.put("problem", metrics.problem());
    ArrayNode samples = m.putArray("samples");
    metrics.samples().forEach(x -> samples.addObject().put("name", x.name()).put("labels", x.labels()).put("value", x.value()));
    send(ctx, body);
  }

  private ObjectNode recordNode(RecordKey record) {
    ObjectNode body = s.json().createObjectNode();
    ObjectNode r = body.putObject("record");
    r.put("schema", record.schema());
    r.put("table", record.table());
    r.put("primaryKey", record.primaryKey());
    r.put("source", record.source());
    return body;
  }


  private static void series(ArrayNode array, long[] values) {
    for (long v : values) {
      array.add(v);
    }
  }

  private static String param(Context ctx, String name) {
    String q = ctx.queryParam(name);
    return q != null ? q : ctx.isFormUrlencoded() ? ctx.formParam(name) : null;
  }

  private void send(Context ctx, JsonNode body) {
    try {
      ctx.contentType("application/json").result(s.json().writeValueAsString(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package io.bemi.dashboard.web.html;

import static io.bemi.dashboard.web.html.Html.each;
import static io.bemi.dashboard.web.html.Html.html;
import static io.bemi.dashboard.web.html.Html.q;
import static io.bemi.dashboard.web.html.Html.when;
import static io.bemi.dashboard.web.html.Layout.badge;
import static io.bemi.dashboard.web.html.Layout.diff;
import static io.bemi.dashboard.web.html.Layout.time;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.bemi.dashboard.changes.Activity;
import io.bemi.dashboard.changes.ChangeFilter;
import io.bemi.dashboard.changes.ChangeRepository;
import io.bemi.dashboard.changes.ColumnDiff;
import io.bemi.dashboard.changes.ContextCondition;
import io.bemi.dashboard.changes.RecordKey;
import io.bemi.dashboard.changes.SeveralSourcesException;
import io.bemi.dashboard.changes.StoredJson;
import io.bemi.dashboard.gaps.Gap;
import io.bemi.dashboard.health.IngesterMetricsReader;
import io.bemi.dashboard.restore.ReplayService;
import io.bemi.dashboard.restore.RestoreService;
import io.bemi.dashboard.revert.RevertPlan;
import io.bemi.dashboard.revert.RevertService;
import io.bemi.dashboard.web.html.Layout.Nav;
import io.bemi.history.Change;
import io.bemi.history.Operation;
import io.bemi.sql.Lsn;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every page of the dashboard, each rendered from its typed model. */
public final class Views {

  private Views() {}

  // ---------------------------------------------------------------- page models

  public record ChangesPage(ChangeFilter filter, List<Change> changes, String nextUrl, List<String> tables, String csrf) {}

  /**
   * {@code history} one page of the record's changes, oldest first; {@code gaps} those of its source
   * database from the page's first change on (GapRepository); {@code olderQuery} the query
   * parameters of the page before it (null: none).
   */
  public record RecordPage(RecordKey record, List<Change> history, List<Gap> gaps, String asOfText,
      Optional<ChangeRepository.AsOf> asOf, String olderQuery, String csrf) {}

  /** {@code source} the transaction's source (null: nothing stored at that LSN). */
  public record TransactionPage(long commitLsn, String source, List<Change> changes, boolean truncated, String csrf) {}

  public record ContextPage(String key, JsonNode value, String source, List<Change> changes, boolean truncated, String csrf) {}

  /** Several sources match what the request names: {@code message} says so, each link leads to one source's view. */
  public record SourceChoicePage(String message, List<SourceLink> choices, String csrf) {}

  /** One source to choose; {@code detail} what it holds there (null: nothing more to say). */
  public record SourceLink(String source, String detail, String url) {}

  /** The tables (schema.table) to choose from, and the sources of the destination (offered only when several). */
  public record KnownTables(List<String> tables, List<String> sources) {}

  public record RevertPage(RevertPlan plan, String csrf) {
    static final String MAX_HINT = "the configured --revert-max-changes";
  }

  public record RevertDonePage(String target, RevertService.ExecutionResult result, String csrf) {}

  public record ReplayPage(String fromText, String toText, List<String> tables, String source, Optional<ReplayService.Plan> plan,
      KnownTables known, String csrf) {}

  public record RestorePage(List<String> tables, String atText, String source, Optional<RestoreService.Plan> plan,
      KnownTables known, String csrf) {}

  public record RestoreDonePage(List<String> tables, Instant at, RestoreService.Result result, String csrf) {}

  public record ActivityPage(Activity.Report report, Optional<Change> newest, IngesterMetricsReader.Snapshot metrics,
      Instant now, String csrf) {}

  public record SignInPage(String next, String error) {}

  // ---------------------------------------------------------------- pages

  public static String changes(ChangesPage p) {
    ChangeFilter f = p.filter();
    String query = f.toQueryString();
    List<String> conditions = new ArrayList<>(f.context().stream().map(ContextCondition::toString).toList());
    conditions.add("");
    SafeHtml form = html("""
        <form class="filters" method="get" action="/">
          <label>Table<input name="table" list="tables" value="{}" placeholder="public.orders" autocomplete="off"></label>
          <datalist id="tables">{}</datalist>
          <label>Primary key<input name="pk" value="{}" placeholder="42"></label>
          <label>From<input name="from" value="{}" placeholder="-24h or 2024-01-02T03:04Z"></label>
          <label>To<input name="to" value="{}" placeholder="now"></label>
          <fieldset class="ops"><legend>Operation</legend>{}</fieldset>
          <fieldset class="ctx"><legend>Context</legend>{}</fieldset>{}
          <div class="actions">
            <button type="submit" class="primary">Apply filters</button>
            <a class="button" href="/">Clear</a>
            <span class="spacer"></span>
            <a class="button" href="/api/changes/export?{}" download>Export CSV</a>
            <a class="button" href="/api/changes/export?{}" download>Export JSON</a>
          </div>
        </form>""",
        nz(f.qualifiedTable()), each(p.tables(), t -> html("<option value=\"{}\">", t)), nz(f.primaryKey()),
        f.from() == null ? "" : f.from().toString(), f.to() == null ? "" : f.to().toString(),
        each(List.of(Operation.values()), op -> html("<label class=\"check\"><input type=\"checkbox\" name=\"op\" value=\"{}\"{}> {}</label>",
            op.name(), new SafeHtml(f.operations().contains(op) ? " checked" : ""), badge(op))),
        each(conditions, c -> html("<input name=\"context\" value=\"{}\" placeholder=\"userId = 42 · endpoint contains /orders\">", c)),
        sourceField(f.source()),
        join("format=csv", query), join("format=json", query));
    SafeHtml list = p.changes().isEmpty()
        ? html("<p class=\"empty\">No changes match these filters.</p>")
        : html("<div class=\"changes\">{}</div>", each(p.changes(), c -> changeCard(c, false)));
    SafeHtml pager = html("<nav class=\"pager\">{}{}</nav>",
        when(!query.isEmpty() || p.nextUrl() != null, html("<a class=\"button\" href=\"/?{}\">Newest</a>", query)),
        p.nextUrl() == null ? html("<span class=\"muted\">End of results</span>")
            : html("<a class=\"button primary\" rel=\"next\" href=\"{}\">Older changes →</a>", p.nextUrl()));
    SafeHtml body = html("<h1>Changes</h1>{}<p class=\"muted summary\">{} shown, newest first{}</p>{}{}",
        form, p.changes().size(), f.isEmpty() ? "" : " · filtered", list, pager);
    return Layout.page("Changes", Nav.CHANGES, p.csrf(), body);
  }

  public static String record(RecordPage p) {
    RecordKey r = p.record();
    String recordQuery = "schema=" + q(r.schema()) + "&table=" + q(r.table()) + "&pk=" + q(r.primaryKey()) + ofSource(r.source());
    SafeHtml asOf;
    if (p.asOf().isEmpty()) {
      asOf = html("<p class=\"muted\">Choose an instant to see the record as it was then.</p>");
    } else {
      ChangeRepository.AsOf a = p.asOf().get();
      SafeHtml last = a.lastChange().isEmpty() ? html("no change stored before then")
          : html("last change {} at {}", badge(a.lastChange().get().operation()), time(a.lastChange().get().committedAt()));
      asOf = a.state() == null
          ? html("<p id=\"as-of-summary\">As of {} the record did not exist ({}).</p>", time(a.at()), last)
          : html("<p id=\"as-of-summary\">As of {} the record was ({}):</p><div class=\"state\" id=\"as-of-state\">{}</div>",
              time(a.at()), last, JsonView.render(a.state()));
      asOf = html("{}<p><a class=\"button small\" href=\"/restore?table={}&amp;at={}{}\">Restore the whole table to this instant…</a></p>",
          asOf, q(r.qualifiedTable()), q(a.at().toString()), ofSource(r.source()));
    }
    SafeHtml timeline = p.history().isEmpty()
        ? html("<p class=\"empty\">No changes stored for this record.</p>")
        : html("<ol class=\"timeline\">{}</ol>", each(reversed(timelineEvents(p.history(), p.gaps(), r.primaryKey())), e -> e));
    SafeHtml pager = when(p.olderQuery() != null,
        html("<nav class=\"pager\"><a class=\"button primary\" rel=\"next\" href=\"/record?{}&amp;{}\">Older changes →</a></nav>",
            recordQuery, p.olderQuery()));
    SafeHtml body = html("""
        <p class="crumbs"><a href="/?table={}{}">{}</a></p>
        <h1>Record <code>{}</code> <span class="muted">in</span> <code>{}</code>{}</h1>
        <section class="card">
          <h2>As of</h2>
          <form class="asof" method="get" action="/record">
            <input type="hidden" name="schema" value="{}"><input type="hidden" name="table" value="{}"><input type="hidden" name="pk" value="{}">{}
            <label>Instant<input name="at" value="{}" placeholder="2024-01-02T03:04:05Z or -1h"></label>
            <button type="submit" class="primary">Show state</button>
          </form>
          {}
        </section>
        <section>
          <h2>Timeline <span class="muted">({} changes{}, newest first)</span> <a class="small" href="/api/records/history?{}">JSON</a></h2>
          {}{}
        </section>""",
        q(r.qualifiedTable()), ofSource(r.source()), r.qualifiedTable(), r.primaryKey(), r.qualifiedTable(), sourceTitle(r.source()),
        r.schema(), r.table(), r.primaryKey(), sourceField(r.source()), nz(p.asOfText()), asOf,
        p.history().size(), p.gaps().isEmpty() ? "" : ", " + p.gaps().size() + (p.gaps().size() == 1 ? " gap" : " gaps"),
        recordQuery, timeline, pager);
    return Layout.page("Record " + r.primaryKey(), Nav.NONE, p.csrf(), body);
  }

  public static String transaction(TransactionPage p) {
    String lsn = Lsn.text(p.commitLsn());
    SafeHtml body = p.changes().isEmpty()
        ? html("<h1>Transaction {}</h1><p class=\"empty\">No changes stored for the transaction committed at this LSN{}.</p>",
            lsn, p.source() == null ? "" : " by source " + SeveralSourcesException.quoted(p.source()))
        : html("""
            <h1>Transaction <code>{}</code>{}</h1>
            <p class="summary">{} changes{} · committed {} · commit LSN <code>{}</code> · xid {}
              <a class="button" href="/revert?transaction={}{}">Preview revert…</a>
              <a class="small" href="/api/transactions/{}{}">JSON</a></p>
            <div class="changes">{}</div>""",
            lsn, sourceTitle(p.source()), p.changes().size(), p.truncated() ? " (first ones shown)" : "",
            time(p.changes().get(0).committedAt()), lsn, p.changes().get(0).transactionId(),
            lsn, ofSource(p.source()), lsn, onlySource(p.source()), each(p.changes(), c -> changeCard(c, false)));
    return Layout.page("Transaction " + lsn, Nav.NONE, p.csrf(), body);
  }

  public static String context(ContextPage p) {
    String doc = JsonNodeFactory.instance.objectNode().set(p.key(), p.value()).toString();
    SafeHtml body = html("""
        <h1>Context <code>{}</code> = <code>{}</code>{}</h1>
        <p class="summary">{} changes{} across {} tables, newest first
          <a class="button" href="/revert?context={}{}">Preview revert…</a>
          <a class="small" href="/api/context?key={}&amp;value={}{}">JSON</a></p>
        {}""",
        p.key(), p.value().toString(), sourceTitle(p.source()), p.changes().size(), p.truncated() ? " (newest ones shown)" : "",
        p.changes().stream().map(Change::qualifiedTable).distinct().count(), q(doc), ofSource(p.source()), q(p.key()),
        q(p.value().toString()), ofSource(p.source()),
        p.changes().isEmpty() ? html("<p class=\"empty\">No changes carry this context value.</p>")
            : html("<div class=\"changes\">{}</div>", each(p.changes(), c -> changeCard(c, false))));
    return Layout.page("Context " + p.key(), Nav.NONE, p.csrf(), body);
  }

  public static String revert(RevertPage p) {
    RevertPlan plan = p.plan();
    SafeHtml conflictNote = plan.hasConflicts()
        ? html("<p class=\"alert warn\" id=\"conflicts\">{} of {} changes conflict: their record changed again later."
            + " The SQL below was generated with force and overwrites those later changes.</p>", plan.conflictCount(), plan.changeCount())
        : html("<p class=\"alert ok\" id=\"conflicts\">No conflicts known: no record changed again after these changes."
            + " The statement re-checks every row on the source when it runs.</p>");
    SafeHtml sql = plan.sql() == null
        ? html("<p class=\"alert warn\">{}</p>", nz(plan.unavailableReason()))
        : html("<pre class=\"sql\" id=\"revert-sql\">{}</pre>{}", plan.sql(),
            when(plan.unavailableReason() != null, html("<p class=\"alert\" id=\"revert-note\">{}</p>", nz(plan.unavailableReason()))));
    SafeHtml execute = !plan.executable() ? SafeHtml.EMPTY : html("""
        <form class="card danger" method="post" action="/revert">
          <input type="hidden" name="csrf" value="{}">
          <input type="hidden" name="{}" value="{}">{}
          <input type="hidden" name="plan" value="{}">
          <label class="check"><input type="checkbox" name="confirm" value="yes" required> I have read the SQL above and want to run it on the source database.</label>
          {}
          {}
          <button type="submit" class="danger">Execute revert</button>
          <p class="muted small">Plan <code>{}</code>: if the target selects other changes by the time you execute, nothing runs.</p>
        </form>""",
        p.csrf(), plan.target().parameterName(), plan.target().parameterValue(), sourceField(plan.target().source()), plan.digest(),
        when(plan.hasConflicts(), html("<label class=\"check\"><input type=\"checkbox\" name=\"force\" value=\"yes\" required> Overwrite the later changes (force)</label>")),
        when(plan.needsCountConfirmation(), html("<label class=\"check\"><input type=\"checkbox\" name=\"confirmChanges\" value=\"{}\" required>"
            + " Revert all {} changes (more than {})</label>", plan.changeCount(), plan.changeCount(), RevertPage.MAX_HINT)),
        plan.digest().substring(0, 12));
    SafeHtml steps = each(plan.steps(), step -> html("<div class=\"step\">{}{}</div>",
        html("<p class=\"step-note\">{}{}</p>", step.action(),
            step.conflict() ? html(" · <span class=\"flag\">conflict</span> {}", nz(step.conflictReason()))
                : step.conflictReason() == null ? SafeHtml.EMPTY : html(" · <span class=\"muted\">{}</span>", step.conflictReason())),
        changeCard(step.change(), step.conflict())));
    SafeHtml body = html("""
        <h1>Revert {}</h1>
        {}
        <section><h2>SQL to run on the source</h2>{}</section>
        {}
        <section><h2>Steps <span class="muted">({}, newest change first{})</span></h2>
        <div class="changes">{}</div></section>""",
        RevertService.describe(plan.target()), conflictNote, sql, execute, plan.changeCount(),
        plan.truncated() ? "; only the first ones are listed, the SQL covers every change" : "", steps);
    return Layout.page("Revert", Nav.NONE, p.csrf(), body);
  }

  public static String revertDone(RevertDonePage p) {
    SafeHtml body = html("""
        <h1>Reverted {}</h1>
        <p class="alert ok" id="revert-done">{} changes reverted on the source in one statement{}.
        The revert's own changes are recorded with the context <code>revertOf</code> naming what was reverted, plus <code>{}</code>.</p>
        <p><a class="button" href="/">Back to changes</a></p>""",
        p.target(), p.result().changesReverted(), p.result().forced() ? " (forced over later changes)" : "", p.result().context());
    return Layout.page("Reverted", Nav.NONE, p.csrf(), body);
  }

  public static String restore(RestorePage p) {
    SafeHtml choose = html("""
        <form class="card asof" method="get" action="/restore">
          <label>Tables{}</label>
          <label>Instant<input name="at" value="{}" placeholder="2024-01-02T03:04:05Z or -1h" required></label>
          {}
          <button type="submit" class="primary">Preview restore</button>
        </form>""",
        tableSelect(p.known().tables(), p.tables(), true), p.atText() == null ? "" : p.atText(), sourceSelect(p.known(), p.source()));
    SafeHtml preview = p.plan().isEmpty() ? html("<p class=\"muted\">Choose the tables and the instant to bring them back to.</p>")
        : restorePlan(p.plan().get(), p.csrf());
    SafeHtml body = html("""
        <h1>Restore tables to an instant</h1>
        <p class="muted">The statement brings the tables back to exactly what they held at the instant: it inserts, updates
        and deletes the rows that changed since, parents before children, and checks every row first.</p>
        {}
        {}""", choose, preview);
    return Layout.page("Restore", Nav.NONE, p.csrf(), body);
  }

  /**
   * Which source's changes to read, when the destination has several (none: the only one, and the
   * form stays as it was with one source); a source the request named is kept either way.
   */
  private static SafeHtml sourceSelect(KnownTables known, String selected) {
    if (known.sources().size() < 2) {
      return sourceField(selected);
    }
    return html("<label>Source<select name=\"source\" required><option value=\"\" disabled{}>choose…</option>{}</select></label>",
        new SafeHtml(selected == null ? " selected" : ""),
        each(known.sources(), s -> html("<option value=\"{}\"{}>{}</option>", s, new SafeHtml(s.equals(selected) ? " selected" : ""),
            sourceName(s))));
  }

  /** A multiple select of the known tables, the given ones selected. */
  private static SafeHtml tableSelect(List<String> knownTables, List<String> selected, boolean required) {
    return html("<select name=\"table\" multiple size=\"{}\"{}>{}</select>", Math.min(8, Math.max(2, knownTables.size())),
        new SafeHtml(required ? " required" : ""),
        each(knownTables, t -> html("<option value=\"{}\"{}>{}</option>", t, new SafeHtml(selected.contains(t) ? " selected" : ""), t)));
  }

  public static String replay(ReplayPage p) {
    SafeHtml choose = html("""
        <form class="card asof" method="get" action="/replay">
          <label>From<input name="from" value="{}" placeholder="2024-01-02T03:04:05Z or -1h"></label>
          <label>To<input name="to" value="{}" placeholder="2024-01-02T04:00:00Z or -0h"></label>
          <label>Tables <span class="muted small">(none: every table)</span>{}</label>
          {}
          <button type="submit" class="primary">Preview roll forward</button>
        </form>
        <p class="muted small">Or one transaction or context: <code>/replay?transaction=0/16B3748</code>,
        <code>/replay?context={"requestId":"r-1"}</code>.</p>""",
        nz(p.fromText()), nz(p.toText()), tableSelect(p.known().tables(), p.tables(), false), sourceSelect(p.known(), p.source()));
    SafeHtml preview = p.plan().isEmpty() ? html("<p class=\"muted\">Choose the time range whose changes to replay.</p>")
        : replayPlan(p.plan().get());
    SafeHtml body = html("""
        <h1>Roll forward onto another database</h1>
        <p class="muted">The statement replays the recorded changes, in commit order, onto a database with the same schema
        (a test copy of production, say). Every row is checked first: an insert needs its key free, an update or delete the
        row as it was before the change; otherwise nothing changes (BM001). The dashboard never runs it.</p>
        {}
        {}""", choose, preview);
    return Layout.page("Roll forward", Nav.NONE, p.csrf(), body);
  }

  private static SafeHtml replayPlan(ReplayService.Plan plan) {
    SafeHtml counts = each(plan.counts(), c -> html("<tr><td><code>{}.{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        c.schema(), c.table(), c.inserts(), c.updates(), c.deletes(), c.truncates()));
    SafeHtml sql = plan.sql() == null ? html("<p class=\"alert warn\" id=\"replay-note\">{}</p>", nz(plan.unavailableReason()))
        : html("<pre class=\"sql\" id=\"replay-sql\">{}</pre><p class=\"muted small\">Run it on the other database in one"
            + " call (psql, or <code>BemiChanges.apply</code>); its changes are recorded there with the context"
            + " <code>replayOf</code>.</p>", plan.sql());
    return html("""
        <section><h2>Changes <span class="muted">{}: {}</span></h2>
        <table class="counts" id="replay-counts"><tr><th>table</th><th>inserts</th><th>updates</th><th>deletes</th><th>truncates</th></tr>{}</table></section>
        <section><h2>SQL to run on the other database</h2>{}</section>""",
        plan.selection().describe(), plan.total(), counts, sql);
  }

  private static SafeHtml restorePlan(RestoreService.Plan plan, String csrf) {
    SafeHtml counts = each(plan.counts(), c -> html("<tr><td><code>{}.{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
        c.schema(), c.table(), c.inserts(), c.updates(), c.deletes()));
    SafeHtml sql = plan.sql() == null ? html("<p class=\"alert warn\" id=\"restore-note\">{}</p>", nz(plan.unavailableReason()))
        : html("<pre class=\"sql\" id=\"restore-sql\">{}</pre>{}", plan.sql(),
            when(plan.unavailableReason() != null, html("<p class=\"alert\" id=\"restore-note\">{}</p>", nz(plan.unavailableReason()))));
    SafeHtml execute = !plan.executable() ? SafeHtml.EMPTY : html("""
        <form class="card danger" method="post" action="/restore">
          <input type="hidden" name="csrf" value="{}">
          {}{}
          <input type="hidden" name="at" value="{}">
          <input type="hidden" name="plan" value="{}">
          <label class="check"><input type="checkbox" name="confirm" value="yes" required> I have read the SQL above and want to run it on the source database.</label>
          <label class="check"><input type="checkbox" name="force" value="yes"> Overwrite rows that changed on the source after the trail last saw them (force)</label>
          <button type="submit" class="danger">Execute restore</button>
          <p class="muted small">Plan <code>{}</code>: if changes are stored before you execute, nothing runs.</p>
        </form>""",
        csrf, each(plan.tables(), t -> html("<input type=\"hidden\" name=\"table\" value=\"{}\">", t)), sourceField(plan.source()),
        plan.at().toString(),
        nz(plan.digest()), plan.digest() == null ? "" : plan.digest().substring(0, 12));
    return html("""
        <section><h2>Dry run <span class="muted">as of {}: {} rows</span></h2>
        <table class="counts" id="restore-counts"><tr><th>table</th><th>inserts</th><th>updates</th><th>deletes</th></tr>{}</table></section>
        <section><h2>SQL to run on the source</h2>{}</section>
        {}""", time(plan.at()), plan.total(), counts, sql, execute);
  }

  public static String restoreDone(RestoreDonePage p) {
    SafeHtml body = html("""
        <h1>Restored {}</h1>
        <p class="alert ok" id="restore-done">{} rows written on the source in one statement{}: the tables are as they were at {}.
        The restore's own changes are recorded with the context <code>restoreOf</code>.</p>
        <p><a class="button" href="/">Back to changes</a></p>""",
        String.join(", ", p.tables()), p.result().rows(), p.result().forced() ? " (forced)" : "", time(p.at()));
    return Layout.page("Restored", Nav.NONE, p.csrf(), body);
  }

  public static String activity(ActivityPage p) {
    Activity.Report r = p.report();
    Map<String, long[]> byOperation = new java.util.LinkedHashMap<>();
    r.byOperation().forEach((op, series) -> byOperation.put(op.name(), series));
    String windowSource = r.source() == null ? "" : "&source=" + q(r.source()); // '' too: the filter the user chose
    SafeHtml windows = each(List.of(Activity.Window.values()), w -> html("<a class=\"button{}\" href=\"/activity?window={}{}\">{}</a>",
        w == r.window() ? " primary" : "", w.label, windowSource, w.label));
    SafeHtml top = r.topContext().isEmpty() ? html("<p class=\"empty\">No context values in this window.</p>")
        : html("<table class=\"grid-table\"><thead><tr><th>Key</th><th>Value</th><th class=\"num\">Changes</th></tr></thead><tbody>{}</tbody></table>",
            each(r.topContext(), v -> html("<tr><td><code>{}</code></td><td><a href=\"/context?key={}&amp;value={}{}\">{}</a></td><td class=\"num\">{}</td></tr>",
                v.key(), q(v.key()), q(JsonNodeFactory.instance.textNode(v.value()).toString()), ofSource(r.source()), v.value(),
                v.changes())));
    SafeHtml body = html("""
        <h1>Activity</h1>
        <p class="windows">{} <span class="muted">{} changes{} from {} to {}</span></p>
        <section class="card"><h2>Changes by table</h2>{}</section>
        <section class="card"><h2>Changes by operation</h2>{}</section>
        <div class="two">
        <section class="card"><h2>Top context values <span class="muted small">(newest 5,000 changes of the window)</span></h2>{}</section>
        <section class="card"><h2>Ingestion health</h2>{}</section>
        </div>""",
        windows, r.total(), r.source() == null ? "" : " of source " + r.source(), time(r.from()), time(r.to()),
        Charts.stackedBars("Changes by table", r.buckets(), r.byTable()),
        Charts.stackedBars("Changes by operation", r.buckets(), byOperation),
        top, health(p.newest(), p.metrics(), p.now()));
    return Layout.page("Activity", Nav.ACTIVITY, p.csrf(), body);
  }

  public static String chooseSource(SourceChoicePage p) {
    SafeHtml body = html("""
        <h1>Choose a source</h1>
        <p class="alert" id="source-choice">{}</p>
        <ul class="sources" id="sources">{}</ul>
        <p class="muted small">Several source databases ingest into this destination, and their tables, keys, commit LSNs and
        xids can be equal: a record, a transaction or a context is one source's. Links between pages keep the source.</p>""",
        p.message(), each(p.choices(), c -> html("<li><a class=\"button\" href=\"{}\">{}</a>{}</li>", c.url(), sourceName(c.source()),
            c.detail() == null ? SafeHtml.EMPTY : html(" <span class=\"muted\">{}</span>", c.detail()))));
    return Layout.page("Choose a source", Nav.NONE, p.csrf(), body);
  }

  public static String signIn(SignInPage p) {
    SafeHtml body = html("""
        <section class="card signin">
          <h1>Sign in</h1>
          <p class="muted">Paste the dashboard token (printed at start-up, or set with --token / BEMI_DASHBOARD_TOKEN).</p>
          {}
          <form method="post" action="/signin">
            <input type="hidden" name="next" value="{}">
            <label>Token<input type="password" name="token" autocomplete="current-password" required autofocus></label>
            <button type="submit" class="primary">Sign in</button>
          </form>
        </section>""",
        p.error() == null ? SafeHtml.EMPTY : html("<p class=\"alert warn\">{}</p>", p.error()), nz(p.next()));
    return Layout.page("Sign in", Nav.NONE, null, body);
  }

  public static String error(int status, String message, String csrf) {
    SafeHtml body = html("<h1>{}</h1><p class=\"alert warn\" id=\"error\">{}</p><p><a class=\"button\" href=\"/\">Back to changes</a></p>",
        status == 404 ? "Not found" : status == 400 ? "Cannot show that" : "Something went wrong", message);
    return Layout.page("Error", Nav.NONE, csrf, body);
  }

  // ---------------------------------------------------------------- pieces

  /** A record's changes, oldest first, with a marker where each gap falls between them. */
  private static List<SafeHtml> timelineEvents(List<Change> history, List<Gap> gaps, String recordKey) {
    int[] positions = gaps.stream().mapToInt(g -> g.position(history)).toArray();
    List<SafeHtml> events = new ArrayList<>();
    for (int i = 0; i <= history.size(); i++) {
      for (int g = 0; g < positions.length; g++) {
        if (positions[g] == i) {
          events.add(gapMarker(gaps.get(g)));
        }
      }
      if (i < history.size()) {
        events.add(timelineEvent(history.get(i), recordKey));
      }
    }
    return events;
  }

  /** A change of the record under another key (before or after a key update) names that key. */
  private static SafeHtml timelineEvent(Change c, String recordKey) {
    return html("""
        <li class="event">
          <div class="event-head">{} {}{} <a href="/transactions/{}{}">transaction {} (xid {})</a>
            <a class="button small" href="/revert?change={}">Revert…</a></div>
          {}
          {}
        </li>""",
        badge(c.operation()), time(c.committedAt()),
        when(!recordKey.equals(c.primaryKey()), html(" <span class=\"key-moved\">under key <code>{}</code></span>", c.primaryKey())),
        Lsn.text(c.commitLsn()), onlySource(c.source()), Lsn.text(c.commitLsn()),
        c.transactionId(), c.id().toString(),
        contextChips(c), diff(changedOnly(c)));
  }

  /** Never hide a gap: changes of the source in that stretch are not in the trail, this record's included. */
  static SafeHtml gapMarker(Gap g) {
    SafeHtml end = g.open() ? html("now (open)") : html("{} (LSN <code>{}</code>)", time(g.endAt()), Lsn.text(g.endLsn()));
    return html("""
        <li class="gap alert warn" id="gap-{}" role="note">
          <strong>Gap in the trail:</strong> changes between {} (LSN <code>{}</code>) and {} were not captured
          (source failover without a failover slot); run <code>setup --snapshot</code> to re-baseline.
          <div class="muted small">Database <code>{}</code> · slot <code>{}</code> · {} · detected {}</div>
        </li>""",
        g.id(), time(g.startAt()), Lsn.text(g.startLsn()), end, g.sourceDatabase(), g.slot(), g.reason(), time(g.detectedAt()));
  }

  /** One change, collapsed to a summary line; opening it shows the diff and links. */
  static SafeHtml changeCard(Change c, boolean conflict) {
    String recordUrl = c.primaryKey() == null ? null
        : "/record?schema=" + q(c.schema()) + "&table=" + q(c.table()) + "&pk=" + q(c.primaryKey()) + ofSource(c.source());
    List<ColumnDiff> columnDiff = ColumnDiff.of(c);
    List<String> changed = columnDiff.stream().filter(ColumnDiff::changed).map(ColumnDiff::column).toList();
    String columns = c.operation() == Operation.UPDATE ? String.join(", ", changed) : changed.size() + " columns";
    return html("""
        <details class="change{}" id="change-{}">
          <summary>
            <span class="when">{}</span>
            {}
            <span class="table">{}</span>
            <span class="pk">{}</span>
            <span class="cols muted">{}</span>
            {}
            {}
          </summary>
          <div class="change-body">
            <p class="links">
              {}
              <a href="/transactions/{}{}">Transaction {}</a>
              <a href="/revert?change={}">Preview revert…</a>
              <a href="/api/changes/{}">JSON</a>
              <span class="muted">id <code>{}</code> · LSN <code>{}</code> · stored {}</span>
            </p>
            {}
          </div>
        </details>""",
        conflict ? " conflict" : "", c.id().toString(), time(c.committedAt()), badge(c.operation()), c.qualifiedTable(),
        c.primaryKey() == null ? html("<span class=\"muted\">no key</span>") : html("<code>{}</code>", c.primaryKey()),
        columns, contextChips(c), when(conflict, html("<span class=\"flag\">conflict</span>")),
        recordUrl == null ? SafeHtml.EMPTY : html("<a href=\"{}\">Record timeline</a>", recordUrl),
        Lsn.text(c.commitLsn()), onlySource(c.source()), Lsn.text(c.commitLsn()), c.id().toString(), c.id().toString(), c.id().toString(),
        Lsn.text(c.position()), time(c.createdAt()), diff(columnDiff));
  }

  /** A change's context fields as chips linking to the context view in its source (scalars) or showing nested JSON. */
  static SafeHtml contextChips(Change change) {
    JsonNode context = StoredJson.context(change);
    if (context == null || context.isEmpty()) {
      return SafeHtml.EMPTY;
    }
    StringBuilder chips = new StringBuilder();
    Iterator<Map.Entry<String, JsonNode>> it = context.properties().iterator();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      String shown = v.isTextual() ? v.textValue() : v.toString();
      if (shown.length() > 60) {
        shown = shown.substring(0, 57) + "…";
      }
      chips.append(v.isContainerNode()
          ? html("<span class=\"chip\"><b>{}</b> {}</span>", e.getKey(), shown).html()
          : html("<a class=\"chip\" href=\"/context?key={}&amp;value={}{}\"><b>{}</b> {}</a>",
              q(e.getKey()), q(v.toString()), ofSource(change.source()), e.getKey(), shown).html());
    }
    return html("<span class=\"chips\">{}</span>", new SafeHtml(chips.toString()));
  }

  private static SafeHtml health(Optional<Change> newest, IngesterMetricsReader.Snapshot metrics, Instant now) {
    SafeHtml stored = newest.isEmpty() ? html("<p class=\"muted\">No change stored yet.</p>") : html("""
        <dl class="facts">
          <dt>Newest change committed</dt><dd>{}</dd>
          <dt>Stored</dt><dd>{}</dd>
          <dt>Commit → stored</dt><dd>{}</dd>
          <dt>Since newest commit</dt><dd>{}</dd>
        </dl>""",
        time(newest.get().committedAt()), time(newest.get().createdAt()),
        human(Duration.between(newest.get().committedAt(), newest.get().createdAt())),
        human(Duration.between(newest.get().committedAt(), now)));
    SafeHtml ingester;
    if (!metrics.configured() || metrics.problem() != null) {
      ingester = html("<p class=\"muted\" id=\"ingester-metrics\">Ingester metrics: {}</p>", metrics.problem());
    } else {
      List<IngesterMetricsReader.Sample> shown = metrics.lag().isEmpty() ? metrics.samples()
          : java.util.stream.Stream.of(metrics.leadership(), metrics.lag(), metrics.setupChecks())
              .flatMap(List::stream).toList();
      ingester = html("<table class=\"grid-table\" id=\"ingester-metrics\"><thead><tr><th>Ingester metric</th><th class=\"num\">Value</th></tr></thead><tbody>{}</tbody></table>",
          each(shown.subList(0, Math.min(20, shown.size())), s -> html("<tr><td><code>{}</code> <span class=\"muted\">{}</span></td><td class=\"num\">{}</td></tr>",
              s.name(), s.labels(), s.value() == Math.rint(s.value()) ? String.valueOf((long) s.value()) : String.valueOf(s.value()))));
      ingester = Html.concat(each(metrics.setupProblems(),
          p -> html("<p class=\"alert warn\" id=\"setup-warning\">{}</p>", p)), ingester);
    }
    return Html.concat(stored, ingester);
  }

  static String human(Duration d) {
    long ms = d.toMillis();
    if (ms < 0) {
      return "clock skew (" + ms + " ms)";
    }
    if (ms < 1000) {
      return ms + " ms";
    }
    if (ms < 120_000) {
      return String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }
    if (ms < 7_200_000) {
      return ms / 60_000 + " min";
    }
    if (ms < 172_800_000) {
      return ms / 3_600_000 + " h";
    }
    return ms / 86_400_000 + " days";
  }

  private static List<ColumnDiff> changedOnly(Change c) {
    List<ColumnDiff> all = ColumnDiff.of(c);
    return c.operation() == Operation.UPDATE ? all.stream().filter(ColumnDiff::changed).toList() : all;
  }

  private static <T> List<T> reversed(List<T> list) {
    List<T> copy = new ArrayList<>(list);
    java.util.Collections.reverse(copy);
    return copy;
  }

  /**
   * {@code &source=…} for a link that continues with one source's data; nothing when it is not
   * named or is the unnamed source '' (implicit, so a destination with one source keeps its URLs;
   * with '' among several sources the page it leads to offers them).
   */
  private static String ofSource(String source) {
    return source == null || source.isEmpty() ? "" : "&source=" + q(source);
  }

  /** {@code ?source=…} for a path that has no query yet; see {@link #ofSource}. */
  private static String onlySource(String source) {
    return source == null || source.isEmpty() ? "" : "?source=" + q(source);
  }

  /** A form's hidden {@code source} ('' too), so what it submits stays with the source it was shown for. */
  private static SafeHtml sourceField(String source) {
    return source == null ? SafeHtml.EMPTY : html("<input type=\"hidden\" name=\"source\" value=\"{}\">", source);
  }

  /** " · source eu-1" after a heading; nothing for the unnamed source '' (a destination with one source looks as it did). */
  private static SafeHtml sourceTitle(String source) {
    return source == null || source.isEmpty() ? SafeHtml.EMPTY
        : html(" <span class=\"muted\">of source</span> <code class=\"source\">{}</code>", source);
  }

  /** A source as people read it; the unnamed one says what it is. */
  private static String sourceName(String source) {
    return source.isEmpty() ? "'' (unnamed: changes stored before sources were named)" : source;
  }

  private static String join(String first, String query) {
    return query.isEmpty() ? first : first + "&" + query;
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

}

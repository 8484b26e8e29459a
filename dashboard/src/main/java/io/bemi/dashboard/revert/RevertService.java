package io.bemi.dashboard.revert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bemi.dashboard.changes.BadRequestException;
import io.bemi.dashboard.changes.ChangeRepository;
import io.bemi.dashboard.changes.DataAccessException;
import io.bemi.dashboard.changes.SeveralSourcesException;
import io.bemi.history.BemiChanges;
import io.bemi.history.Change;
import io.bemi.history.RevertStep;
import io.bemi.history.TransactionCommit;
import io.bemi.sql.Lsn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revert previews and execution over bemi-sql's revert functions (R__2_revert.sql):
 * {@code revert_plan(ids)} lists the steps and the conflicts the destination knows of (the record
 * changed again later); {@code revert_changes_sql(ids, …)} writes one self-contained {@code DO}
 * statement for the source, which emits the {@code _bemi} context {@code {"revertOf": …}} first
 * (so the revert is itself audited), re-checks every row when it runs and raises SQLSTATE BM001
 * on a conflict unless forced.
 *
 * <p>What runs is what was previewed: a preview carries {@code plan_digest} of every change id
 * the target selects; execution selects again, refuses when the digest differs (changes stored
 * since the preview are not reverted silently) and generates the statement from exactly those ids.
 *
 * <p>The dashboard only reads the destination; executing runs that statement on the separately
 * configured source.
 */
public final class RevertService {

  private static final Logger log = LoggerFactory.getLogger(RevertService.class);
  /** Steps listed on a preview; the statement always covers every change. */
  static final int MAX_LISTED = 1000;
  /** Default of --revert-max-changes: above it, execution needs {@code confirmChanges=<count>}. */
  public static final int DEFAULT_MAX_CHANGES = 1000;

  private final ChangeRepository changes;
  private final BemiChanges trail;
  private final DataSource destination;
  private final String schema;
  private final DataSource source; // null: execution disabled
  private final ObjectMapper json;
  private final Clock clock;
  private final int maxChanges;

  public RevertService(ChangeRepository changes, DataSource destination, String schema, DataSource source,
      ObjectMapper json, Clock clock) {
    this(changes, destination, schema, source, json, clock, DEFAULT_MAX_CHANGES);
  }

  public RevertService(ChangeRepository changes, DataSource destination, String schema, DataSource source,
      ObjectMapper json, Clock clock, int maxChanges) {
    this.changes = changes;
    this.trail = BemiChanges.of(destination, schema);
    this.destination = destination;
    this.schema = schema;
    this.source = source;
    this.json = json;
    this.clock = clock;
    this.maxChanges = maxChanges;
  }

  /**
   * The target named by request parameters; an xid becomes its transaction's commit LSN (refused
   * when it names several transactions), a context must be a non-empty JSON object. A transaction
   * and a context are of {@code source} (null: not named), else of the one source that stored them
   * ({@link SeveralSourcesException} when several did).
   */
  public RevertTarget target(String change, String transaction, String context, String source) {
    RevertTarget target = RevertTarget.parse(change, transaction, context);
    if (target instanceof RevertTarget.TransactionXid xid) {
      TransactionCommit commit = commitOf(xid.transactionId(), source);
      return new RevertTarget.Transaction(commit.commitLsn(), commit.source());
    }
    if (target instanceof RevertTarget.Transaction tx) {
      return new RevertTarget.Transaction(tx.commitLsn(), changes.commitSource(tx.commitLsn(), source));
    }
    if (target instanceof RevertTarget.Context c) {
      JsonNode doc;
      try {
        doc = json.readTree(c.contextJson());
      } catch (IOException e) {
        doc = null;
      }
      if (doc == null || !doc.isObject()) {
        throw new BadRequestException("context '" + c.contextJson() + "' must be a JSON object, e.g. {\"requestId\":\"r-1\"}");
      }
      if (doc.isEmpty()) {
        throw new BadRequestException("context {} would select every change in the trail: name the changes by a"
            + " context that holds keys, e.g. {\"requestId\":\"r-1\"}");
      }
      return new RevertTarget.Context(doc.toString(), changes.contextSource(doc.toString(), source));
    }
    return target;
  }

  /**
   * The one transaction an xid names in {@code source} (null: in any source). Refused when two
   * sources stored that xid and none is named ({@link SeveralSourcesException}, each choice leading
   * to its transaction's page), or when xid wraparound made it name several of one source.
   */
  public TransactionCommit commitOf(long transactionId, String source) {
    List<TransactionCommit> commits = changes.commitsOfTransaction(transactionId, source);
    if (commits.isEmpty()) {
      throw new NotFoundException("Nothing stored for transaction xid " + transactionId
          + (source == null ? "" : " of source " + SeveralSourcesException.quoted(source)));
    }
    if (commits.stream().map(TransactionCommit::source).distinct().count() > 1) {
      throw new SeveralSourcesException("xid " + transactionId, commits.stream()
          .map(c -> new SeveralSourcesException.Choice(c.source(), "transaction " + Lsn.text(c.commitLsn()) + ", committed "
              + c.committedAt() + ", " + c.changes() + " change(s)", transactionPath(c.commitLsn(), c.source()))).toList());
    }
    if (commits.size() > 1) {
      throw new AmbiguousTransactionException(transactionId, commits.stream().map(TransactionCommit::commitLsn).toList());
    }
    return commits.get(0);
  }

  /** The dashboard page of one stored transaction: its commit LSN and its source (the unnamed source '' implicit). */
  public static String transactionPath(TransactionCommit commit) {
    return commit.source().isEmpty() ? "/transactions/" + Lsn.text(commit.commitLsn())
        : transactionPath(commit.commitLsn(), commit.source());
  }

  /** The page of the transaction committed at {@code commitLsn} in {@code source}, named explicitly ('' too). */
  private static String transactionPath(long commitLsn, String source) {
    return "/transactions/" + Lsn.text(commitLsn) + "?source=" + java.net.URLEncoder.encode(source, java.nio.charset.StandardCharsets.UTF_8);
  }

  public boolean canExecute() {
    return source != null;
  }

  public int maxChanges() {
    return maxChanges;
  }

  /** The steps, conflicts, SQL and identity of a revert; the SQL is generated with force when there are conflicts. */
  public RevertPlan preview(RevertTarget target) {
    List<Change> listed = listed(target);
    if (!functionsInstalled()) {
      return new RevertPlan(target, listed.stream().map(c -> new RevertPlan.Step(c, "", false, null)).toList(),
          null, false, "The destination has no " + schema + ".revert_plan function: run the ingester's migrations"
              + " (bemi-sql) to install the time-travel and revert functions.", false, null,
          selectedIds(target).size(), 0, false);
    }
    Selection selection = select(target);
    Planned planned = steps(selection.ids(), listed);
    boolean conflicts = planned.conflicts() > 0;
    String sql;
    String reason = null;
    try {
      sql = revertSql(target, selection.ids(), conflicts, revertContext());
    } catch (SQLException e) {
      sql = null;
      reason = "The revert functions refused (SQL state " + e.getSQLState() + "): " + e.getMessage();
    }
    if (reason == null && !canExecute()) {
      reason = "Preview only: start the dashboard with --source-url to execute reverts.";
    }
    return new RevertPlan(target, planned.steps(), sql, sql != null && conflicts, reason, sql != null && canExecute(),
        planToken(selection, planned), selection.ids().size(), planned.conflicts(), selection.ids().size() > maxChanges);
  }

  /**
   * The identity of what a preview showed: {@code plan_digest} of the selected changes and, when some
   * of them conflict, which ones. Forcing then overwrites only the conflicts the preview listed: a
   * change stored since that makes another step conflict changes the token, and execution refuses.
   */
  private static String planToken(Selection selection, Planned planned) {
    if (planned.conflicting().isEmpty()) {
      return selection.digest(); // plan_digest(ids), as SQL clients compute it
    }
    String conflicting = planned.conflicting().stream().map(UUID::toString).sorted().collect(Collectors.joining(","));
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256")
          .digest((selection.digest() + "|conflicts:" + conflicting).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Runs the previewed revert on the source. Refuses when the target now selects other changes
   * than the preview whose {@code digest} is given, when it covers more than the configured
   * maximum without {@code confirmedChanges} equal to its size, and when conflicts are known
   * unless {@code force}. The caller has checked the confirmation (and, for cookie sessions, the
   * CSRF token).
   */
  public ExecutionResult execute(RevertTarget target, String digest, Integer confirmedChanges, boolean force) {
    if (!canExecute()) {
      throw new BadRequestException("Reverts are preview-only: start the dashboard with --source-url to execute them");
    }
    if (digest == null || digest.isBlank()) {
      throw new BadRequestException("plan is required: send the plan digest of the preview you reviewed");
    }
    Selection selection = select(target);
    Planned planned = steps(selection.ids(), List.of());
    if (!planToken(selection, planned).equals(digest.trim())) {
      throw new PlanChangedException(target, selection.ids().size(), planned.conflicts());
    }
    if (selection.ids().size() > maxChanges && !Integer.valueOf(selection.ids().size()).equals(confirmedChanges)) {
      throw new BadRequestException(target.describe() + " covers " + selection.ids().size() + " changes, more than "
          + maxChanges + ": confirm with confirmChanges=" + selection.ids().size());
    }
    long conflicts = planned.conflicts();
    if (conflicts > 0 && !force) {
      throw new BadRequestException(conflicts + " change(s) conflict (their record changed later);"
          + " review the preview and confirm with force=yes to overwrite the later changes");
    }
    ObjectNode context = revertContext();
    String sql;
    try {
      sql = revertSql(target, selection.ids(), conflicts > 0, context);
    } catch (SQLException e) {
      throw new BadRequestException("The revert functions refused (SQL state " + e.getSQLState() + "): " + e.getMessage());
    }
    try (Connection c = source.getConnection(); Statement s = c.createStatement()) {
      c.setAutoCommit(true); // the DO statement is one atomic statement
      s.execute(sql);
    } catch (SQLException e) {
      String hint = "BM001".equals(e.getSQLState())
          ? " A row changed on the source since the trail was read; reload the preview."
          : "";
      throw new DataAccessException("The revert failed on the source and was rolled back; nothing changed." + hint, e);
    }
    log.info("Reverted {} ({} changes, plan {}) on the source{}", target.describe(), selection.ids().size(),
        digest.substring(0, Math.min(12, digest.length())), force ? " (forced)" : "");
    return new ExecutionResult(selection.ids().size(), conflicts > 0, recordedContext(target, context));
  }

  public record ExecutionResult(int changesReverted, boolean forced, String context) {}

  /** A target that selects nothing (unknown change id, empty transaction). */
  public static final class NotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
      super(message);
    }
  }

  /** The target selects other changes than the previewed plan: nothing was run. */
  public static final class PlanChangedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PlanChangedException(RevertTarget target, int now, long conflicting) {
      super("The plan changed since the preview: " + target.describe() + " now selects " + now + " change(s), "
          + conflicting + " of them conflicting with later changes, which is not what was previewed (changes were"
          + " stored since). Nothing was run; reload the preview and review it again.");
    }
  }

  /** An xid that names more than one stored transaction (xids wrap). */
  public static final class AmbiguousTransactionException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final List<Long> commitLsns;

    AmbiguousTransactionException(long transactionId, List<Long> commitLsns) {
      super("xid " + transactionId + " names " + commitLsns.size() + " transactions (xids wrap): name one by its commit LSN, "
          + commitLsns.stream().map(Lsn::text).collect(Collectors.joining(" or ")));
      this.commitLsns = List.copyOf(commitLsns);
    }

    public List<Long> commitLsns() {
      return commitLsns;
    }
  }

  public static String describe(RevertTarget target) {
    return target.describe();
  }

  private record Selection(List<UUID> ids, String digest) {}

  /** The steps listed, and the changes among all steps that conflict. */
  private record Planned(List<RevertPlan.Step> steps, List<UUID> conflicting) {

    long conflicts() {
      return conflicting.size();
    }
  }

  /** Every change id the target selects, and their plan_digest. */
  private Selection select(RevertTarget target) {
    List<UUID> ids = selectedIds(target);
    try {
      return new Selection(ids, trail.planDigest(ids));
    } catch (SQLException e) {
      throw new DataAccessException("Could not compute the plan digest of " + target.describe(), e);
    }
  }

  /** Every change id the target selects, in commit order; refused when there is none. */
  private List<UUID> selectedIds(RevertTarget target) {
    String where;
    Object argument;
    if (target instanceof RevertTarget.OneChange one) {
      where = "id = ?::uuid";
      argument = one.changeId().toString();
    } else if (target instanceof RevertTarget.Transaction tx) {
      where = "commit_lsn = ?";
      argument = tx.commitLsn();
    } else if (target instanceof RevertTarget.Context context) {
      where = "context @> ?::jsonb";
      argument = context.contextJson();
    } else {
      throw new IllegalStateException("resolve the xid first: " + target);
    }
    String sql = "SELECT coalesce(array_agg(id ORDER BY commit_lsn, change_index), '{}') FROM \"" + schema + "\".changes"
        + " WHERE " + where + " AND operation <> 'SNAPSHOT' AND (?::text IS NULL OR source = ?::text)";
    List<UUID> ids = new ArrayList<>();
    try (Connection c = destination.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, argument);
      ps.setString(2, target.source());
      ps.setString(3, target.source());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        for (Object id : (Object[]) rs.getArray(1).getArray()) {
          ids.add((UUID) id);
        }
      }
    } catch (SQLException e) {
      throw new DataAccessException("Could not select the changes of " + target.describe(), e);
    }
    if (ids.isEmpty()) {
      throw new NotFoundException("Nothing to revert: no change matches " + target.describe());
    }
    return List.copyOf(ids);
  }

  /** The changes a preview lists (the first MAX_LISTED). */
  private List<Change> listed(RevertTarget target) {
    if (target instanceof RevertTarget.OneChange one) {
      return changes.find(one.changeId()).map(List::of).orElse(List.of());
    } else if (target instanceof RevertTarget.Transaction tx) {
      return changes.commit(tx.commitLsn(), tx.source(), MAX_LISTED);
    } else if (target instanceof RevertTarget.Context context) {
      return changes.withContext(context.contextJson(), context.source(), MAX_LISTED);
    }
    throw new IllegalStateException("resolve the xid first: " + target);
  }

  private Planned steps(List<UUID> ids, List<Change> listed) {
    Map<UUID, Change> byId = new HashMap<>();
    listed.forEach(c -> byId.put(c.id(), c));
    List<RevertPlan.Step> steps = new ArrayList<>();
    List<UUID> conflicting = new ArrayList<>();
    try {
      for (RevertStep step : trail.revertPlan(ids)) {
        boolean conflict = Boolean.TRUE.equals(step.conflict());
        if (conflict) {
          conflicting.add(step.changeId());
        }
        Change change = byId.get(step.changeId());
        if (change != null) {
          steps.add(new RevertPlan.Step(change, step.action(), conflict, step.conflictReason()));
        }
      }
    } catch (SQLException e) {
      throw new DataAccessException("Could not plan the revert with " + schema + ".revert_plan", e);
    }
    return new Planned(steps, List.copyOf(conflicting));
  }

  private boolean functionsInstalled() {
    try (Connection c = destination.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT to_regproc(?) IS NOT NULL AND to_regproc(?) IS NOT NULL")) {
      ps.setString(1, "\"" + schema + "\".revert_plan");
      ps.setString(2, "\"" + schema + "\".revert_changes_sql");
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    } catch (SQLException e) {
      throw new DataAccessException("Could not look for the revert functions", e);
    }
  }

  /** revert_changes_sql over exactly these ids, naming the target in revertOf. */
  private String revertSql(RevertTarget target, List<UUID> ids, boolean force, ObjectNode context) throws SQLException {
    return trail.revertChangesSql(ids, force, target.revertOfJson(), context.toString());
  }

  /** The context the revert's statement recorded with its writes: {@code revertOf} and {@code context}. */
  private String recordedContext(RevertTarget target, ObjectNode context) {
    ObjectNode recorded = json.createObjectNode();
    try {
      recorded.set("revertOf", json.readTree(target.revertOfJson()));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    recorded.setAll(context);
    return recorded.toString();
  }

  /** Merged into the revert's {@code _bemi} context next to {@code revertOf}. */
  private ObjectNode revertContext() {
    ObjectNode context = json.createObjectNode();
    context.put("revertedVia", "bemi-dashboard");
    context.put("requestedAt", clock.instant().toString());
    return context;
  }
}

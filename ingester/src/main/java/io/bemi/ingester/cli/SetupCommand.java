package io.bemi.ingester.cli;

import io.bemi.ingester.IngesterConfig;
import io.bemi.ingester.failover.FailoverSlots;
import io.bemi.ingester.failover.SlotLoss;
import io.bemi.ingester.rules.ColumnRules;
import io.bemi.ingester.rules.TablePattern;
import io.bemi.ingester.setup.SourceSetup;
import io.bemi.ingester.setup.SourceSetup.TrackedTable;
import io.bemi.ingester.setup.TableChoice;
import io.bemi.ingester.snapshot.BaselineSnapshot;
import io.bemi.sql.Migrations;
import io.bemi.sql.SqlNames;
import io.micrometer.core.instrument.Metrics;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "setup", mixinStandardHelpOptions = true,
    description = {"Prepares the source, idempotently: checks wal_level=logical, sets REPLICA IDENTITY FULL on the "
        + "tracked tables, creates or updates the publication (publish_via_partition_root) and creates the "
        + "logical replication slot (pgoutput), on PostgreSQL 17+ as a failover slot. Re-run it after creating "
        + "tables you want tracked."})
final class SetupCommand implements Callable<Integer> {

  @Mixin
  ConnectionOptions connection;

  @Option(names = "--schemas", split = ",", defaultValue = "${env:BEMI_SCHEMAS}", paramLabel = "SCHEMA",
      description = "Track all tables of these schemas (comma-separated). Default: every non-system schema except "
          + "the destination schema. Env: BEMI_SCHEMAS.")
  List<String> schemas;

  @Option(names = "--tables", split = ",", defaultValue = "${env:BEMI_TABLES}", paramLabel = "SCHEMA.TABLE",
      description = "Track only these tables (comma-separated, schema defaults to public, * matches any run of "
          + "characters: shop.*, public.order_*; a name in double quotes is taken as it is: public.\"orders.2024\"); their "
          + "partitions are included. Env: BEMI_TABLES.")
  List<String> tables;

  @Option(names = "--exclude-tables", split = ",", defaultValue = "${env:BEMI_EXCLUDE_TABLES}",
      paramLabel = "PATTERN", description = "Do not track these tables (same patterns as --tables, e.g. "
          + "public.sessions,*.tmp_*): they stay out of the publication, so their changes are never decoded. "
          + "Env: BEMI_EXCLUDE_TABLES.")
  List<String> excludeTables;

  @Option(names = "--snapshot", defaultValue = "${env:BEMI_SNAPSHOT:-false}",
      description = "Also record the current rows of the tracked tables as SNAPSHOT changes (the baseline time "
          + "travel needs for rows older than tracking), consistent with the slot's start; with --sink kafka or "
          + "webhook, publish them as Debezium read events (op r) instead. Resumable: run it again after an "
          + "interruption; tables already copied are skipped. Env: BEMI_SNAPSHOT.")
  boolean snapshot;

  @Option(names = "--snapshot-tables", split = ",", defaultValue = "${env:BEMI_SNAPSHOT_TABLES}",
      paramLabel = "PATTERN", description = "Take the baseline (as --snapshot, which it implies) of only the tracked "
          + "tables matching these patterns (same patterns as --tables), e.g. a table created since setup; the "
          + "publication still has every tracked table. Env: BEMI_SNAPSHOT_TABLES.")
  List<String> snapshotTables;

  @Mixin
  SinkOptions sink;

  @Mixin
  RowLimitOption rowLimit;

  @Option(names = "--redact-columns", split = ",", defaultValue = "${env:BEMI_REDACT_COLUMNS}", paramLabel = "PATTERN",
      description = "With --snapshot: store these columns' values as \"" + ColumnRules.REDACTED + "\" (the same "
          + "patterns as run --redact-columns; give both commands the same rules). Env: BEMI_REDACT_COLUMNS.")
  List<String> redactColumns;

  @Option(names = "--lock-timeout-ms", defaultValue = "${env:BEMI_LOCK_TIMEOUT_MS:-5000}", paramLabel = "MS",
      description = "How long each statement may wait for a table's lock (REPLICA IDENTITY FULL takes an ACCESS "
          + "EXCLUSIVE lock, and the application's queries of that table queue behind it while it waits); a "
          + "statement that times out is tried " + SourceSetup.LOCK_ATTEMPTS + " times, then setup stops naming the "
          + "sessions holding the table. Default: ${DEFAULT-VALUE}. Env: BEMI_LOCK_TIMEOUT_MS.")
  long lockTimeoutMs;

  @Option(names = "--print-sql", description = "Print the SQL instead of running it (for a DBA to review and run).")
  boolean printSql;

  @Option(names = "--accept-gap", defaultValue = "${env:BEMI_ACCEPT_GAP:-false}",
      description = "After a lost slot (run recorded an open gap in the trail's gaps): create the slot again without "
          + "a new baseline. Without it, setup refuses and asks for --snapshot, which re-baselines the tables. "
          + "Env: BEMI_ACCEPT_GAP.")
  boolean acceptGap;

  @Override
  public Integer call() throws Exception {
    ColumnRules rules = ColumnRules.parse(List.of(), redactColumns);
    if (lockTimeoutMs < 1) {
      throw new IllegalArgumentException("--lock-timeout-ms must be >= 1 (milliseconds), got " + lockTimeoutMs);
    }
    Duration lockTimeout = Duration.ofMillis(lockTimeoutMs);
    sink.refuseOtherSinksSettings(); // before anything is set up
    String schema = connection.destinationSchema();
    String slot = connection.slot();
    String publication = connection.publication();
    try (Connection source = connection.source().connect()) {
      SourceSetup.requireLogicalWal(source);
      TableChoice choice = new TableChoice(schema, schemas, tables, excludeTables);
      List<TrackedTable> tracked = SourceSetup.trackedTables(source, schema, choice.schemas(), choice.tables(),
          choice.excludeTables());
      List<String> statements = SourceSetup.setupStatements(source, tracked, choice, publication, slot);
      if (printSql) {
        for (String statement : statements) {
          System.out.println(statement);
          System.out.println();
        }
        return 0;
      }
      List<TrackedTable> baseline = baselineTables(tracked);
      if (baseline == null && !acceptGap && sink.usesDestination()) {
        refuseToPaperOverALostSlot(source, schema, slot);
      }
      SourceSetup.requirePrimary(source);
      SourceSetup.requirePrivileges(source, tracked, publication);
      if (baseline != null) {
        // The slot is created by the snapshot itself (with an exported snapshot), after the
        // publication exists; the script's slot statement then finds it and does nothing.
        SourceSetup.execute(source, statements.stream().filter(s -> !SourceSetup.createsSlot(s)).toList(), tracked,
            lockTimeout);
        if (sink.usesDestination()) {
          Migrations.migrate(connection.destination().dataSource(), schema);
        }
        // the stream's limit, as run computes it with the default --max-context-bytes, so the two agree
        long maxRowBytes = rowLimit.bytes(sink, IngesterConfig.DEFAULT_MAX_CONTEXT_BYTES, connection.config);
        BaselineSnapshot.Result result = new BaselineSnapshot(connection.source(), slot,
            sink.baseline(connection, Metrics.globalRegistry), 5_000, BaselineSnapshot.loggingEvery(Duration.ofSeconds(10)),
            rules, maxRowBytes).run(baseline);
        long left = tracked.stream().filter(t -> !t.partition()).count() - (result.tablesCopied() + result.tablesSkipped());
        System.out.println("Baseline snapshot: " + result.rows() + " row(s) from " + result.tablesCopied()
            + " table(s) copied, " + result.tablesSkipped() + " already done"
            + (left > 0 ? ", " + left + " not chosen by --snapshot-tables." : "."));
      }
      // After a snapshot only the slot statement is left (it finds the slot and does nothing).
      SourceSetup.execute(source, baseline != null ? statements.stream().filter(SourceSetup::createsSlot).toList() : statements,
          tracked, lockTimeout);
      System.out.println(FailoverSlots.enable(connection.source(), source, slot));
      long published = tracked.stream().filter(t -> !t.partition()).count();
      long altered = tracked.stream().filter(t -> !t.replicaIdentityFull()).count();
      System.out.println("Source ready: publication " + publication + " with " + published + " table(s), slot "
          + slot + "; REPLICA IDENTITY FULL set on " + altered + " table(s) and partition(s), "
          + (tracked.size() - altered) + " had it already. Start the ingester with: bemi-ingester run");
      return 0;
    }
  }

  /**
   * A plain setup after the slot was lost (run found it missing and recorded an open gap) would make
   * a new slot and let run close the gap with no baseline: the records changed meanwhile would stay
   * as the trail last saw them. Refused (exit code 2) unless --accept-gap; --snapshot is the repair.
   */
  private void refuseToPaperOverALostSlot(Connection source, String schema, String slot) throws SQLException {
    Instant since = new SlotLoss(connection.destination(), schema, slot, SqlNames.currentDatabase(source))
        .openGapWithoutSlot(source);
    if (since != null) {
      throw new IllegalArgumentException("Slot '" + slot + "' was lost: the trail has an open gap since " + since
          + " (" + schema + ".gaps). Run `bemi-ingester setup --snapshot` to create the slot and re-baseline the "
          + "tracked tables, or add --accept-gap to create it without a baseline (the records changed meanwhile "
          + "then stay as the trail last saw them)");
    }
  }

  /**
   * The tables to take a baseline of: none without --snapshot or --snapshot-tables (null), every
   * tracked table with --snapshot alone, else those whose root matches --snapshot-tables.
   *
   * @throws IllegalArgumentException for a pattern that matches no tracked table
   */
  private List<TrackedTable> baselineTables(List<TrackedTable> tracked) {
    List<TablePattern> chosen = snapshotTables == null ? List.of()
        : snapshotTables.stream().filter(t -> !t.isBlank()).map(TablePattern::parse).toList();
    if (chosen.isEmpty()) {
      return snapshot ? tracked : null;
    }
    for (TablePattern pattern : chosen) {
      if (tracked.stream().noneMatch(t -> !t.partition() && pattern.matches(t.schema(), t.table()))) {
        throw new IllegalArgumentException("--snapshot-tables " + pattern + " matches no table this setup tracks"
            + " (tracked: " + SourceSetup.abbreviated(tracked.stream().filter(t -> !t.partition())
                .map(t -> TablePattern.nameOf(t.schema(), t.table())).toList())
            + "); it chooses among the tables of --schemas/--tables/--exclude-tables, so track the table first");
      }
    }
    return tracked.stream().filter(t -> chosen.stream().anyMatch(p -> p.matches(t.rootSchema(), t.rootTable())))
        .toList();
  }
}

package io.bemi.ingester.cli;

import io.bemi.ingester.failover.FailoverSlots;
import io.bemi.ingester.leader.LeaderLease;
import io.bemi.ingester.leader.Lease;
import io.bemi.ingester.monitor.RetainedWal;
import io.bemi.ingester.monitor.SlotPosition;
import io.bemi.ingester.retention.Compaction;
import io.bemi.ingester.setup.SetupCoverage;
import io.bemi.ingester.setup.SourceSetup;
import io.bemi.ingester.setup.TableChoice;
import io.bemi.ingester.snapshot.SnapshotProgress;
import io.bemi.sql.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Prints the slot's state, its confirmed LSN, the stored checkpoint and the lag in bytes and seconds."})
final class StatusCommand implements Callable<Integer> {

  @Mixin
  ConnectionOptions connection;

  @Mixin
  RetainedWalOption retainedWal;

  @Override
  public Integer call() throws Exception {
    String slot = connection.slot();
    SlotPosition position;
    try (Connection source = connection.source().connect()) {
      position = SlotPosition.read(source, slot, Instant.now());
    }
    if (position == null) {
      System.err.println("bemi-ingester: slot '" + slot + "' does not exist; run `bemi-ingester setup` first");
      return 2;
    }
    System.out.println("slot:              " + slot + (position.activePid() != null
        ? " (active, walsender pid " + position.activePid() + ")" : " (inactive: no ingester is streaming)"));
    System.out.println("confirmed LSN:     " + position.confirmedFlush());
    System.out.println("current WAL LSN:   " + position.serverWal());
    System.out.println("lag:               " + position.lagBytes() + " bytes");
    System.out.println("retained WAL:      " + position.retainedBytes() + " bytes");
    String warning = RetainedWal.warning(position, retainedWal.warnRetainedWalMb);
    if (warning != null) {
      System.out.println("WARNING: " + warning);
    }
    SetupCoverage coverage;
    List<String> published;
    try (Connection source = connection.source().connect()) {
      Boolean failover = FailoverSlots.isFailoverSlot(source, slot);
      System.out.println("failover slot:     " + (failover == null ? "no (PostgreSQL 17+ only; a source failover "
          + "leaves a gap, recorded in " + connection.destinationSchema() + ".gaps)"
          : failover ? "yes" : "no: run `bemi-ingester setup` to make it one"));
      if (Boolean.TRUE.equals(failover)) {
        FailoverSlots.primaryWarnings(source, slot).forEach(System.out::println);
      }
      // a FOR ALL TABLES publication has the trail's own tables when it lives in the source database
      String trailSchema = connection.destination().sameDatabaseAs(connection.source())
          ? connection.destinationSchema() : null;
      coverage = printTables(source, trailSchema);
      published = coverage != null ? coverage.published()
          : SetupCoverage.publishedTables(source, connection.publication(), trailSchema);
    }
    try (Connection destination = connection.destination().connect()) {
      printCheckpoint(destination, slot, position.database(), position.confirmedFlush().equals(position.serverWal()));
      printBaseline(destination, slot, position.database(), published, coverage == null ? null : coverage.choice());
      printQuarantine(destination, position.database());
      printLeader(destination, slot, position.database());
      printCompaction(destination);
    }
    return 0;
  }

  /** The publication's tables, and those setup's choice takes in that it lacks (see {@link SetupCoverage}). */
  private SetupCoverage printTables(Connection source, String trailSchema) throws SQLException {
    String publication = connection.publication();
    SetupCoverage coverage = SetupCoverage.read(source, publication, trailSchema);
    if (coverage == null) {
      System.out.println("tables:            publication " + publication + " has no record of setup's table "
          + "options (made by hand or by an older release): run `bemi-ingester setup` once to be told about tables "
          + "created since");
      return null;
    }
    String options = coverage.choice().asOptions();
    System.out.println("tables:            " + coverage.published().size() + " in publication " + publication + " ("
        + (options.isEmpty() ? "no table options" : options) + ")"
        + (coverage.complete() ? ", all with REPLICA IDENTITY FULL" : ""));
    coverage.warnings().forEach(w -> System.out.println("WARNING: " + w));
    return coverage;
  }

  /**
   * Which published tables have a baseline of their rows from before tracking (setup --snapshot),
   * as this slot's snapshot_progress says; {@code choice} (null: not recorded) gives the command.
   */
  private void printBaseline(Connection destination, String slot, String database, List<String> published,
      TableChoice choice) throws SQLException {
    Map<String, SnapshotProgress.Table> progress;
    try {
      progress = new SnapshotProgress(connection.destinationSchema(), slot, database).tables(destination);
    } catch (SQLException e) {
      if ("42P01".equals(e.getSQLState())) {
        return; // not migrated yet: said above
      }
      throw e;
    }
    if (published.isEmpty()) {
      return;
    }
    List<String> without = published.stream().filter(t -> !progress.containsKey(t)).toList();
    long baselined = published.stream().filter(t -> progress.containsKey(t) && progress.get(t).done()).count();
    StringBuilder line = new StringBuilder("baseline:          " + baselined + " of " + published.size()
        + " published table(s) snapshotted");
    new TreeMap<>(progress).forEach((table, copy) -> {
      if (!copy.done() && published.contains(table)) {
        line.append("; ").append(table).append(" unfinished at ").append(copy.rowsDone())
            .append(copy.rowsEstimated() > copy.rowsDone() ? " of ~" + copy.rowsEstimated() : "").append(" rows")
            .append(" (running, or interrupted: run the same setup again to finish it)");
      }
    });
    if (!without.isEmpty()) {
      String options = TableChoice.option("--snapshot-tables", without);
      line.append("; without: ").append(SourceSetup.abbreviated(without))
          .append(" (a row from before tracking that has not changed since has no history; `")
          .append(choice == null ? "bemi-ingester setup <its options> " + options : choice.setupCommand(options))
          .append("` records the rows they hold now)");
    }
    System.out.println(line);
  }

  /** Changes the destination refused (see docs/ingester.md, "Quarantine"). */
  private void printQuarantine(Connection destination, String database) throws SQLException {
    String table = connection.destinationSchema() + ".quarantine";
    try (PreparedStatement s = destination.prepareStatement("SELECT count(*), max(quarantined_at) FROM " + table
        + " WHERE source_database = ?")) {
      s.setString(1, database);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        long count = rs.getLong(1);
        System.out.println("quarantined:       " + (count == 0 ? "none" : count + " change(s) the destination refused, "
            + "the last at " + rs.getTimestamp(2).toInstant() + "; see " + table));
      }
    } catch (SQLException e) {
      if (!"42P01".equals(e.getSQLState())) {
        throw e;
      }
      System.out.println("quarantined:       none (no quarantine table yet)");
    }
  }

  /** How far `compact` has gone, and whether table_as_of may start from the tables' states. */
  private void printCompaction(Connection destination) throws SQLException {
    Compaction.Progress progress = Compaction.progress(destination, connection.destinationSchema());
    if (progress == null) {
      System.out.println("compaction:        none (`bemi-ingester compact` rewrites closed months in record order)");
      return;
    }
    System.out.println("compaction:        changes before " + progress.until() + " in record order ("
        + progress.partitions() + " partition(s)); " + states(progress));
  }

  private static String states(Compaction.Progress progress) {
    if (progress.tables() == 0) {
      return "no table has changes there, so no tables' states";
    }
    if (progress.statesCurrent()) {
      return "tables' states current (" + progress.tables() + " table(s), taken " + progress.takenAt() + ")";
    }
    return "tables' states current for " + progress.current() + " of " + progress.tables() + " table(s): a change landed"
        + " in a compacted month or a month was compacted since; `bemi-ingester compact` takes them again, until then"
        + " table_as_of reads those months";
  }

  private void printLeader(Connection destination, String slot, String database) throws SQLException {
    Lease lease;
    try {
      lease = LeaderLease.read(destination, connection.destinationSchema(), slot, database);
    } catch (SQLException e) {
      if ("42P01".equals(e.getSQLState())) {
        return; // not migrated yet: said above
      }
      throw e;
    }
    if (lease == null) {
      System.out.println("leader:            none yet");
    } else if (lease.expiresAt().isBefore(Instant.now())) {
      System.out.println("leader:            none: the lease of " + lease.holder() + " expired at " + lease.expiresAt()
          + " (epoch " + lease.epoch() + "); a standby takes over within a second, or start `bemi-ingester run`");
    } else {
      System.out.println("leader:            " + lease.holder() + " since " + lease.leaderSince() + " (epoch "
          + lease.epoch() + ", lease renewed " + lease.renewedAt() + ", expires " + lease.expiresAt() + ")");
    }
  }

  private void printCheckpoint(Connection destination, String slot, String database, boolean caughtUp) throws SQLException {
    String sql = "SELECT commit_lsn, end_lsn, committed_at, updated_at, source,"
        + " (SELECT string_agg(o.source, ', ' ORDER BY o.source) FROM " + connection.destinationSchema()
        + ".ingester_checkpoints o WHERE (o.slot, o.source_database) <> (c.slot, c.source_database))"
        + " FROM " + connection.destinationSchema() + ".ingester_checkpoints c WHERE slot = ? AND source_database = ?";
    try (PreparedStatement s = destination.prepareStatement(sql)) {
      s.setString(1, slot);
      s.setString(2, database);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          System.out.println("stored checkpoint: none yet");
          return;
        }
        Instant committedAt = rs.getTimestamp(3).toInstant();
        double lagSeconds = caughtUp ? 0 : Duration.between(committedAt, Instant.now()).toMillis() / 1000.0;
        System.out.println("stored checkpoint: commit " + Lsn.of(rs.getLong(1)) + ", end " + Lsn.of(rs.getLong(2))
            + ", committed at " + committedAt + ", stored at " + rs.getTimestamp(4).toInstant());
        System.out.printf("lag:               %.1f seconds (since the last stored commit; 0 when caught up)%n", lagSeconds);
        System.out.println("source:            " + (rs.getString(5) == null ? "not stored yet" : rs.getString(5))
            + " (changes.source of this slot's changes)");
        if (rs.getString(6) != null) {
          System.out.println("other sources:     " + rs.getString(6) + " (same destination)");
        }
      }
    } catch (SQLException e) {
      if ("42P01".equals(e.getSQLState())) {
        System.out.println("stored checkpoint: none (destination not migrated yet: start `bemi-ingester run`)");
        return;
      }
      throw e;
    }
  }
}

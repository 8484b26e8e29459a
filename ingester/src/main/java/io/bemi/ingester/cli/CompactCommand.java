package io.bemi.ingester.cli;

import io.bemi.ingester.retention.Compaction;
import io.bemi.ingester.retention.Retention;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "compact", mixinStandardHelpOptions = true,
    description = {"Rewrites the closed monthly partitions of changes in record order, oldest first, so that a table "
        + "as of an instant reads each table's changes there in one sweep, then takes each table's state at "
        + "their end, which a table as of a later instant starts from (docs/ingester.md, \"Compaction\"). "
        + "Run it as the owner of changes, e.g. daily. Readers and the ingester go on meanwhile; a late change "
        + "for the month being rewritten waits while it is copied. Needs free space for a second copy of "
        + "the largest month."})
final class CompactCommand implements Callable<Integer> {

  @Mixin
  ConnectionOptions connection;

  @Option(names = "--closed-for", defaultValue = "${env:BEMI_COMPACT_CLOSED_FOR:-7d}", paramLabel = "AGE",
      description = "Compact a month once it ended this long ago, so that its late changes have arrived "
          + "(e.g. 7d, 12h). Env: BEMI_COMPACT_CLOSED_FOR. Default: ${DEFAULT-VALUE}.")
  String closedFor;

  @Option(names = "--dry-run", description = "List the partitions it would rewrite and change nothing.")
  boolean dryRun;

  @Override
  public Integer call() throws SQLException {
    Instant closedBefore = Instant.now().minus(Retention.parseAge("--closed-for", closedFor));
    Compaction compaction = new Compaction(connection.destination(), connection.destinationSchema());
    List<String> pending = compaction.pending(closedBefore);
    if (pending.isEmpty()) {
      System.out.println("Nothing to compact: every partition of " + connection.destinationSchema()
          + ".changes that ended before " + closedBefore + " is in record order already.");
    }
    for (String partition : pending) {
      if (dryRun) {
        System.out.println("Would compact " + connection.destinationSchema() + "." + partition);
        continue;
      }
      Compaction.Compacted done = compaction.compact(partition);
      System.out.printf("Compacted %s.%s: %,d changes rewritten in record order in %s, VACUUM %s%n",
          connection.destinationSchema(), done.partition(), done.changes(), seconds(done.rewrite()),
          seconds(done.vacuum()));
    }
    if (!dryRun) {
      Compaction.States states = compaction.refreshStates();
      System.out.println("Tables' states at the end of the compacted partitions: " + describe(states));
    }
    return 0;
  }

  private static String describe(Compaction.States states) {
    if (states.tables() == 0) {
      return "current.";
    }
    List<String> done = new ArrayList<>();
    if (states.extended() > 0) {
      done.add(states.extended() + " table(s) extended with the months compacted since");
    }
    if (states.taken() > 0) {
      done.add(states.taken() + (done.isEmpty() ? " table(s)" : "") + " taken from all their changes");
    }
    return String.format("%s; %,d rows, %,d inserted, updated or deleted, in %s", String.join(", ", done),
        states.rows(), states.written(), seconds(states.took()));
  }

  private static String seconds(Duration d) {
    return String.format("%.1f s", d.toMillis() / 1000.0);
  }
}

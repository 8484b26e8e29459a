package io.bemi.ingester.bench;

import io.bemi.ingester.IngesterConfig;
import io.bemi.ingester.IngesterMetrics;
import io.bemi.ingester.PostgresUrl;
import io.bemi.sql.Lsn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Backlog drain: per backlog shape, on a fresh server, a backlog waits in two slots created at
 * the same point; pg_recvlogical reads one to /dev/null, then the ingester drains the other into
 * {@code bemi.changes}; prints changes/s of both, the ratio and the CPU seconds of each process
 * per 100,000 changes, then one summary line per shape.
 *
 * <pre>./mvnw -q -o -pl ingester test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.bemi.ingester.bench.DrainBenchmark [-Dbench.shape=mixed] [-Dbench.changes=1000000] \
 *   [-Dbench.destination=source] [-Dbench.oltp=100000 -Dbench.bulk=450000] [-Dbench.alter='…']</pre>
 *
 * <ul>
 *   <li>{@code bench.shape}: {@code mixed} (the default; {@code bench.oltp} OLTP transactions then
 *       {@code bench.bulk} bulk rows and bulk updates), or one of the issue's shapes of {@code
 *       bench.changes} changes each, {@code oltp}, {@code bulk}, {@code fullUpdate}, {@code toast}
 *       (see {@link Backlog}), or {@code all} of those four one after another, each on a fresh
 *       server (so the previous shape's WAL, slots and trail are gone);</li>
 *   <li>{@code bench.destination}: {@code source} (the trail in the source database, as by default)
 *       or {@code separate} (a second embedded server on this machine, sharing its cores), or the
 *       URI of a server you run ({@code postgresql://user:pass@host:port/db}, a user who may create
 *       databases): the trail goes to a fresh database {@code bench_trail} there, dropped afterwards
 *       (for a server built differently from zonky's, e.g. with lz4);</li>
 *   <li>{@code bench.alter}: statements (separated by {@code ;}, not inside {@code $$…$$}) run on the migrated destination
 *       before the ingester starts, to drain into a variant of the layout;</li>
 *   <li>{@code bench.origin}: {@code any} (the default, as {@code run}) or {@code none} (as {@code run
 *       --origin none}: the walsender skips the trail's own writes before decoding them).</li>
 * </ul>
 */
public final class DrainBenchmark {

  /** The ingester's connections as {@link ProcessCpu} labels them; on the destination, its storing backend. */
  private static final String INGESTER_BACKEND = "client backend (bemi-ingester)";

  private DrainBenchmark() {}

  /** A backlog shape, by its name in {@code bench.shape}. */
  enum Shape {
    MIXED("mixed"), OLTP("oltp"), BULK("bulk"), FULL_UPDATE("fullUpdate"), TOAST("toast");

    private final String label;

    Shape(String label) {
      this.label = label;
    }

    /** One shape, or the issue's four for {@code all}. */
    static List<Shape> parse(String value) {
      if (value.equals("all")) {
        return List.of(OLTP, BULK, FULL_UPDATE, TOAST);
      }
      return List.of(Arrays.stream(values()).filter(s -> s.label.equals(value)).findFirst().orElseThrow(() ->
          new IllegalArgumentException("Unknown -Dbench.shape=" + value + ": use oltp, bulk, fullUpdate, toast, all "
              + "or mixed")));
    }

    /** Builds the backlog in a fresh database, in slot {@code bemi} and {@code extraSlot}. */
    Backlog build(BenchPostgres pg, int changes, String extraSlot) throws Exception {
      return switch (this) {
        case MIXED -> Backlog.mixed(pg, Integer.getInteger("bench.oltp", 100_000),
            Integer.getInteger("bench.bulk", 450_000), extraSlot);
        case OLTP -> Backlog.oltp(pg, changes, extraSlot);
        case BULK -> Backlog.bulkInsert(pg, changes, extraSlot);
        case FULL_UPDATE -> Backlog.fullUpdate(pg, changes, extraSlot);
        case TOAST -> Backlog.toast(pg, changes, extraSlot);
      };
    }
  }

  /** One shape's drain: seconds of both readers, CPU seconds of the destination backend and the JVM. */
  record Result(Shape shape, long changes, double recvSeconds, double ingesterSeconds, double destinationCpu,
      double jvmCpu, double insertSelectSeconds) {

    double ratio() {
      return recvSeconds / ingesterSeconds;
    }

    /** CPU seconds per 100,000 changes. */
    double per100k(double seconds) {
      return seconds * 100_000 / changes;
    }
  }

  public static void main(String[] args) throws Exception {
    List<Shape> shapes = Shape.parse(System.getProperty("bench.shape", "mixed"));
    int changes = Integer.getInteger("bench.changes", 1_000_000);
    String destination = System.getProperty("bench.destination", "source");
    if (!List.of("source", "separate").contains(destination) && !destination.startsWith("postgresql://")) {
      throw new IllegalArgumentException("Unknown -Dbench.destination=" + destination
          + ": use source, separate or the URI of a server you run (postgresql://user:pass@host:port/db)");
    }
    String where = switch (destination) {
      case "source" -> "the source database (destination = source)";
      case "separate" -> String.format("a separate embedded PostgreSQL server on this machine: it shares the %d cores "
          + "with the source, the ingester and pg_recvlogical", Runtime.getRuntime().availableProcessors());
      default -> "database bench_trail on the server of " + destination.replaceAll(":[^:@/]*@", "@")
          + " (created and dropped by the benchmark)";
    };
    System.out.println("destination: " + where);
    List<Result> results = new ArrayList<>();
    for (Shape shape : shapes) {
      results.add(drain(shape, changes, destination));
    }

    System.out.printf("%nsummary: destination = %s; load average %s%n", where, ProcessCpu.loadAverage());
    System.out.printf("%-10s %11s %16s %12s %6s %23s %16s %16s%n", "shape", "changes", "pg_recvlogical/s",
        "ingester/s", "ratio", "dest backend CPU-s/100k", "JVM CPU-s/100k", "INSERT…SELECT/s");
    for (Result r : results) {
      System.out.printf("%-10s %,11d %,16.0f %,12.0f %6.2f %23.2f %16.2f %,16.0f%n", r.shape().label, r.changes(),
          r.changes() / r.recvSeconds(), r.changes() / r.ingesterSeconds(), r.ratio(),
          r.per100k(r.destinationCpu()), r.per100k(r.jvmCpu()), r.changes() / r.insertSelectSeconds());
    }
    System.out.println("(ratio = ingester / pg_recvlogical, target >= 0.8; INSERT…SELECT/s: the destination's own "
        + "insert of the same rows into bemi.changes, for scale)");
  }

  /** Builds the shape's backlog on a fresh server and drains it with both readers. */
  private static Result drain(Shape shape, int changes, String destinationOption) throws Exception {
    System.out.printf("%n== shape %s ==%n", shape.label);
    boolean separate = !destinationOption.equals("source");
    try (BenchPostgres source = BenchPostgres.start("drain");
         BenchPostgres separateTrail = !separate ? null : destinationOption.equals("separate")
             ? BenchPostgres.start("trail") : BenchPostgres.onServer(destinationOption, "bench_trail")) {
      BenchPostgres destination = separate ? separateTrail : source;
      BenchPostgres[] servers = separate ? new BenchPostgres[] {source, separateTrail} : new BenchPostgres[] {source};
      Backlog backlog = shape.build(source, changes, "baseline");

      ProcessCpu recvCpu = ProcessCpu.start(servers);
      double recvSeconds = recvlogical(source, "baseline", backlog.end());
      recvCpu.close();
      dropSlot(source, "baseline"); // or it keeps every later WAL segment

      PostgresUrl destinationUrl = PostgresUrl.parse(destination.uri());
      destination.alterLayout();
      IngesterMetrics metrics = new IngesterMetrics();
      IngesterConfig config = IngesterConfig.defaults(PostgresUrl.parse(source.uri()), destinationUrl, "bemi", "bemi",
          "bemi").withOriginNone("none".equals(System.getProperty("bench.origin", "any")));
      ProcessCpu ingesterCpu = ProcessCpu.start(servers);
      long i0 = System.nanoTime();
      double ingesterSeconds;
      try (BenchIngester ingester = BenchIngester.start(config, metrics, null)) {
        ingester.awaitConfirmed(backlog.marker());
        ingesterSeconds = (System.nanoTime() - i0) / 1e9; // includes its start: connections, migration check
        ingesterCpu.close(); // while its threads live, so the report names them
      }

      // The slot would keep the WAL of the trail's writes; a checkpoint then recycles it before the INSERT … SELECT.
      dropSlot(source, "bemi");
      source.execute("CHECKPOINT");
      long stored = metrics.changesStored();
      System.out.printf("backlog: %,d row changes in %,d transactions (%,d destination commits; %,d unchanged TOAST "
          + "values left out)%n", stored, metrics.transactionsStored(), metrics.batchesCommitted(),
          metrics.missingToastValues());
      System.out.println("trail: " + destination.queryString("SELECT pg_size_pretty(sum(pg_total_relation_size(relid))) "
          + "|| ' in bemi.changes (heap, TOAST and indexes)' FROM pg_partition_tree('bemi.changes')"));
      System.out.printf("pg_recvlogical: %.1f s, %,.0f changes/s%n", recvSeconds, stored / recvSeconds);
      System.out.printf("ingester:       %.1f s, %,.0f changes/s (decode, stitch, COPY into bemi.changes, commit)%n",
          ingesterSeconds, stored / ingesterSeconds);
      System.out.printf("ratio ingester / pg_recvlogical: %.2f (target >= 0.8)%n", recvSeconds / ingesterSeconds);
      recvCpu.report("pg_recvlogical", stored, recvSeconds);
      Map<String, Double> cpu = ingesterCpu.report("the ingester", stored, ingesterSeconds);

      double insertSelect = insertSelectSeconds(destination);
      System.out.printf("for scale, INSERT … SELECT of the same %,d rows inside the destination: %.1f s%n", stored,
          insertSelect);
      return new Result(shape, stored, recvSeconds, ingesterSeconds,
          cpu.getOrDefault(ProcessCpu.label(destination, servers.length, INGESTER_BACKEND), 0.0),
          cpu.get(ProcessCpu.JVM), insertSelect);
    }
  }

  /** The destination's own cost of inserting the stored rows again (jsonb parsing, indexes, trigger). */
  private static double insertSelectSeconds(BenchPostgres destination) throws Exception {
    long d0 = System.nanoTime();
    destination.execute("INSERT INTO bemi.changes (primary_key, before, after, context, database, schema, \"table\", "
        + "operation, committed_at, queued_at, transaction_id, position, commit_lsn, change_index) "
        + "SELECT primary_key, before::text::jsonb, after::text::jsonb, context::text::jsonb, database, schema, "
        + "\"table\", operation, committed_at, queued_at, transaction_id, position, commit_lsn + (1::bigint << 40), "
        + "change_index FROM bemi.changes");
    return (System.nanoTime() - d0) / 1e9;
  }

  /** Drops a slot once the walsender of its reader (which has disconnected) has ended. */
  private static void dropSlot(BenchPostgres pg, String slot) throws Exception {
    String active = "SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot + "'";
    for (int attempt = 0; pg.queryString(active).equals("t"); attempt++) {
      if (attempt == 300) {
        throw new IllegalStateException("Slot " + slot + " still active 30 s after its reader stopped");
      }
      Thread.sleep(100);
    }
    pg.execute("SELECT pg_drop_replication_slot('" + slot + "')");
  }

  /** pg_recvlogical reads {@code slot} up to {@code end} into /dev/null; returns the seconds it took. */
  static double recvlogical(BenchPostgres pg, String slot, Lsn end) throws Exception {
    ProcessBuilder recv = new ProcessBuilder("pg_recvlogical", "-h", "localhost", "-p",
        String.valueOf(pg.port()), "-U", "postgres", "-d", pg.database, "--slot", slot, "--start",
        "-P", "pgoutput", "-o", "proto_version=1", "-o", "publication_names=bemi", "-o", "messages=true",
        "--no-loop", "--endpos", end.toString(), "-f", "/dev/null").inheritIO();
    recv.environment().put("PGPASSWORD", "postgres");
    long r0 = System.nanoTime();
    int exit = recv.start().waitFor();
    double recvSeconds = (System.nanoTime() - r0) / 1e9;
    if (exit != 0) {
      throw new IllegalStateException("pg_recvlogical exited with " + exit);
    }
    return recvSeconds;
  }
}

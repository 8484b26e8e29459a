package io.bemi.ingester.bench;

import java.io.File;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How wide a row the ingester gets through a 256 MB heap: one row of N MB of text (compressible,
 * so it costs the source little) streamed by the fat jar ({@code java -Xmx256m -jar
 * ingester/target/bemi-ingester.jar run}) with {@code --max-row-bytes 0} (the value kept whole: the
 * only behaviour before the limit existed) and with the default {@code auto} (a sixteenth of the
 * heap), side by side for each size. Needs {@code ./mvnw -pl ingester package} first.
 * {@code -Dbench.kind=context} sends a {@code _bemi} context message of N MB instead (with a small row).
 * {@code -Dbench.limits=-} runs without the option (a jar from before it, {@code -Dbench.ingesterJar=…});
 * {@code -Dbench.heap=512m} another heap.
 */
public final class WideRowBenchmark {

  private WideRowBenchmark() {}

  public static void main(String[] args) throws Exception {
    File jar = BenchPostgres.ingesterJar();
    if (!jar.isFile()) {
      throw new IllegalStateException(jar.getAbsolutePath() + " is missing: run ./mvnw -pl ingester package first");
    }
    String heap = System.getProperty("bench.heap", "256m");
    int[] sizes = {16, 32, 48, 64, 96, 128, 192};
    List<String> limits = List.of(System.getProperty("bench.limits", "0,auto").split(","));
    boolean context = System.getProperty("bench.kind", "row").equals("context");
    System.out.printf("one %s of N MB through java -Xmx%s -jar %s run%n%8s", context ? "_bemi context message" : "row",
        heap, jar.getPath(), "N MB");
    for (String limit : limits) {
      System.out.printf("  %-36s", limit.equals("-") ? "(no --max-row-bytes)" : "--max-row-bytes " + limit);
    }
    System.out.println();
    try (BenchPostgres server = BenchPostgres.start("wide_rows")) {
      int n = 0;
      for (int mb : sizes) {
        System.out.printf("%8d", mb);
        for (String limit : limits) {
          System.out.printf("  %-36s", run(server, jar, heap, mb, limit, context, n++));
        }
        System.out.println();
      }
    }
  }

  /** The outcome of streaming one row of {@code mb} MB with the given limit, in a database of its own. */
  private static String run(BenchPostgres server, File jar, String heap, int mb, String limit, boolean context, int n)
      throws Exception {
    String slot = "wide" + n;
    try (BenchPostgres db = BenchPostgres.onServer(server.uri(), "wide_" + n)) {
      db.execute("CREATE TABLE docs (id int PRIMARY KEY, body text)");
      db.setUpSource(slot);
      String text = "repeat('0123456789abcdef', " + mb + " * 1024 * 1024 / 16)";
      db.execute(context ? "BEGIN; SELECT pg_logical_emit_message(true, '_bemi', '{\"user\": \"ada\", \"blob\": \"' || "
          + text + " || '\"}'); INSERT INTO docs VALUES (1, 'small'); COMMIT" : "INSERT INTO docs VALUES (1, " + text + ")",
          "INSERT INTO docs VALUES (2, 'after')");
      File log = File.createTempFile("wide-row-", ".log");
      List<String> command = new java.util.ArrayList<>(List.of(new File(System.getProperty("java.home"), "bin/java")
          .getPath(), "-Xmx" + heap, "-jar", jar.getPath(), "run", "--slot", slot, "--publication", slot));
      if (!limit.equals("-")) {
        command.addAll(List.of("--max-row-bytes", limit));
      }
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log);
      builder.environment().put("BEMI_SOURCE_URL", db.uri());
      long started = System.nanoTime();
      Process child = builder.start();
      String outcome;
      try {
        long deadline = started + TimeUnit.SECONDS.toNanos(120);
        while (stored(db) < 2 && child.isAlive() && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        if (stored(db) == 2) {
          log.delete();
          outcome = db.queryString(context
              ? "SELECT CASE WHEN context ? '_bemi_unparsed' THEN 'head kept' WHEN context ? '_bemi_truncated'"
                  + " THEN 'reduced, user ' || (context ->> 'user') ELSE 'whole' END FROM bemi.changes WHERE primary_key = '1'"
              : "SELECT CASE WHEN after -> 'body' ? '_bemi_unparsed' THEN 'size and SHA-256'"
                  + " ELSE 'whole' END FROM bemi.changes WHERE primary_key = '1'") + String.format(" in %.1f s", seconds);
        } else if (!child.isAlive()) {
          outcome = Files.readString(log.toPath()).contains("OutOfMemoryError") ? "out of memory, exit "
              + child.exitValue() : "stopped, exit " + child.exitValue() + " (see " + log + ")";
        } else {
          outcome = "not stored in 120 s (see " + log + ")";
        }
      } finally {
        child.destroy();
        child.waitFor(30, TimeUnit.SECONDS);
        db.dropSlot(slot);
      }
      return outcome;
    }
  }

  private static long stored(BenchPostgres db) throws Exception {
    try {
      return Long.parseLong(db.queryString("SELECT count(*) FROM bemi.changes WHERE \"table\" = 'docs'"));
    } catch (java.sql.SQLException e) {
      return 0; // the trail's tables do not exist yet
    }
  }
}

package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.history.BemiChanges;
import io.bemi.ingester.rules.ColumnRules;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.io.File;
import java.nio.file.Files;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * No row stops the ingester for want of memory: a row larger than {@code --max-row-bytes} keeps
 * its largest values as their size and SHA-256, and wide rows below it pass through a small heap
 * (the queue is bounded by their text, not only their number).
 */
@WithPostgres
@Tag("replication")
class WideRowsTest {

  @Test
  void aRowLargerThanTheLimitKeepsItsLargestValuesAsSizeAndHashAndUndoRefusesToWriteThemBack(TestDatabase shared)
      throws Exception {
    TestDatabase db = shared.createSibling("over_limit");
    db.execute("CREATE TABLE docs (id int PRIMARY KEY, title text, body text, notes text, secret text)",
        "CREATE TABLE files (id int PRIMARY KEY, body text)");
    try (IngesterHarness harness = IngesterHarness.start(db, null, c -> c.withMaxRowBytes(64 * 1024)
        .withColumnRules(ColumnRules.parse(List.of(), List.of("docs.secret"))))) {
      db.execute("INSERT INTO docs VALUES (1, 'small', repeat('é', 50000), repeat('n', 40000), repeat('s', 500000))",
          "INSERT INTO docs VALUES (2, 'fits', repeat('b', 30000), repeat('n', 30000), 'x')",
          "INSERT INTO files VALUES (1, repeat('f', 70000))", "DELETE FROM files WHERE id = 1");
      harness.awaitCaughtUp();

      // 100,000 bytes of body and 40,000 of notes exceed 64 KB: the body (the largest; the redacted
      // secret does not count) is kept as its size and hash, the rest whole
      String body = "(after -> 'body' -> '_bemi_unparsed')";
      assertThat(db.queryValue("SELECT jsonb_build_array(after ->> 'title', length(after ->> 'notes'), "
          + "after ->> 'secret', " + body + " -> 'bytes', " + body + " ->> 'sha256' = encode(sha256(convert_to("
          + "repeat('é', 50000), 'UTF8')), 'hex'), length(" + body + " ->> 'head'), " + body + " ->> 'problem')::text "
          + "FROM bemi.changes WHERE \"table\" = 'docs' AND primary_key = '1' AND operation = 'CREATE'"))
          .isEqualTo("[\"small\", 40000, \"" + ColumnRules.REDACTED + "\", 100000, true, 128, \"its row is larger than "
              + "--max-row-bytes (65536): this value is kept as its size and SHA-256\"]");
      assertThat(db.queryValue("SELECT length(after ->> 'body') FROM bemi.changes WHERE primary_key = '2'"))
          .isEqualTo(30000);
      assertThat(harness.metrics().valuesTooLarge()).isEqualTo(3); // docs 1, and files 1 inserted and deleted

      UUID delete = (UUID) db.queryValue("SELECT id FROM bemi.changes WHERE \"table\" = 'files' AND operation = 'DELETE'");
      BemiChanges bemi = BemiChanges.of(db.dataSource());
      assertThatThrownBy(() -> BemiChanges.apply(db.dataSource(), bemi.revertSql(delete, false)))
          .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("BM009"))
          .hasMessageContaining("column(s) body of public.files");
      assertThat(db.queryLong("SELECT count(*) FROM files")).isZero();
    }
  }

  @Test
  void wideRowsAndAValueOfHundredsOfMegabytesPassThroughA256MegabyteHeap(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("small_heap");
    db.execute("CREATE TABLE docs (id int PRIMARY KEY, body text)");
    IngesterHarness.setUpSource(db);
    // 30 rows of 8 MB in one transaction (each below the default limit, a sixteenth of the heap:
    // stored whole), then one of 100 MB (compressed to almost nothing on the source), then a small one
    db.execute("INSERT INTO docs SELECT i, repeat(md5(i::text), 8 * 1024 * 1024 / 32) FROM generate_series(1, 30) i",
        "INSERT INTO docs VALUES (31, repeat('0123456789abcdef', 100 * 1024 * 1024 / 16))",
        "INSERT INTO docs VALUES (32, 'after')");
    File log = new File("target/wide-rows-ingester.log");
    log.delete();
    Process child = ChildIngester.start(db, log, "-Xmx256m", "-XX:+CrashOnOutOfMemoryError", "-XX:ErrorFile=target/wide-rows-hs_err.log");
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
      while (stored(db) < 32 && child.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(250);
      }
      assertThat(child.isAlive()).as("ingester still running (not out of memory); see " + log).isTrue();
    } finally {
      child.destroy();
      child.waitFor(30, TimeUnit.SECONDS);
      db.execute("SELECT pg_drop_replication_slot('bemi')"); // slot names are per server
    }
    assertThat(stored(db)).isEqualTo(32);
    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes WHERE \"table\" = 'docs' "
        + "AND octet_length(after ->> 'body') = 8 * 1024 * 1024")).isEqualTo(30);
    assertThat(db.queryValue("SELECT (after -> 'body' -> '_bemi_unparsed' -> 'bytes')::text || ' ' || "
        + "(after -> 'body' -> '_bemi_unparsed' ->> 'sha256' = (SELECT encode(sha256(convert_to(body, 'UTF8')), 'hex') "
        + "FROM docs WHERE id = 31)) FROM bemi.changes WHERE primary_key = '31'")).isEqualTo("104857600 true");
    assertThat(Files.readString(log.toPath())).contains("Column body of public.docs at LSN")
        .contains("raise --max-row-bytes, and the ingester's heap (-Xmx) with it");
  }

  private static long stored(TestDatabase db) throws Exception {
    try {
      return db.queryLong("SELECT count(*) FROM bemi.changes WHERE \"table\" = 'docs'");
    } catch (SQLException e) {
      return 0;
    }
  }
}

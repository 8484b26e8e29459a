package io.bemi.ingester.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.ingester.PostgresUrl;
import io.bemi.sql.Migrations;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The newest partition's block ranges summarized by the ingester, as autovacuum leaves them when a
 * fast writer overflows its queue of summarize requests (here: autosummarize and autovacuum off).
 */
@WithPostgres
class RangeSummarizerTest {

  private static final Pattern LOSSY = Pattern.compile("Heap Blocks: lossy=(\\d+)");

  /** 30,000 changes committed a minute ago, 5 per transaction; the partition they are in. */
  private static String writeUnsummarizedChanges(TestDatabase db) throws Exception {
    Migrations.migrate(db.dataSource(), "bemi");
    String insert = "INSERT INTO bemi.changes (primary_key, after, database, schema, \"table\", operation, committed_at,"
        + " queued_at, transaction_id, position, commit_lsn, change_index)"
        + " SELECT i::text, jsonb_build_object('id', i, 'note', repeat('x', 200)), 'app', 'public', 'parcels', 'CREATE',"
        + " now() - interval '1 minute', now(), 1000 + i / 5, i, 1000 + (i / 5) * 10, i % 5 FROM generate_series(FIRST, LAST) i";
    db.execute(insert.replace("FIRST", "0").replace("LAST", "0"));
    String partition = (String) db.queryValue("SELECT tableoid::regclass::text FROM bemi.changes");
    String index = (String) db.queryValue("SELECT i.indexrelid::regclass::text FROM pg_index i JOIN pg_class c"
        + " ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam WHERE i.indrelid = '" + partition
        + "'::regclass AND am.amname = 'brin'");
    db.execute("ALTER TABLE " + partition + " SET (autovacuum_enabled = off)",
        "ALTER INDEX " + index + " SET (autosummarize = off)");
    db.execute(insert.replace("FIRST", "1").replace("LAST", "29999"));
    return partition;
  }

  /** Heap blocks a lookup of the newest transaction by xid reads through the BRIN index. */
  private static int blocksReadForTheNewestTransaction(TestDatabase db) throws Exception {
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("SET enable_seqscan = off");
      StringBuilder plan = new StringBuilder();
      try (ResultSet rs = s.executeQuery("EXPLAIN (ANALYZE, COSTS OFF) SELECT count(*) FROM bemi.changes"
          + " WHERE transaction_id = " + (1000 + 29_999 / 5))) {
        while (rs.next()) {
          plan.append(rs.getString(1)).append('\n');
        }
      }
      Matcher lossy = LOSSY.matcher(plan);
      assertThat(lossy.find()).as(plan.toString()).isTrue();
      return Integer.parseInt(lossy.group(1));
    }
  }

  @Test
  void aRecentTransactionIsFoundInOneRangeOnceTheNewestPartitionIsSummarized(TestDatabase db) throws Exception {
    String partition = writeUnsummarizedChanges(db);
    long pages = db.queryLong("SELECT pg_relation_size('" + partition + "') / 8192");
    assertThat(pages).isGreaterThan(4 * 128);
    assertThat(blocksReadForTheNewestTransaction(db)).isGreaterThan((int) pages - 2 * 128); // nearly all

    try (RangeSummarizer summarizer = RangeSummarizer.start(PostgresUrl.parse(db.uri()), "bemi", Duration.ofHours(1))) {
      assertThat(summarizer.summarizeNow()).isGreaterThanOrEqualTo((int) (pages / 128));
      assertThat(summarizer.summarizeNow()).isZero();
      assertThat(summarizer.refused()).isFalse();
    }
    assertThat(blocksReadForTheNewestTransaction(db)).isLessThanOrEqualTo(128);
  }

  @Test
  void aRoleThatDoesNotOwnTheTrailIsRefusedOnceAndNotAskedAgain(TestDatabase db) throws Exception {
    writeUnsummarizedChanges(db);
    db.execute("DROP ROLE IF EXISTS summarizer_reader", "CREATE ROLE summarizer_reader LOGIN PASSWORD 'reader'",
        "GRANT USAGE ON SCHEMA bemi TO summarizer_reader", "GRANT SELECT ON bemi.changes TO summarizer_reader");
    PostgresUrl reader = PostgresUrl.parse(db.uri().replaceFirst("//[^@]*@", "//summarizer_reader:reader@"));

    try (RangeSummarizer summarizer = RangeSummarizer.start(reader, "bemi", Duration.ofHours(1))) {
      assertThat(summarizer.summarizeNow()).isZero();
      assertThat(summarizer.refused()).isTrue();
    }
    assertThat(db.queryLong("SELECT bemi.summarize_new_ranges()")).isPositive(); // the owner still can
  }
}

package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A change the destination refuses although it passed validation (here a destination trigger that
 * raises a data exception for some rows): it is quarantined, the changes around it are stored
 * exactly once, and the ingester keeps running.
 */
@WithPostgres
@Tag("replication")
public class QuarantineTest {

  private static String status(TestDatabase db) {
    java.io.PrintStream original = System.out;
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try {
      System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
      assertThat(io.bemi.ingester.cli.IngesterCommand.execute("status", "--source-url", db.uri())).isZero();
    } finally {
      System.setOut(original);
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** A destination trigger that refuses every change whose row id starts with "poison" (a data exception). */
  public static void refusePoisonRows(TestDatabase db) throws Exception {
    db.execute("""
        CREATE OR REPLACE FUNCTION bemi.refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.after->>'id' LIKE 'poison%' THEN
            RAISE EXCEPTION 'refused by the destination' USING ERRCODE = 'data_exception';
          END IF;
          RETURN NEW;
        END $$""",
        "CREATE OR REPLACE TRIGGER refuse_poison BEFORE INSERT ON bemi.changes FOR EACH ROW EXECUTE FUNCTION bemi.refuse_poison()");
  }

  @Test
  void aRefusedChangeIsQuarantinedAndTheStreamGoesOn(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE items (id text PRIMARY KEY)");
    try (IngesterHarness harness = IngesterHarness.start(db)) {
      db.execute("INSERT INTO items VALUES ('before')");
      harness.awaitCaughtUp();
      refusePoisonRows(db);

      db.execute("INSERT INTO items VALUES ('ok-1')",
          "BEGIN; INSERT INTO items VALUES ('ok-2'); INSERT INTO items VALUES ('poison-1'); "
              + "INSERT INTO items VALUES ('ok-3'); COMMIT",
          "INSERT INTO items VALUES ('poison-2')",
          "INSERT INTO items VALUES ('ok-4')");
      harness.awaitCaughtUp();

      assertThat(harness.column("primary_key", "\"table\" = 'items'"))
          .containsExactly("before", "ok-1", "ok-2", "ok-3", "ok-4");
      assertThat(db.queryValue("SELECT string_agg(after::jsonb->>'id' || ' ' || sql_state || ' ' || error, ', '"
          + " ORDER BY commit_lsn) FROM bemi.quarantine WHERE \"table\" = 'items'"))
          .isEqualTo("poison-1 22000 refused by the destination, poison-2 22000 refused by the destination");
      assertThat(harness.metrics().quarantinedChanges()).isEqualTo(2); // this ingester's
      assertThat(harness.failure()).isNull();

      assertThat(status(db)).contains("quarantined:       " + db.queryLong("SELECT count(*) FROM bemi.quarantine")
              + " change(s) the destination refused").contains("bemi.quarantine")
          .doesNotContain(db.password().isEmpty() ? "\u0000" : db.password());

      db.execute("INSERT INTO items VALUES ('ok-5')",
          "UPDATE items SET id = 'poison-moved' WHERE id = 'ok-4'");
      harness.awaitCaughtUp();
      assertThat(harness.column("primary_key", "\"table\" = 'items' AND primary_key = 'ok-5'")).hasSize(1);
      // the quarantined change keeps what the trail would have kept: its source and the key it moved from
      assertThat(db.queryValue("SELECT previous_primary_key || ' ' || (source = (SELECT DISTINCT source FROM"
          + " bemi.changes WHERE \"table\" = 'items'))::text FROM bemi.quarantine WHERE primary_key = 'poison-moved'"))
          .isEqualTo("ok-4 true");
    }
  }

  @Test
  void aRefusalInsideALargeTransactionQuarantinesOnlyTheRefusedChange(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE big (id text PRIMARY KEY, pad text)");
    try (IngesterHarness harness = IngesterHarness.start(db)) {
      db.execute("INSERT INTO big VALUES ('first', '')");
      harness.awaitCaughtUp();
      refusePoisonRows(db);

      // Over 256 KB of COPY data: the refusal surfaces while copying, not at the commit.
      db.execute("INSERT INTO big SELECT CASE WHEN n = 10 THEN 'poison-big' ELSE 'row-' || n END, repeat('x', 300)"
          + " FROM generate_series(1, 3000) n");
      harness.awaitCaughtUp();

      assertThat(db.queryLong("SELECT count(*) FROM bemi.changes WHERE \"table\" = 'big'")).isEqualTo(3000);
      assertThat(db.queryLong("SELECT count(DISTINCT primary_key) FROM bemi.changes WHERE \"table\" = 'big'"))
          .isEqualTo(3000);
      assertThat(db.queryValue("SELECT string_agg(primary_key, ',') FROM bemi.quarantine WHERE \"table\" = 'big'"))
          .isEqualTo("poison-big");
      assertThat(harness.failure()).isNull();
    }
  }
}

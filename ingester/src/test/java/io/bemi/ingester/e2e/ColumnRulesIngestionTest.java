package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.ingester.rules.ColumnRules;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** --ignore-columns and --redact-columns on a real stream. */
@WithPostgres
@Tag("replication")
class ColumnRulesIngestionTest {

  private static IngesterHarness harness;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE users (id int PRIMARY KEY, name text, updated_at timestamptz, password_hash text)",
        "CREATE TABLE posts (id int PRIMARY KEY, title text, updated_at timestamptz)");
    ColumnRules rules = ColumnRules.parse(List.of("*.updated_at", "public.posts.title"),
        List.of("*.password_hash"));
    harness = IngesterHarness.start(db, null, c -> c.withColumnRules(rules));
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  @Test
  void anUpdateOfOnlyIgnoredColumnsIsNotStored(TestDatabase db) throws Exception {
    db.execute("INSERT INTO posts VALUES (1, 'a', now())");
    db.execute("UPDATE posts SET updated_at = now() + interval '1 s', title = 'b' WHERE id = 1");
    db.execute("UPDATE posts SET updated_at = now() + interval '2 s' WHERE id = 1");
    harness.awaitCaughtUp();

    assertThat(harness.column("operation", "\"table\" = 'posts'")).containsExactly("CREATE");
  }

  @Test
  void anUpdateThatAlsoChangesAnotherColumnIsStoredWhole(TestDatabase db) throws Exception {
    db.execute("INSERT INTO users VALUES (2, 'ann', now(), 'h1')");
    db.execute("UPDATE users SET updated_at = now() + interval '1 s', name = 'anna' WHERE id = 2");
    harness.awaitCaughtUp();

    assertThat(harness.column("operation", "primary_key = '2' AND \"table\" = 'users'"))
        .containsExactly("CREATE", "UPDATE");
    assertThat(harness.column("after", "primary_key = '2' AND operation = 'UPDATE'").get(0).toString())
        .contains("\"name\": \"anna\"", "\"updated_at\"");
  }

  @Test
  void aRedactedColumnNeverReachesTheDestination(TestDatabase db) throws Exception {
    db.execute("INSERT INTO users VALUES (3, 'bob', now(), 'secret-1')");
    db.execute("UPDATE users SET password_hash = 'secret-2' WHERE id = 3");
    db.execute("DELETE FROM users WHERE id = 3");
    harness.awaitCaughtUp();

    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes WHERE primary_key = '3' AND \"table\" = 'users'"))
        .isEqualTo(3);
    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes WHERE (before::text || after::text) LIKE '%secret%'"))
        .isZero();
    assertThat(harness.column("after", "primary_key = '3' AND operation = 'CREATE'").get(0).toString())
        .contains("\"password_hash\": \"[REDACTED]\"");
  }
}

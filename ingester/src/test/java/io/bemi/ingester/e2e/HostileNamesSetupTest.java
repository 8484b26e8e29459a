package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.ingester.setup.SourceSetup;
import io.bemi.sql.SqlNames;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Setup with any name PostgreSQL allows, and on a source where an untrusted role planted functions. */
@WithPostgres
@Tag("replication")
class HostileNamesSetupTest {

  private static final List<String> NAMES = List.of("a$bemi$b", "blank\n\nline", "semi;colon", "${publication}",
      "quote\"d", "dot.ted", "ünïcødé", "x".repeat(63), "select", "end $$; DROP TABLE victim; $$");

  @Test
  void tablesWithAnyNamePostgresAllowsArePublishedAndStreamed(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE victim (id int PRIMARY KEY)");
    for (String name : NAMES) {
      db.execute("CREATE TABLE " + SqlNames.identifier(name) + " (id int PRIMARY KEY)");
    }
    try (IngesterHarness harness = IngesterHarness.start(db)) {
      for (String name : NAMES) {
        db.execute("INSERT INTO " + SqlNames.identifier(name) + " VALUES (1)");
      }
      harness.awaitCaughtUp();

      assertThat(harness.column("table", "operation = 'CREATE'")).containsExactlyInAnyOrderElementsOf(NAMES);
      assertThat(db.queryValue("SELECT count(*) FROM victim")).isEqualTo(0L);
      assertThat(db.queryValue("SELECT count(*) FROM pg_publication_tables WHERE pubname = 'bemi'"))
          .isEqualTo((long) NAMES.size() + 1);
    }
  }

  @Test
  void aSlotOfTheSameNameForAnotherDatabaseIsAnErrorNamingTheSlotOption(TestDatabase db) throws Exception {
    db.execute("SELECT pg_create_logical_replication_slot('taken_elsewhere', 'pgoutput')");
    TestDatabase other = db.createSibling("other");
    other.execute("CREATE TABLE t (id int PRIMARY KEY)");
    try (Connection c = other.connect()) {
      assertThatThrownBy(() -> SourceSetup.setupStatements(c,
          SourceSetup.trackedTables(c, "bemi", List.of(), List.of()), "p1", "taken_elsewhere"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("taken_elsewhere already exists for database " + db.name())
          .hasMessageContaining("--slot");
      assertThat(SourceSetup.setupStatements(c, SourceSetup.trackedTables(c, "bemi", List.of(), List.of()), "p1",
          "free_here")).isNotEmpty();
    } finally {
      db.execute("SELECT pg_drop_replication_slot('taken_elsewhere')");
    }
  }

  @Test
  void anUnloggedTableIsLeftOutOfThePublication(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("unlogged");
    db.execute("CREATE TABLE orders (id int PRIMARY KEY)", "CREATE UNLOGGED TABLE cache (id int PRIMARY KEY)");
    try (Connection c = db.connect()) {
      SourceSetup.execute(c, SourceSetup.setupStatements(c,
          SourceSetup.trackedTables(c, "bemi", List.of(), List.of()), "p_unlogged", "s_unlogged"));
    } finally {
      db.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 's_unlogged'");
    }
    assertThat(db.queryValue("SELECT string_agg(tablename, ',') FROM pg_publication_tables WHERE pubname = 'p_unlogged'"))
        .isEqualTo("orders");
    // named on its own, it is an error that says what to do
    try (Connection c = db.connect()) {
      assertThatThrownBy(() -> SourceSetup.trackedTables(c, "bemi", List.of(), List.of("public.cache")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Table public.cache is UNLOGGED")
          .hasMessageContaining("SET LOGGED");
      assertThat(SourceSetup.trackedTables(c, "bemi", List.of(), List.of("public.*")))
          .extracting(SourceSetup.TrackedTable::table).containsExactly("orders");
    }
  }
}

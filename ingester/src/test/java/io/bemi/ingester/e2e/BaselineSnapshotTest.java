package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.cli.IngesterCommand;
import io.bemi.ingester.rules.ColumnRules;
import io.bemi.ingester.setup.SourceSetup;
import io.bemi.ingester.setup.SourceSetup.TrackedTable;
import io.bemi.ingester.snapshot.BaselineSnapshot;
import io.bemi.ingester.snapshot.ChangesBaseline;
import io.bemi.sql.Migrations;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** setup --snapshot: the tracked tables' rows as SNAPSHOT changes, consistent with the slot's start. */
@WithPostgres
@Tag("replication")
class BaselineSnapshotTest {

  private static final String SCHEMA = "bemi";

  /** Publication and replica identity as setup makes them, without the slot; the destination migrated. */
  private static List<TrackedTable> prepare(TestDatabase db) throws Exception {
    try (Connection c = db.connect()) {
      List<TrackedTable> tracked = SourceSetup.trackedTables(c, SCHEMA, List.of(), List.of());
      SourceSetup.execute(c, SourceSetup.setupStatements(c, tracked, "bemi", "bemi").stream()
          .filter(s -> !SourceSetup.createsSlot(s)).toList());
      Migrations.migrate(db.dataSource(), SCHEMA);
      return tracked;
    }
  }

  /** Slot names are per server: each test uses its own, "bemi" (the harness's) only in one test at a time. */
  private static BaselineSnapshot snapshot(TestDatabase db, String slot, int batchSize,
      BaselineSnapshot.Listener listener) {
    PostgresUrl url = PostgresUrl.parse(db.uri());
    return new BaselineSnapshot(url, url, SCHEMA, slot, batchSize, listener);
  }

  private static BaselineSnapshot snapshot(TestDatabase db, String slot) {
    return snapshot(db, slot, 1_000, (table, done, estimated) -> {});
  }

  /** Drops the harness's slot once its walsender has let go of it. */
  private static void dropSlot(TestDatabase db, String slot) throws Exception {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "' AND active") > 0
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    db.execute("SELECT pg_drop_replication_slot('" + slot + "')");
  }


  @Test
  void baselineRowsCarryTheSourceNameTheStreamStoresUnder(TestDatabase source) throws Exception {
    TestDatabase db = source.createSibling("named");
    db.execute("CREATE TABLE accounts (id int PRIMARY KEY)", "INSERT INTO accounts VALUES (1)");

    snapshot(db, "named").run(prepare(db));

    assertThat(db.queryValue("SELECT source FROM bemi.changes"))
        .isEqualTo(db.queryValue("SELECT system_identifier FROM pg_control_system()") + "/" + db.name());
  }

  @Test
  void functionsAndOperatorsPlantedInPublicByALowPrivilegeRoleAreNotUsed(TestDatabase source) throws Exception {
    TestDatabase db = source.createSibling("planted");
    db.execute("CREATE TABLE accounts (id int PRIMARY KEY, owner text)", "INSERT INTO accounts VALUES (1, 'ann')",
        "DROP ROLE IF EXISTS planter", "CREATE ROLE planter LOGIN",
        "GRANT CREATE, USAGE ON SCHEMA public TO planter", "GRANT SELECT ON accounts TO planter",
        "SET ROLE planter",
        // Exact-type matches win over pg_catalog's polymorphic to_jsonb(anyelement) when public is searched.
        "CREATE FUNCTION public.to_jsonb(accounts) RETURNS jsonb LANGUAGE sql AS $$ SELECT '{\"forged\": true}'::jsonb $$",
        "CREATE FUNCTION public.to_jsonb(integer) RETURNS jsonb LANGUAGE sql AS $$ SELECT '666'::jsonb $$",
        "CREATE FUNCTION public.forged_eq(name, text) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$",
        "CREATE OPERATOR public.= (LEFTARG = name, RIGHTARG = text, FUNCTION = public.forged_eq)",
        "RESET ROLE");

    snapshot(db, "planted").run(prepare(db));

    assertThat(db.queryValue("SELECT after::text || ' ' || primary_key FROM bemi.changes WHERE \"table\" = 'accounts'"))
        .isEqualTo("{\"id\": 1, \"owner\": \"ann\"} 1");
    dropSlot(db, "planted");
  }

  @Test
  void everyRowIsStoredAsItsToJsonbWithTheStitchersPrimaryKey(TestDatabase source) throws Exception {
    TestDatabase db = source.createSibling("shapes");
    db.execute("CREATE TABLE items (id int PRIMARY KEY, name text, price numeric, seen timestamptz, tags text[])",
        "INSERT INTO items VALUES (1, 'pen', 1.50, '2024-01-02 03:04:05.123456+02', '{a,b}'), (2, NULL, NULL, NULL, NULL)",
        "CREATE TABLE pairs (a text, b int, PRIMARY KEY (a, b))", "INSERT INTO pairs VALUES ('x', 1)",
        "CREATE TABLE keyless (v int)", "INSERT INTO keyless VALUES (7)");

    BaselineSnapshot.Result result = snapshot(db, "shapes").run(prepare(db));

    assertThat(result.rows()).isEqualTo(4);
    assertThat(result.slotCreated()).isTrue();
    assertThat(db.queryLong("SELECT count(*) FROM items i JOIN bemi.changes c ON c.\"table\" = 'items'"
        + " AND c.primary_key = i.id::text AND c.after = to_jsonb(i.*) AND c.before = '{}'"
        + " AND c.operation = 'SNAPSHOT'")).isEqualTo(2);
    assertThat(db.queryValue("SELECT primary_key FROM bemi.changes WHERE \"table\" = 'pairs'")).isEqualTo("[\"x\",1]");
    assertThat(db.queryValue("SELECT primary_key FROM bemi.changes WHERE \"table\" = 'keyless'")).isNull();
    assertThat(db.queryValue("SELECT after->>'seen' FROM bemi.changes WHERE primary_key = '1'"))
        .isEqualTo("2024-01-02T01:04:05.123456+00:00");
    assertThat(db.queryLong("SELECT count(DISTINCT change_index) FROM bemi.changes")).isEqualTo(4);
  }

  @Test
  void baselineRowsSortJustBeforeTheSlotsFirstStreamableCommit(TestDatabase source) throws Exception {
    TestDatabase db = source.createSibling("position");
    db.execute("CREATE TABLE items (id int PRIMARY KEY)", "INSERT INTO items VALUES (1)");

    snapshot(db, "position").run(prepare(db));

    long start = db.queryLong("SELECT confirmed_flush_lsn - '0/0' FROM pg_replication_slots WHERE slot_name = 'position'");
    assertThat(db.queryLong("SELECT commit_lsn FROM bemi.changes")).isEqualTo(start - 1);
    assertThat(db.queryLong("SELECT snapshot_lsn FROM bemi.snapshot_progress WHERE status = 'done'")).isEqualTo(start);
  }

  @Test
  void rowsWrittenDuringTheSnapshotAreNeitherMissedNorDoubled(TestDatabase source) throws Exception {
    TestDatabase db = source.createSibling("race");
    db.execute("CREATE TABLE items (id int PRIMARY KEY, n int)",
        "INSERT INTO items SELECT g, 0 FROM generate_series(1, 2000) g");
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger nextId = new AtomicInteger(2001);
    Thread writer = new Thread(() -> {
      try (Connection c = db.connect(); var s = c.createStatement()) {
        while (writing.get()) {
          int id = nextId.getAndIncrement();
          s.execute("INSERT INTO items VALUES (" + id + ", 0); UPDATE items SET n = n + 1 WHERE id = " + (id % 2000 + 1));
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    writer.start();
    try {
      Thread.sleep(200);
      snapshot(db, "bemi", 100, (table, done, estimated) -> {}).run(prepare(db));
      Thread.sleep(200);
    } finally {
      writing.set(false);
      writer.join();
    }

    try (IngesterHarness harness = IngesterHarness.start(db)) {
      harness.awaitCaughtUp();
    } finally {
      dropSlot(db, "bemi");
    }

    // Each row's first stored change is either its baseline or its INSERT, never both.
    assertThat(db.queryLong("SELECT count(*) FROM (SELECT primary_key FROM bemi.changes"
        + " WHERE operation IN ('SNAPSHOT', 'CREATE') GROUP BY primary_key HAVING count(*) <> 1) d")).isZero();
    // Replaying the history gives the table as it is now.
    assertThat(db.queryLong("""
        SELECT count(*) FROM items i FULL JOIN (
          SELECT DISTINCT ON (primary_key) primary_key, after FROM bemi.changes
           ORDER BY primary_key, commit_lsn DESC, change_index DESC) last ON last.primary_key = i.id::text
         WHERE last.after IS DISTINCT FROM to_jsonb(i.*)""")).isZero();
    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes WHERE operation = 'SNAPSHOT'")).isGreaterThan(2000);
  }

  @Test
  void aRowsBaselineAndItsStreamedChangesAgreeOnKeyAndValuesWhateverTheTypes(TestDatabase source) throws Exception {
    TestDatabase db = source.createSibling("agree");
    db.execute("CREATE TYPE pair AS (a int, b text)",
        "CREATE TABLE keyed (a text, b timestamptz, c numeric, d int[], v int, PRIMARY KEY (a, b, c, d))",
        "INSERT INTO keyed VALUES (E'x\\x7fy', '2024-01-02 03:04:05+02', 1.50, '{1,2}', 1), ('plain', now(), 2, '{}', 1)",
        "CREATE TABLE composite (a int, p pair, j jsonb, v int, PRIMARY KEY (a, p, j))",
        "INSERT INTO composite VALUES (1, ROW(1, 'a b'), '{\"a\": 1}', 1)",
        // json that jsonb cannot hold: the stream keeps it in the fallback form, the baseline must too (not fail)
        "CREATE TABLE odd (id int PRIMARY KEY, j json, flag boolean, code char(4), net inet, v int)",
        "INSERT INTO odd VALUES (1, '{\"n\": 1e999999}', true, 'ab', '10.0.0.1', 1), (2, '\"\\u0000\"', false, NULL, '10.0.0.0/8', 1)");

    snapshot(db, "bemi").run(prepare(db));
    db.execute("UPDATE keyed SET v = 2", "UPDATE composite SET v = 2", "UPDATE odd SET v = 2");
    try (IngesterHarness harness = IngesterHarness.start(db)) {
      harness.awaitCaughtUp();
    } finally {
      dropSlot(db, "bemi");
    }

    // every record's SNAPSHOT and UPDATE share one primary_key text, and the UPDATE's before is the baseline's after
    assertThat(db.queryLong("""
        SELECT count(*) FROM bemi.changes s JOIN bemi.changes u USING ("table", primary_key)
         WHERE s.operation = 'SNAPSHOT' AND u.operation = 'UPDATE' AND u.before = s.after""")).isEqualTo(5);
    assertThat(db.queryLong("SELECT count(DISTINCT (\"table\", primary_key)) FROM bemi.changes")).isEqualTo(5);
    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes WHERE \"table\" = 'odd' AND operation = 'SNAPSHOT'"
        + " AND after->'j' ? '_bemi_unparsed'")).isEqualTo(2);
    assertThat(db.queryLong("SELECT count(*) FROM bemi.table_as_of('public.keyed', now())")).isEqualTo(2);
  }

  @Test
  void aRowOverTheRowLimitIsCutAlikeInTheBaselineAndTheStream(TestDatabase source) throws Exception {
    TestDatabase db = source.createSibling("row_limit");
    // 3,000 characters of text, but 6,000 bytes of UTF-8 and 18,000 of JSON escapes: each over the 4 KB limit
    db.execute("CREATE TABLE docs (id int PRIMARY KEY, title text, body text, ctl text, v int)",
        "INSERT INTO docs VALUES (1, 'a', repeat('é', 3000), 'x', 1), (2, 'b', 'short', repeat(E'\\x01', 3000), 1)");
    PostgresUrl url = PostgresUrl.parse(db.uri());
    new BaselineSnapshot(url, "bemi", new ChangesBaseline(url, SCHEMA, "bemi", url, null), 1_000,
        (table, done, estimated) -> {}, ColumnRules.NONE, 4096).run(prepare(db));
    db.execute("UPDATE docs SET v = 2");
    try (IngesterHarness harness = IngesterHarness.start(db, null, c -> c.withMaxRowBytes(4096))) {
      harness.awaitCaughtUp();
    } finally {
      dropSlot(db, "bemi");
    }

    // the UPDATE's before (the stream's rendering of the old row) is the baseline's after, placeholder and all
    assertThat(db.queryLong("""
        SELECT count(*) FROM bemi.changes s JOIN bemi.changes u USING ("table", primary_key)
         WHERE s.operation = 'SNAPSHOT' AND u.operation = 'UPDATE' AND u.before = s.after""")).isEqualTo(2);
    assertThat(db.queryValue("SELECT string_agg(concat_ws(' ', primary_key, after -> 'body' -> '_bemi_unparsed' -> 'bytes',"
        + " after -> 'ctl' -> '_bemi_unparsed' -> 'bytes', after ->> 'title'), ', ' ORDER BY primary_key)"
        + " FROM bemi.changes WHERE operation = 'SNAPSHOT'")).isEqualTo("1 6000 a, 2 3000 b");
  }

  @Test
  void aRecordOlderThanTrackingIsAnsweredAsOfATimeBeforeItsFirstStreamedChange(TestDatabase source)
      throws Exception {
    TestDatabase db = source.createSibling("asof");
    db.execute("CREATE TABLE items (id int PRIMARY KEY, name text)", "INSERT INTO items VALUES (1, 'old')");
    snapshot(db, "bemi").run(prepare(db));
    Thread.sleep(50);
    Object between = db.queryValue("SELECT clock_timestamp()");
    Thread.sleep(50);
    db.execute("UPDATE items SET name = 'new' WHERE id = 1");

    try (IngesterHarness harness = IngesterHarness.start(db)) {
      harness.awaitCaughtUp();
    } finally {
      dropSlot(db, "bemi");
    }

    assertThat(db.queryValue("SELECT bemi.record_as_of('items', '1', '" + between + "')::text"))
        .isEqualTo("{\"id\": 1, \"name\": \"old\"}");
    assertThat(db.queryValue("SELECT bemi.record_as_of('items', '1', now())::text"))
        .isEqualTo("{\"id\": 1, \"name\": \"new\"}");
  }

  @Test
  void anInterruptedSnapshotSkipsDoneTablesAndCopiesTheHalfDoneOneAgain(TestDatabase source) throws Exception {
    TestDatabase db = source.createSibling("resume");
    db.execute("CREATE TABLE a_first (id int PRIMARY KEY)", "INSERT INTO a_first SELECT generate_series(1, 30)",
        "CREATE TABLE b_second (id int PRIMARY KEY)", "INSERT INTO b_second SELECT generate_series(1, 50)");
    List<TrackedTable> tracked = prepare(db);
    BaselineSnapshot.Listener crashInSecondTable = (table, done, estimated) -> {
      if (table.table().equals("b_second") && done >= 20) {
        throw new IllegalStateException("simulated crash");
      }
    };
    assertThatThrownBy(() -> snapshot(db, "resume", 10, crashInSecondTable).run(tracked)).hasMessage("simulated crash");
    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes WHERE \"table\" = 'b_second'")).isEqualTo(20);
    long firstTableLsn = db.queryLong("SELECT max(commit_lsn) FROM bemi.changes WHERE \"table\" = 'a_first'");
    assertThat(Cli.run("status", "--source-url", db.uri(), "--slot", "resume", "--publication", "bemi").out())
        .contains("baseline:          1 of 2 published table(s) snapshotted; public.b_second unfinished at 20 rows "
            + "(running, or interrupted: run the same setup again to finish it)").doesNotContain("without:");

    BaselineSnapshot.Result resumed = snapshot(db, "resume").run(tracked);

    assertThat(resumed.tablesSkipped()).isEqualTo(1);
    assertThat(resumed.slotCreated()).isFalse();
    assertThat(db.queryLong("SELECT count(DISTINCT primary_key) FROM bemi.changes WHERE \"table\" = 'b_second'"))
        .isEqualTo(50);
    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes WHERE \"table\" = 'b_second'")).isEqualTo(50);
    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes WHERE \"table\" = 'a_first' AND commit_lsn = "
        + firstTableLsn)).isEqualTo(30);
    assertThat(db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'resume_snapshot%'"))
        .isZero();
    assertThat(db.queryLong("SELECT count(*) FROM bemi.snapshot_progress WHERE status = 'done'")).isEqualTo(2);
  }

  @Test
  void setupWithSnapshotRunTwiceCopiesTheRowsOnce(TestDatabase source) throws Exception {
    TestDatabase db = source.createSibling("cli");
    db.execute("CREATE TABLE items (id int PRIMARY KEY)", "INSERT INTO items SELECT generate_series(1, 10)");
    String[] args = {"setup", "--source-url", db.uri(), "--slot", "cli", "--publication", "cli", "--snapshot"};

    assertThat(IngesterCommand.commandLine().execute(args)).isZero();
    assertThat(IngesterCommand.commandLine().execute(args)).isZero();

    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes WHERE operation = 'SNAPSHOT'")).isEqualTo(10);
    assertThat(db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'cli'")).isEqualTo(1);
  }

  @Test
  void snapshotTablesTakesTheBaselineOfTheChosenTablesOnlyAndStillPublishesEveryTrackedTable(TestDatabase source)
      throws Exception {
    TestDatabase db = source.createSibling("chosen");
    db.execute("CREATE TABLE orders (id int PRIMARY KEY)", "INSERT INTO orders SELECT generate_series(1, 10)",
        "CREATE TABLE refunds (id int PRIMARY KEY)", "INSERT INTO refunds SELECT generate_series(1, 4)");
    String uri = db.uri();
    String count = "SELECT count(*) FROM bemi.changes WHERE operation = 'SNAPSHOT' AND \"table\" = ";

    Cli.Result first = Cli.run("setup", "--source-url", uri, "--slot", "chosen", "--publication", "chosen",
        "--snapshot-tables", "public.refunds");

    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(first.out()).contains("Baseline snapshot: 4 row(s) from 1 table(s) copied, 0 already done, 1 not "
        + "chosen by --snapshot-tables.");
    assertThat(db.queryLong(count + "'refunds'")).isEqualTo(4);
    assertThat(db.queryLong(count + "'orders'")).isZero();
    assertThat(db.queryLong("SELECT count(*) FROM pg_publication_tables WHERE pubname = 'chosen'")).isEqualTo(2);
    String[] status = {"status", "--source-url", uri, "--slot", "chosen", "--publication", "chosen"};
    assertThat(Cli.run(status).out()).contains("baseline:          1 of 2 published table(s) snapshotted; without: "
        + "public.orders (a row from before tracking that has not changed since has no history; `bemi-ingester setup "
        + "--snapshot-tables 'public.orders'` records the rows they hold now)");

    // later, the other table's baseline (in a temporary slot's snapshot); the first is not copied again
    Cli.Result second = Cli.run("setup", "--source-url", uri, "--slot", "chosen", "--publication", "chosen",
        "--snapshot-tables", "orders,refunds");

    assertThat(second.exitCode()).as(second.err()).isZero();
    assertThat(second.out()).contains("Baseline snapshot: 10 row(s) from 1 table(s) copied, 1 already done.");
    assertThat(db.queryLong(count + "'orders'")).isEqualTo(10);
    assertThat(db.queryLong(count + "'refunds'")).isEqualTo(4);
    assertThat(Cli.run(status).out()).contains("baseline:          2 of 2 published table(s) snapshotted")
        .doesNotContain("without:");

    Cli.Result untracked = Cli.run("setup", "--source-url", uri, "--slot", "chosen", "--publication", "chosen",
        "--exclude-tables", "refunds", "--snapshot-tables", "re*");

    assertThat(untracked.exitCode()).isEqualTo(2);
    assertThat(untracked.err()).contains("--snapshot-tables re* matches no table this setup tracks (tracked: "
        + "public.orders); it chooses among the tables of --schemas/--tables/--exclude-tables");
    assertThat(db.queryLong("SELECT count(*) FROM pg_publication_tables WHERE pubname = 'chosen'"))
        .as("nothing changed").isEqualTo(2);
    db.execute("SELECT pg_drop_replication_slot('chosen')");
  }

  @Test
  void tablesWhoseNamesHoldDotsCommasOrStarsAreChosenAndSuggestedInDoubleQuotes(TestDatabase source)
      throws Exception {
    TestDatabase db = source.createSibling("quoted");
    db.execute("CREATE SCHEMA \"odd.names\"",
        "CREATE TABLE \"odd.names\".\"orders.2024\" (id int PRIMARY KEY)",
        "INSERT INTO \"odd.names\".\"orders.2024\" SELECT generate_series(1, 3)",
        "CREATE TABLE \"odd.names\".\"a,b\" (id int PRIMARY KEY)", "INSERT INTO \"odd.names\".\"a,b\" VALUES (1)",
        "CREATE TABLE \"odd.names\".\"star*\" (id int PRIMARY KEY)",
        "CREATE TABLE \"odd.names\".\"star-x\" (id int PRIMARY KEY)", "INSERT INTO \"odd.names\".\"star-x\" VALUES (1)");
    String uri = db.uri();
    String[] setup = {"setup", "--source-url", uri, "--slot", "quoted", "--publication", "quoted",
        "--tables", "\"odd.names\".*", "--exclude-tables", "\"odd.names\".\"star*\""};
    String count = "SELECT count(*) FROM bemi.changes WHERE operation = 'SNAPSHOT' AND \"table\" = ";

    Cli.Result first = Cli.run(concat(setup, "--snapshot-tables", "\"odd.names\".\"orders.2024\""));

    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(db.queryValue("SELECT string_agg(tablename, ' ' ORDER BY tablename) FROM pg_publication_tables"
        + " WHERE pubname = 'quoted'")).as("the quoted star is a character, not a glob").isEqualTo("a,b orders.2024 star-x");
    assertThat(db.queryLong(count + "'orders.2024'")).isEqualTo(3);
    assertThat(db.queryLong(count + "'a,b'")).isZero();

    db.execute("CREATE TABLE \"odd.names\".\"new.one\" (id int PRIMARY KEY)");
    String[] status = {"status", "--source-url", uri, "--slot", "quoted", "--publication", "quoted"};
    Cli.Result before = Cli.run(status);
    String options = "--tables '\"odd.names\".*' --exclude-tables '\"odd.names\".\"star*\"'";
    assertThat(before.out() + before.err())
        .contains("created since setup are not in publication quoted, so none of their changes is captured: "
            + "\"odd.names\".\"new.one\".")
        .contains("`bemi-ingester setup " + options + " --snapshot-tables '\"odd.names\".\"new.one\"'`")
        .contains("baseline:          1 of 3 published table(s) snapshotted; without: \"odd.names\".\"a,b\", "
            + "\"odd.names\".star-x (a row from before tracking that has not changed since has no history; "
            + "`bemi-ingester setup " + options + " --snapshot-tables '\"odd.names\".\"a,b\",\"odd.names\".star-x'`");

    // the suggested command, as a shell would pass it
    Cli.Result second = Cli.run(concat(setup, "--snapshot-tables", "\"odd.names\".\"a,b\",\"odd.names\".star-x"));

    assertThat(second.exitCode()).as(second.err()).isZero();
    assertThat(second.out()).contains("Baseline snapshot: 2 row(s) from 2 table(s) copied, 0 already done, 2 not chosen");
    assertThat(db.queryLong(count + "'a,b'")).isEqualTo(1);
    assertThat(db.queryLong(count + "'star-x'")).isEqualTo(1);
    assertThat(Cli.run(status).out()).contains("baseline:          3 of 4 published table(s) snapshotted; without: "
        + "\"odd.names\".\"new.one\" (");
    db.execute("SELECT pg_drop_replication_slot('quoted')");
  }

  private static String[] concat(String[] args, String... more) {
    return java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.Arrays.stream(more))
        .toArray(String[]::new);
  }

  @Test
  void redactedAndGeneratedColumnsAreStoredAsTheStreamStoresThem(TestDatabase source) throws Exception {
    TestDatabase db = source.createSibling("redact");
    db.execute("CREATE TABLE users (id int PRIMARY KEY, password_hash text, doubled int GENERATED ALWAYS AS (id * 2) STORED)",
        "INSERT INTO users VALUES (1, 'secret')");
    PostgresUrl url = PostgresUrl.parse(db.uri());

    new BaselineSnapshot(url, "redact", new ChangesBaseline(url, SCHEMA, "redact", url, null), 1_000, (table, done, estimated) -> {},
        ColumnRules.parse(List.of(), List.of("*.password_hash"))).run(prepare(db));

    assertThat(db.queryValue("SELECT after::text FROM bemi.changes"))
        .isEqualTo("{\"id\": 1, \"password_hash\": \"[REDACTED]\"}");
  }
}

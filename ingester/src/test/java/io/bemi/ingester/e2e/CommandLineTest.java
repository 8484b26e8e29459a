package io.bemi.ingester.e2e;

import static io.bemi.ingester.e2e.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.e2e.Cli.Result;
import io.bemi.sql.Migrations;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@WithPostgres
@Tag("replication")
class CommandLineTest {

  @BeforeAll
  static void tables(TestDatabase db) throws Exception {
    db.execute("CREATE SCHEMA shop", "CREATE TABLE shop.carts (id int PRIMARY KEY)",
        "CREATE TABLE shop.cart_items (id int PRIMARY KEY)", "CREATE TABLE shop.sessions (id int PRIMARY KEY)",
        "CREATE TABLE shop.tmp_import (id int PRIMARY KEY)",
        "CREATE TABLE shop.events (id int, at date) PARTITION BY RANGE (at)",
        "CREATE TABLE shop.events_2026 PARTITION OF shop.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
        "CREATE TABLE public.\"Odd Name\" (id int)", "CREATE UNLOGGED TABLE shop.cache (id int PRIMARY KEY)");
  }

  @Test
  void setupPrintSqlPrintsWhatTheSourceStillNeedsAndChangesNothing(TestDatabase db) throws Exception {
    db.execute("CREATE SCHEMA printing", "CREATE TABLE printing.fresh (id int PRIMARY KEY)",
        "CREATE TABLE printing.\"Odd Name\" (id int)", "CREATE TABLE printing.ready (id int PRIMARY KEY)",
        "ALTER TABLE printing.ready REPLICA IDENTITY FULL");
    Result result = run("setup", "--source-url", db.uri(), "--slot", "printed", "--publication", "printed",
        "--schemas", "printing", "--print-sql");
    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .contains("ALTER TABLE \"printing\".\"fresh\" REPLICA IDENTITY FULL;")
        .contains("ALTER TABLE \"printing\".\"Odd Name\" REPLICA IDENTITY FULL;")
        // it has it already: no ALTER, which would take an ACCESS EXCLUSIVE lock for nothing
        .doesNotContain("ALTER TABLE \"printing\".\"ready\"")
        .contains("CREATE PUBLICATION \"printed\" FOR TABLE")
        .contains("\"printing\".\"ready\"")
        .contains("publish_via_partition_root = true")
        .contains("pg_create_logical_replication_slot('printed', 'pgoutput')");
    assertThat(db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'printed'")).isZero();
    assertThat(db.queryValue("SELECT relreplident::text FROM pg_class WHERE oid = 'printing.fresh'::regclass"))
        .isEqualTo("d");
  }

  @Test
  void setupIsIdempotentAndHonoursTheChosenSchemas(TestDatabase db) throws Exception {
    String[] args = {"setup", "--source-url", db.jdbcUrlWithCredentials(), "--slot", "twice", "--publication", "twice",
        "--schemas", "shop"};
    assertThat(run(args).exitCode()).isZero();
    Result again = run(args);
    assertThat(again.exitCode()).isZero();
    assertThat(again.out()).contains("publication twice with 5 table(s), slot twice");
    assertThat(published(db, "twice")).isEqualTo("shop.cart_items,shop.carts,shop.events,shop.sessions,shop.tmp_import");
    assertThat(db.queryValue("SELECT relreplident::text FROM pg_class WHERE oid = 'shop.carts'::regclass")).isEqualTo("f");
    assertThat(db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'twice'")).isEqualTo(1);
  }

  @Test
  void setupMakesAFailoverSlotFromPostgres17AndStatusSaysSo(TestDatabase db) throws Exception {
    Result setup = run("setup", "--source-url", db.uri(), "--slot", "ha", "--publication", "ha");
    assertThat(setup.exitCode()).isZero();
    Result status = run("status", "--source-url", db.uri(), "--slot", "ha");
    if (db.serverMajorVersion() >= 17) {
      assertThat(setup.out()).contains("Slot ha is a failover slot").contains("synchronized_standby_slots is empty");
      assertThat(db.queryValue("SELECT failover FROM pg_replication_slots WHERE slot_name = 'ha'")).isEqualTo(true);
      assertThat(status.out()).contains("failover slot:     yes");
    } else {
      assertThat(setup.out()).contains("Slot ha is not a failover slot");
      assertThat(status.out()).contains("failover slot:     no (PostgreSQL 17+ only");
    }
    assertThat(run("teardown", "--source-url", db.uri(), "--slot", "ha", "--publication", "ha", "--yes").exitCode())
        .isZero();
  }

  @Test
  void statusShowsTheSourceOfTheSlotAndTheOtherSourcesOfTheDestination(TestDatabase source) throws Exception {
    TestDatabase db = source.createSibling("sources");
    db.execute("SELECT pg_create_logical_replication_slot('named', 'pgoutput')");
    Migrations.migrate(db.dataSource(), "bemi");
    db.execute("INSERT INTO bemi.ingester_checkpoints (slot, source_database, commit_lsn, end_lsn, committed_at, source)"
        + " VALUES ('named', '" + db.name() + "', 1, 2, now(), 'shop-eu'), ('other', 'crm', 1, 2, now(), 'crm-us')");

    Result status = run("status", "--source-url", db.uri(), "--slot", "named");

    assertThat(status.out()).contains("source:            shop-eu").contains("other sources:     crm-us");
    db.execute("SELECT pg_drop_replication_slot('named')");
  }

  @Test
  void aForAllTablesPublicationsTrailTablesAreNotCountedAndSetupSaysItCannotManageIt(TestDatabase source)
      throws Exception {
    TestDatabase db = source.createSibling("alltables");
    db.execute("CREATE TABLE orders (id int PRIMARY KEY)");
    Migrations.migrate(db.dataSource(), "bemi");
    db.execute("CREATE PUBLICATION everything FOR ALL TABLES",
        "SELECT pg_create_logical_replication_slot('everything', 'pgoutput')");

    Result status = run("status", "--source-url", db.uri(), "--slot", "everything", "--publication", "everything");

    assertThat(status.exitCode()).as(status.err()).isZero();
    assertThat(status.out()).contains("baseline:          0 of 1 published table(s) snapshotted; without: "
        + "public.orders (").doesNotContain("bemi.changes");
    // a trail in another database: the source's tables are all the publication's
    TestDatabase trail = source.createSibling("alltables_trail");
    Migrations.migrate(trail.dataSource(), "bemi");
    Result separate = run("status", "--source-url", db.uri(), "--destination-url", trail.uri(), "--slot",
        "everything", "--publication", "everything");
    assertThat(separate.out()).contains("published table(s) snapshotted; without: bemi.");
    Result setup = run("setup", "--source-url", db.uri(), "--slot", "everything", "--publication", "everything");
    assertThat(setup.exitCode()).isEqualTo(2);
    assertThat(setup.err()).contains("Publication everything is FOR ALL TABLES (made by hand)",
        "Drop it (DROP PUBLICATION \"everything\") or choose another --publication");
    db.execute("SELECT pg_drop_replication_slot('everything')");
  }

  @Test
  void statusShowsTheSlotAndTeardownNeedsConfirmation(TestDatabase db) throws Exception {
    assertThat(run("setup", "--source-url", db.uri(), "--slot", "gone", "--publication", "gone").exitCode()).isZero();
    Result status = run("status", "--source-url", db.uri(), "--slot", "gone");
    assertThat(status.exitCode()).isZero();
    assertThat(status.out()).contains("confirmed LSN:").contains("lag:").contains("stored checkpoint:");

    Result refused = run("teardown", "--source-url", db.uri(), "--slot", "gone", "--publication", "gone");
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.err()).contains("add --yes to confirm");

    assertThat(run("teardown", "--source-url", db.uri(), "--slot", "gone", "--publication", "gone", "--yes").exitCode())
        .isZero();
    assertThat(db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'gone'")).isZero();
    assertThat(db.queryLong("SELECT count(*) FROM pg_publication WHERE pubname = 'gone'")).isZero();
  }

  @Test
  void runWithoutSetupSaysToRunSetup(TestDatabase db) {
    Result result = run("run", "--source-url", db.uri(), "--slot", "never_created");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err().strip()).startsWith("bemi-ingester: Replication slot 'never_created' does not exist")
        .contains("bemi-ingester setup").doesNotContain("\n");
  }

  @Test
  void anHttpPortInUseOrAnAddressNotOfThisMachineIsASettingToFixNamedInOneLine(TestDatabase db) throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Result inUse = run("run", "--source-url", db.uri(), "--slot", "never_created", "--http-host", "127.0.0.1",
          "--http-port", String.valueOf(taken.getLocalPort()));
      assertThat(inUse.exitCode()).isEqualTo(2);
      assertThat(inUse.err().strip()).startsWith("bemi-ingester: Cannot serve HTTP on 127.0.0.1:" + taken.getLocalPort()
          + " (--http-host, --http-port): ").contains("choose a free port").doesNotContain("\n");
    }
    Result unresolved = run("run", "--source-url", db.uri(), "--slot", "never_created", "--http-host", "nosuch.invalid",
        "--http-port", "9464");
    assertThat(unresolved.exitCode()).isEqualTo(2);
    assertThat(unresolved.err()).contains("Cannot serve HTTP on nosuch.invalid:9464 (--http-host, --http-port)");
  }

  @Test
  void aBadCommandLineIsOneLineSayingWhereTheUsageIsNotTheWholeUsage() {
    Result misspelt = run("run", "--slto", "x");
    assertThat(misspelt.exitCode()).isEqualTo(2);
    assertThat(misspelt.err().strip()).doesNotContain("\n")
        .startsWith("bemi-ingester: Unknown options: '--slto', 'x'").contains("did you mean --slot")
        .endsWith("; see `bemi-ingester run --help`");
    Result badEnum = run("run", "--sink", "foo");
    assertThat(badEnum.err().strip()).doesNotContain("\n").contains("--sink").endsWith("; see `bemi-ingester run --help`");
  }

  @Test
  void aWebhookUrlWithoutTheWebhookSinkIsRefusedNotIgnored(TestDatabase db) {
    Result result = run("run", "--source-url", db.uri(), "--slot", "never_created", "--webhook-url", "http://127.0.0.1:1/hook");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err().strip()).isEqualTo("bemi-ingester: --webhook-url (or BEMI_WEBHOOK_URL) is given but --sink is"
        + " database: add --sink webhook, or remove the URL");
  }

  @Test
  void kafkaOrWebhookOptionsOnTheCommandLineOfAnotherSinkAreRefusedNotIgnored(TestDatabase db) {
    Result kafka = run("run", "--source-url", db.uri(), "--slot", "never_created", "--kafka-bootstrap-servers", "k:9092");
    assertThat(kafka.exitCode()).isEqualTo(2);
    assertThat(kafka.err().strip()).isEqualTo("bemi-ingester: --kafka-bootstrap-servers is given but --sink is database:"
        + " add --sink kafka, or remove --kafka-bootstrap-servers");
    Result webhook = run("setup", "--source-url", db.uri(), "--slot", "never_created", "--snapshot", "--sink", "kafka",
        "--kafka-bootstrap-servers", "k:9092", "--webhook-per", "batch");
    assertThat(webhook.exitCode()).isEqualTo(2);
    assertThat(webhook.err()).contains("--webhook-per is given but --sink is kafka: add --sink webhook");
  }

  @Test
  void consumeRefusesSourceOptionsItWouldIgnore(TestDatabase db) {
    Result result = run("consume", "--destination-url", db.uri(), "--kafka-bootstrap-servers", "127.0.0.1:1",
        "--source-name", "eu-1");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err().strip()).startsWith("bemi-ingester: --source-name does not apply to consume")
        .contains("bemi.source");
  }

  @Test
  void runWithoutPublicationSaysToRunSetup(TestDatabase db) throws Exception {
    db.execute("SELECT pg_create_logical_replication_slot('no_publication', 'pgoutput')");
    Result result = run("run", "--source-url", db.uri(), "--slot", "no_publication", "--publication", "missing");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("Publication 'missing' does not exist").contains("bemi-ingester setup");
  }

  @Test
  void aMissingSourceUrlIsAOneLineError() {
    Result result = run("status");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("Missing --source-url (or BEMI_SOURCE_URL)");
  }

  @Test
  void aBadUrlIsRejectedWithoutShowingThePassword() {
    Result result = run("status", "--source-url", "mysql://root:secret@host/db");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--source-url").doesNotContain("secret");
  }

  @Test
  void everyCommandHasHelp() {
    for (String command : new String[] {"setup", "run", "status", "compact", "teardown"}) {
      Result result = run(command, "--help");
      assertThat(result.exitCode()).as(command).isZero();
      assertThat(result.out()).as(command).contains("--source-url").contains("BEMI_SOURCE_URL");
    }
  }

  @Test
  void urlsAreNeverPrintedWithTheirPassword() {
    assertThat(PostgresUrl.parse("postgresql://ann:s3cr%40t@db.example:5433/app").toString())
        .isEqualTo("jdbc:postgresql://db.example:5433/app (user ann)");
    assertThat(PostgresUrl.parse("jdbc:postgresql://h/app?user=ann&password=s3cret&ssl=true").toString())
        .doesNotContain("s3cret").contains("password=***");
    assertThat(PostgresUrl.parse("postgresql://ann:s3cr%40t@db.example:5433/app").properties().getProperty("password"))
        .isEqualTo("s3cr@t");
  }

  @Test
  void tablePatternsIncludeAndExcludeTablesWithTheirPartitions(TestDatabase db) throws Exception {
    Result result = run("setup", "--source-url", db.uri(), "--slot", "patterns", "--publication", "patterns",
        "--tables", "shop.*", "--exclude-tables", "shop.sessions,*.tmp_*,shop.events");
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(published(db, "patterns")).isEqualTo("shop.cart_items,shop.carts");
  }

  @Test
  void anExcludedPartitionedTableLeavesItsPartitionsAlone(TestDatabase db) {
    Result result = run("setup", "--source-url", db.uri(), "--slot", "parts", "--publication", "parts",
        "--schemas", "shop", "--exclude-tables", "shop.events", "--print-sql");
    assertThat(result.exitCode()).as(result.err()).isZero();
    // neither the table nor its partition is altered or published (setup's options, recorded, still name it)
    assertThat(result.out()).contains("\"shop\".\"carts\"").doesNotContain("\"events");
  }

  @Test
  void reRunningSetupWithAnExclusionTakesTheTableOutOfThePublication(TestDatabase db) throws Exception {
    String[] base = {"setup", "--source-url", db.uri(), "--slot", "narrowed", "--publication", "narrowed",
        "--schemas", "shop"};
    assertThat(run(base).exitCode()).isZero();
    String[] narrowed = java.util.stream.Stream.concat(java.util.Arrays.stream(base),
        java.util.stream.Stream.of("--exclude-tables", "shop.cart*")).toArray(String[]::new);
    assertThat(run(narrowed).exitCode()).isZero();
    assertThat(published(db, "narrowed")).isEqualTo("shop.events,shop.sessions,shop.tmp_import");
  }

  @Test
  void aTableNamedExactlyThatDoesNotExistStopsSetupWithTheName(TestDatabase db) {
    Result result = run("setup", "--source-url", db.uri(), "--slot", "missing", "--publication", "missing",
        "--tables", "shop.carts,shop.cartz");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("Table shop.cartz not found");
  }

  @Test
  void anUnloggedTableNamedExactlyStopsSetupWithWhatToDo(TestDatabase db) {
    Result result = run("setup", "--source-url", db.uri(), "--slot", "unlogged", "--publication", "unlogged",
        "--tables", "shop.carts,shop.cache");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("Table shop.cache is UNLOGGED", "ALTER TABLE \"shop\".\"cache\" SET LOGGED");
  }

  @Test
  void anInvalidTablePatternIsRejectedWithThePattern(TestDatabase db) {
    Result result = run("setup", "--source-url", db.uri(), "--exclude-tables", "a.b.c");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("Invalid table pattern 'a.b.c'");
  }

  @Test
  void excludingEveryTableLeavesNothingToTrackAndSaysSo(TestDatabase db) {
    Result result = run("setup", "--source-url", db.uri(), "--slot", "nothing", "--publication", "nothing",
        "--schemas", "shop", "--exclude-tables", "shop.*");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("No tables to track", "--exclude-tables");
  }

  private static Object published(TestDatabase db, String publication) throws Exception {
    return db.queryValue("SELECT string_agg(schemaname || '.' || tablename, ',' ORDER BY schemaname, tablename) "
        + "FROM pg_publication_tables WHERE pubname = '" + publication + "'");
  }

  @Test
  void anInvalidColumnRuleIsRejectedAtStartWithTheRule(TestDatabase db) {
    Result result = run("run", "--source-url", db.uri(), "--ignore-columns", "*.updated_at,updated_at");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("Invalid column rule 'updated_at'");
  }

  @Test
  void anOriginOtherThanAnyOrNoneIsRejectedWithBoth(TestDatabase db) {
    Result result = run("run", "--source-url", db.uri(), "--origin", "all");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--origin must be any (capture every change) or none").contains("not 'all'");
  }

  @Test
  void aConfigFileSetsOptionsByTheirLongNames(TestDatabase db) throws Exception {
    Path file = Files.createTempFile("bemi", ".properties");
    Files.writeString(file, "source-url=" + db.uri() + "\nredact-columns=from_file\n");
    try {
      Result result = run("run", "--config", file.toString());
      assertThat(result.exitCode()).isEqualTo(2);
      assertThat(result.err()).contains("Invalid column rule 'from_file'");
    } finally {
      Files.delete(file);
    }
  }

  @Test
  void theCommandLineWinsOverTheConfigFile(TestDatabase db) throws Exception {
    Path file = Files.createTempFile("bemi", ".properties");
    Files.writeString(file, "ignore-columns=from_file\n");
    try {
      Result result = run("run", "--config", file.toString(), "--source-url", db.uri(), "--ignore-columns", "from_flag");
      assertThat(result.err()).contains("'from_flag'").doesNotContain("from_file");
    } finally {
      Files.delete(file);
    }
  }

  @Test
  void anUnknownKeyInTheConfigFileIsRejected() throws Exception {
    Path file = Files.createTempFile("bemi", ".properties");
    Files.writeString(file, "source_url=postgresql://x/y\n");
    try {
      Result result = run("status", "--config", file.toString());
      assertThat(result.exitCode()).isEqualTo(2);
      assertThat(result.err()).contains("Unknown key 'source_url'");
    } finally {
      Files.delete(file);
    }
  }

  @Test
  void statusWarnsAboutRetainedWalAndExplainsMaxSlotWalKeepSize(TestDatabase db) throws Exception {
    run("setup", "--source-url", db.uri(), "--slot", "retained", "--publication", "retained");
    db.execute("CREATE TABLE wal_filler (v text)", "INSERT INTO wal_filler SELECT repeat('x', 1000) FROM generate_series(1, 2000)");

    Result result = run("status", "--source-url", db.uri(), "--slot", "retained", "--warn-retained-wal-mb", "0");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("WARNING: the slot retains").contains("max_slot_wal_keep_size = -1 (unlimited)");
    run("teardown", "--source-url", db.uri(), "--slot", "retained", "--publication", "retained", "--yes");
  }

  @Test
  void aNegativeHeartbeatIntervalFromTheConfigFileIsRejectedAtStart(TestDatabase db) throws Exception {
    Path file = Files.createTempFile("bemi", ".properties");
    Files.writeString(file, "heartbeat-interval=-1\nmax-lag-seconds=60\nlog-format=text\n");
    try {
      Result result = run("run", "--config", file.toString(), "--source-url", db.uri());
      assertThat(result.exitCode()).isEqualTo(2);
      assertThat(result.err().strip()).isEqualTo("bemi-ingester: --heartbeat-interval must be >= 0 (0: off), not -1"
          + " (set by key 'heartbeat-interval' in config file " + file + ")");
    } finally {
      Files.delete(file);
    }
  }

  @Test
  void aValueTheConfigFileGivesThatDoesNotParseNamesTheFileAndKey(TestDatabase db) throws Exception {
    Path file = Files.createTempFile("bemi", ".properties");
    Files.writeString(file, "run.http-port=abc\n");
    try {
      Result result = run("run", "--config", file.toString(), "--source-url", db.uri());
      assertThat(result.exitCode()).isEqualTo(2);
      assertThat(result.err().strip()).doesNotContain("\n").contains("--http-port").contains("'abc'")
          .contains("(set by key 'run.http-port' in config file " + file + ")");
    } finally {
      Files.delete(file);
    }
  }

  @Test
  void aBadSchemaSlotOrPublicationNameStopsTheCommandBeforeItReportsAnything(TestDatabase db) throws Exception {
    assertThat(run("setup", "--source-url", db.uri(), "--slot", "named", "--publication", "named").exitCode()).isZero();
    try {
      for (String[] bad : List.of(new String[] {"--destination-schema", "x;drop"}, new String[] {"--slot", "Named"},
          new String[] {"--publication", "a b"})) {
        Result result = bad[0].equals("--slot") ? run("status", "--source-url", db.uri(), bad[0], bad[1])
            : run("status", "--source-url", db.uri(), "--slot", "named", bad[0], bad[1]);
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.out()).isEmpty();
        assertThat(result.err().strip()).startsWith("bemi-ingester: " + bad[0] + " must").contains("'" + bad[1] + "'")
            .doesNotContain("\n");
      }
    } finally {
      run("teardown", "--source-url", db.uri(), "--slot", "named", "--publication", "named", "--yes");
    }
  }

  @Test
  void anUnknownLogFormatIsRejectedWithTheChoices(TestDatabase db) {
    Result result = run("run", "--source-url", db.uri(), "--log-format", "xml");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--log-format", "TEXT, JSON", "'xml'");
  }

  @Test
  void anInvalidRetentionIsRejectedAtStart(TestDatabase db) {
    Result result = run("run", "--source-url", db.uri(), "--retention", "3 months");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("Invalid --retention '3 months'");
  }
}

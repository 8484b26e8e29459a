package io.bemi.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What makes a revert trustworthy: the transaction it names is the one meant, redacted values
 * never leak or get written, and a table altered since is reverted right or not at all.
 */
@WithPostgres
class RevertTrustTest {

  private static TestDatabase fresh(TestDatabase shared, String name) throws SQLException {
    TestDatabase db = shared.createSibling(name);
    Trail.install(db);
    return db;
  }

  private static BemiChanges bemi(TestDatabase db) {
    return BemiChanges.of(db.dataSource());
  }

  private static void apply(TestDatabase db, String sql) throws SQLException {
    try (Connection c = db.connect()) {
      BemiChanges.apply(c, sql);
    }
  }

  private static UUID lastChange(TestDatabase db, String table, String operation) throws SQLException {
    return UUID.fromString(String.valueOf(db.queryValue("SELECT id FROM bemi.changes WHERE \"table\" = '" + table
        + "' AND operation = '" + operation + "' ORDER BY commit_lsn DESC, change_index DESC LIMIT 1")));
  }

  private static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String sqlState, String message) {
    assertThatThrownBy(call).isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo(sqlState))
        .hasMessageContaining(message);
  }

  /** Stores the changes of a table as the ingester does with --redact-columns for one column. */
  private static void redact(TestDatabase db, String table, String column) throws SQLException {
    db.execute("UPDATE bemi.changes SET"
        + " before = CASE WHEN before ? '" + column + "' THEN jsonb_set(before, '{" + column + "}', '\"[REDACTED]\"') ELSE before END,"
        + " after = CASE WHEN after ? '" + column + "' THEN jsonb_set(after, '{" + column + "}', '\"[REDACTED]\"') ELSE after END"
        + " WHERE \"table\" = '" + table + "'");
  }

  @Test
  void aTransactionIsNamedByItsCommitLsn(TestDatabase shared) throws SQLException {
    TestDatabase db = fresh(shared, "commit_lsn");
    db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
    Trail.capture(db, "t");
    db.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b')");
    String lsn = String.valueOf(db.queryValue("SELECT ('0/0'::pg_lsn + commit_lsn::numeric)::text FROM bemi.changes LIMIT 1"));

    assertThat(bemi(db).commitChanges(lsn)).extracting(Change::primaryKey).containsExactly("1", "2");
    apply(db, bemi(db).revertCommitSql(lsn, false));
    assertThat(db.queryLong("SELECT count(*) FROM t")).isZero();
  }

  @Test
  void anXidThatNamesTwoTransactionsIsRefusedUntilTheCommitLsnPicksOne(TestDatabase shared) throws SQLException {
    TestDatabase db = fresh(shared, "xid_wrap");
    db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
    Trail.capture(db, "t");
    db.execute("INSERT INTO t VALUES (1, 'a')");
    db.execute("INSERT INTO t VALUES (2, 'b')");
    // after wraparound the second transaction got the first one's xid
    db.execute("UPDATE bemi.changes SET transaction_id = 7");

    assertRefused(() -> bemi(db).transaction(7), "BM005", "names more than one transaction");
    assertRefused(() -> bemi(db).revertTransactionSql(7, false), "BM005", "commit LSN");
    assertThat(db.queryLong("SELECT count(*) FROM t")).isEqualTo(2);
  }

  @Test
  void aContextOfNothingWouldRevertEverythingAndIsRefused(TestDatabase shared) throws SQLException {
    TestDatabase db = fresh(shared, "empty_context");
    db.execute("CREATE TABLE t (id int PRIMARY KEY)");
    Trail.capture(db, "t");
    db.execute("INSERT INTO t VALUES (1)");

    assertRefused(() -> bemi(db).revertContextSql(Map.of(), false), "BM004", "every change");
  }

  @Test
  void thePlanDigestChangesWhenTheSelectedChangesDo(TestDatabase shared) throws SQLException {
    TestDatabase db = fresh(shared, "digest");
    UUID a = UUID.randomUUID();
    UUID b = UUID.randomUUID();

    assertThat(bemi(db).planDigest(List.of(a, b))).isEqualTo(bemi(db).planDigest(List.of(b, a))).hasSize(64)
        .isNotEqualTo(bemi(db).planDigest(List.of(a)));
  }

  @Test
  void aConflictNamesTheColumnsButNeverTheLiveValues(TestDatabase shared) throws SQLException {
    TestDatabase db = fresh(shared, "conflict_values");
    db.execute("CREATE TABLE people (id int PRIMARY KEY, name text, ssn text)");
    Trail.capture(db, "people");
    db.execute("INSERT INTO people VALUES (1, 'ann', '111-11-1111')");
    db.execute("UPDATE people SET name = 'anne' WHERE id = 1");
    UUID rename = lastChange(db, "people", "UPDATE");
    redact(db, "people", "ssn");
    db.execute("ALTER TABLE people DISABLE TRIGGER USER", "UPDATE people SET name = 'ANNE', ssn = '999-99-9999' WHERE id = 1");

    assertThatThrownBy(() -> apply(db, bemi(db).revertSql(rename, false)))
        .isInstanceOf(RevertConflictException.class)
        .hasMessageContaining("column(s) name")
        .hasMessageNotContaining("999-99-9999").hasMessageNotContaining("ANNE").hasMessageNotContaining("ssn");
  }

  @Test
  void revertingAnUpdateLeavesRedactedColumnsUntouchedAndNeverWritesThePlaceholder(TestDatabase shared) throws SQLException {
    TestDatabase db = fresh(shared, "redacted_update");
    db.execute("CREATE TABLE people (id int PRIMARY KEY, name text, pin int)");
    Trail.capture(db, "people");
    db.execute("INSERT INTO people VALUES (1, 'ann', 1234)");
    db.execute("UPDATE people SET name = 'anne', pin = 4321 WHERE id = 1");
    UUID update = lastChange(db, "people", "UPDATE");
    redact(db, "people", "pin");

    assertThat(bemi(db).revertPlan(List.of(update))).singleElement().extracting(RevertStep::action)
        .asString().contains("redacted columns pin are left as they are");
    apply(db, bemi(db).revertSql(update, false));
    assertThat(db.queryValue("SELECT name || ' ' || pin FROM people")).isEqualTo("ann 4321");
  }

  @Test
  void revertingADeleteWhoseRowHasRedactedValuesIsRefused(TestDatabase shared) throws SQLException {
    TestDatabase db = fresh(shared, "redacted_delete");
    db.execute("CREATE TABLE people (id int PRIMARY KEY, name text, ssn text)");
    Trail.capture(db, "people");
    db.execute("INSERT INTO people VALUES (1, 'ann', '111')");
    db.execute("DELETE FROM people WHERE id = 1");
    UUID delete = lastChange(db, "people", "DELETE");
    redact(db, "people", "ssn");

    assertRefused(() -> bemi(db).revertSql(delete, false), "BM006", "redacted column(s) ssn");
    assertThat(db.queryLong("SELECT count(*) FROM people")).isZero();
  }

  @Test
  void aValueKeptInTheFallbackFormIsNeverWrittenBackAndARowThatCannotBeReadIsNotCompared(TestDatabase shared)
      throws SQLException {
    TestDatabase db = fresh(shared, "unparsed");
    db.execute("CREATE TABLE docs (id int PRIMARY KEY, body json, v int)");
    Trail.capture(db, "docs");
    db.execute("INSERT INTO docs VALUES (1, '{}', 1), (2, '{}', 1)");
    db.execute("DELETE FROM docs WHERE id = 1");
    UUID delete = lastChange(db, "docs", "DELETE");
    // the ingester stores json that jsonb cannot hold in its fallback form
    db.execute("UPDATE bemi.changes SET before = jsonb_set(before, '{body}', '{\"_bemi_unparsed\": {\"text\": \"\\\"\\\\u0000\\\"\","
        + " \"problem\": \"unsupported Unicode escape\"}}') WHERE id = '" + delete + "'");

    assertRefused(() -> apply(db, bemi(db).revertSql(delete, false)), "BM009", "column(s) body of public.docs");
    assertThat(db.queryLong("SELECT count(*) FROM docs WHERE id = 1")).isZero();

    db.execute("UPDATE docs SET v = 2 WHERE id = 2");
    UUID update = lastChange(db, "docs", "UPDATE");
    db.execute("ALTER TABLE docs DISABLE TRIGGER USER", "UPDATE docs SET body = '{\"n\": 1e999999}' WHERE id = 2");
    assertRefused(() -> apply(db, bemi(db).revertSql(update, true)), "BM009", "cannot be compared");
    assertThat(db.queryLong("SELECT v FROM docs WHERE id = 2")).isEqualTo(2);
  }

  @Test
  void forcingOverwritesOnlyTheConflictsThePlanShowedNeverARowTheTrailHadNotSeen(TestDatabase shared) throws SQLException {
    TestDatabase db = fresh(shared, "force_scope");
    db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
    Trail.capture(db, "t");
    db.execute("INSERT INTO t VALUES (5, 'five'), (7, 'seven')");
    db.execute("BEGIN; DELETE FROM t WHERE id = 5; UPDATE t SET v = 'seven b' WHERE id = 7; COMMIT");
    UUID update = lastChange(db, "t", "UPDATE");
    List<UUID> transaction = List.of(lastChange(db, "t", "DELETE"), update);
    db.execute("UPDATE t SET v = 'seven c' WHERE id = 7"); // stored: the plan shows this conflict

    assertThat(bemi(db).revertPlan(transaction)).extracting(RevertStep::conflict).containsExactlyInAnyOrder(true, false);
    // a write the trail has not stored yet (the ingester lags): the plan cannot show it
    db.execute("ALTER TABLE t DISABLE TRIGGER USER", "INSERT INTO t VALUES (5, 'new five')", "ALTER TABLE t ENABLE TRIGGER USER");

    assertRefused(() -> apply(db, bemi(db).revertChangesSql(transaction, true)), "BM001", "a conflict the plan did not show");
    assertThat(db.queryValue("SELECT string_agg(id || '=' || v, ',' ORDER BY id) FROM t")).isEqualTo("5=new five,7=seven c");

    db.execute("DELETE FROM t WHERE id = 5"); // without that row, forcing covers exactly the conflict shown
    apply(db, bemi(db).revertChangesSql(transaction, true));
    assertThat(db.queryValue("SELECT string_agg(id || '=' || v, ',' ORDER BY id) FROM t")).isEqualTo("5=five,7=seven");
  }

  @Test
  void anotherSourcesChangeOfTheSameKeyIsNoConflict(TestDatabase shared) throws SQLException {
    TestDatabase db = fresh(shared, "other_source");
    db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
    Trail.capture(db, "t");
    db.execute("INSERT INTO t VALUES (42, 'a')");
    db.execute("UPDATE t SET v = 'b' WHERE id = 42");
    UUID update = lastChange(db, "t", "UPDATE");
    // another database stored a later change of its own public.t key 42 into the same trail
    db.execute("INSERT INTO bemi.changes (primary_key, before, after, database, schema, \"table\", operation, committed_at,"
        + " queued_at, transaction_id, position, commit_lsn, change_index, source) SELECT '42', '{}',"
        + " '{\"id\": 42, \"v\": \"other\"}', 'other', 'public', 't', 'UPDATE', now(), now(), 1, 1, commit_lsn + 1000, 0,"
        + " 'other-server/other' FROM bemi.changes WHERE id = '" + update + "'");

    assertThat(bemi(db).revertPlan(List.of(update))).extracting(RevertStep::conflict).containsExactly(false);
  }

  @Test
  void aKeylessRowWithRedactedColumnsIsNotRevertedSinceItCannotBeToldApart(TestDatabase shared) throws SQLException {
    TestDatabase db = fresh(shared, "keyless_redacted");
    db.execute("CREATE TABLE api_keys (owner text, secret text)", "ALTER TABLE api_keys REPLICA IDENTITY FULL");
    Trail.capture(db, "api_keys");
    db.execute("INSERT INTO api_keys VALUES ('alice', 's1')");
    db.execute("INSERT INTO api_keys VALUES ('alice', 's2')");
    UUID second = lastChange(db, "api_keys", "CREATE");
    redact(db, "api_keys", "secret");

    assertRefused(() -> bemi(db).revertSql(second, false), "BM003", "no key and the row has redacted columns (secret)");
    assertThat(db.queryValue("SELECT string_agg(secret, ',' ORDER BY secret) FROM api_keys")).isEqualTo("s1,s2");
  }

  @Test
  void aColumnAddedSinceKeepsItsValueWhenAnUpdateIsReverted(TestDatabase shared) throws SQLException {
    TestDatabase db = fresh(shared, "alter_add");
    db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
    Trail.capture(db, "t");
    db.execute("INSERT INTO t VALUES (1, 'a')");
    db.execute("UPDATE t SET v = 'b' WHERE id = 1");
    UUID update = lastChange(db, "t", "UPDATE");
    db.execute("ALTER TABLE t ADD COLUMN extra int DEFAULT 5");

    apply(db, bemi(db).revertSql(update, false));
    assertThat(db.queryValue("SELECT t::text FROM t")).isEqualTo("(1,a,5)");
  }

  @Test
  void anUpdateOfAColumnDroppedSinceIsRefusedAndChangesNothing(TestDatabase shared) throws SQLException {
    TestDatabase db = fresh(shared, "alter_drop");
    db.execute("CREATE TABLE t (id int PRIMARY KEY, v text, w text)");
    Trail.capture(db, "t");
    db.execute("INSERT INTO t VALUES (1, 'a', 'x')");
    db.execute("UPDATE t SET v = 'b', w = 'y' WHERE id = 1");
    UUID update = lastChange(db, "t", "UPDATE");
    db.execute("ALTER TABLE t DROP COLUMN w");

    assertRefused(() -> apply(db, bemi(db).revertSql(update, false)), "BM007", "has no column w any more");
    assertThat(db.queryValue("SELECT t::text FROM t")).isEqualTo("(1,b)");
  }

  @Test
  void anUpdateOfAColumnRenamedSinceIsRefusedAndChangesNothing(TestDatabase shared) throws SQLException {
    TestDatabase db = fresh(shared, "alter_rename");
    db.execute("CREATE TABLE t (id int PRIMARY KEY, v text, w text)");
    Trail.capture(db, "t");
    db.execute("INSERT INTO t VALUES (1, 'a', 'x')");
    db.execute("UPDATE t SET v = 'b', w = 'y' WHERE id = 1");
    UUID update = lastChange(db, "t", "UPDATE");
    db.execute("ALTER TABLE t RENAME COLUMN w TO w2");

    assertRefused(() -> apply(db, bemi(db).revertSql(update, false)), "BM007", "dropped or renamed");
    assertThat(db.queryValue("SELECT t::text FROM t")).isEqualTo("(1,b,y)");
  }

  @Test
  void aValueThatNoLongerFitsAChangedTypeIsRefusedAndChangesNothing(TestDatabase shared) throws SQLException {
    TestDatabase db = fresh(shared, "alter_type");
    db.execute("CREATE TABLE t (id int PRIMARY KEY, v text, n text)");
    Trail.capture(db, "t");
    db.execute("INSERT INTO t VALUES (1, 'a', 'seven')");
    db.execute("UPDATE t SET v = 'b', n = '7' WHERE id = 1");
    UUID update = lastChange(db, "t", "UPDATE");
    db.execute("ALTER TABLE t ALTER COLUMN n TYPE int USING n::int");

    assertRefused(() -> apply(db, bemi(db).revertSql(update, false)), "BM007", "a type changed since");
    assertThat(db.queryValue("SELECT t::text FROM t")).isEqualTo("(1,b,7)");
  }

  @Test
  void aCompatibleTypeChangeIsRevertedExactly(TestDatabase shared) throws SQLException {
    TestDatabase db = fresh(shared, "alter_widen");
    db.execute("CREATE TABLE t (id int PRIMARY KEY, n int)");
    Trail.capture(db, "t");
    db.execute("INSERT INTO t VALUES (1, 1)");
    db.execute("UPDATE t SET n = 2 WHERE id = 1");
    UUID update = lastChange(db, "t", "UPDATE");
    db.execute("ALTER TABLE t ALTER COLUMN n TYPE bigint");

    apply(db, bemi(db).revertSql(update, false));
    assertThat(db.queryValue("SELECT t::text FROM t")).isEqualTo("(1,1)");
  }
}

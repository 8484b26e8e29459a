package io.bemi.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SqlTextTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "INSERT INTO t VALUES (1)",
      "  update t set a = 1",
      "Delete FROM t",
      "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE",
      "TRUNCATE t",
      "COPY t FROM STDIN",
      "COPY t (a, b) FROM STDIN WITH (FORMAT csv)",
      "CALL do_things(1)",
      "DO $$ BEGIN UPDATE t SET a = 1; END $$",
      "{call do_things(?)}",
      "WITH moved AS (DELETE FROM a RETURNING *) INSERT INTO b SELECT * FROM moved",
      "WITH x AS (SELECT 1) UPDATE t SET a = (SELECT * FROM x)",
      "EXPLAIN ANALYZE INSERT INTO t VALUES (1)",
      "-- a comment\nINSERT INTO t VALUES (1)",
      "/* one /* nested */ comment */ insert into t values (1)",
      "(INSERT INTO t VALUES (1))",
      "SELECT 1; INSERT INTO t VALUES (1)",
  })
  void recognisesWrites(String sql) {
    assertThat(SqlText.classify(sql) & SqlText.WRITE).as(sql).isEqualTo(SqlText.WRITE);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "SELECT * FROM t",
      "select 'INSERT INTO t VALUES (1)'",
      "SELECT \"insert\" FROM t",
      "-- INSERT INTO t\nSELECT 1",
      "/* DELETE FROM t */ SELECT 1",
      "SELECT $$ UPDATE t SET a = 1 $$",
      "SELECT $tag$ DELETE $tag$",
      "COPY t TO STDOUT",
      "COPY (SELECT * FROM t) TO STDOUT",
      "WITH x AS (SELECT 1) SELECT * FROM x",
      "VALUES (1)",
      "SHOW timezone",
      "",
      "   ",
      "insertion_counter",
  })
  void recognisesNonWrites(String sql) {
    assertThat(SqlText.classify(sql) & SqlText.WRITE).as(sql).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"COMMIT", "rollback", "ROLLBACK TO SAVEPOINT a", "BEGIN", "START TRANSACTION", "END", "ABORT"})
  void recognisesTransactionControl(String sql) {
    assertThat(SqlText.classify(sql) & SqlText.TRANSACTION_CONTROL).as(sql).isEqualTo(SqlText.TRANSACTION_CONTROL);
  }

  @Test
  void selectsAreOtherStatementsThatGetContextOnlyWhenAskedForAll() {
    assertThat(SqlText.classify("SELECT f()")).isEqualTo(SqlText.OTHER);
    assertThat(SqlText.classify("SET search_path = x")).isZero();
  }

  @Test
  void doublesOnlyPlaceholderQuestionMarks() {
    assertThat(SqlText.escapePlaceholders("SELECT '?', \"?\", $$?$$, E'\\'?' /* ? */ -- ?\n, a ? b, c ?| d"))
        .isEqualTo("SELECT '?', \"?\", $$?$$, E'\\'?' /* ? */ -- ?\n, a ?? b, c ??| d");
  }

  @Test
  void leavesSqlWithoutQuestionMarksAlone() {
    String sql = "INSERT INTO t VALUES (1)";
    assertThat(SqlText.escapePlaceholders(sql)).isSameAs(sql);
  }

  @Test
  void theTextForIncludeSqlLeavesOutEveryValueAndKeepsTheStatementsShape() {
    assertThat(SqlText.withoutLiterals("INSERT INTO customers(name, email) VALUES ('ann', 'a@x.io'), (E'b\\'ob', 'b')"))
        .isEqualTo("INSERT INTO customers(name, email) VALUES (?, ?), (?, ?)");
    assertThat(SqlText.withoutLiterals("UPDATE t2 SET n = -42, f = 1.5e-3, h = 0xFF, big = 1_000, s = $tag$se'cret$tag$,"
        + " b = B'101', x = x'1F', u = U&'d\\0061t' WHERE id = 7 AND k = $1 AND \"Col 9\" = ?"))
        .isEqualTo("UPDATE t2 SET n = -?, f = ?, h = ?, big = ?, s = ?, b = ?, x = ?, u = ? WHERE id = ? AND k = $1"
            + " AND \"Col 9\" = ?");
    assertThat(SqlText.withoutLiterals("DELETE FROM t /* user 'ann' */ WHERE a$1 = .5 -- id 7\n AND e = 'x'"))
        .isEqualTo("DELETE FROM t WHERE a$1 = ? \n AND e = ?");
    assertThat(SqlText.withoutLiterals("DO $$BEGIN INSERT INTO t VALUES ('x'); END$$; INSERT INTO t VALUES (?)"))
        .isEqualTo("DO ?; INSERT INTO t VALUES (?)");
    assertThat(SqlText.withoutLiterals("INSERT INTO t VALUES ('unterminated")).isEqualTo("INSERT INTO t VALUES (?");
  }

  @Test
  void aDollarInsideAnIdentifierOrAPositionalParameterIsNotAQuote() {
    assertThat(SqlText.escapePlaceholders("SELECT a$b, $1 FROM t WHERE x ? 'k'"))
        .isEqualTo("SELECT a$b, $1 FROM t WHERE x ?? 'k'");
  }
}

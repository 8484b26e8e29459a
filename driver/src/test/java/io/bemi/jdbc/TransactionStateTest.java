package io.bemi.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The transaction state machine on its own: each rule of docs/driver.md, one scenario each. */
class TransactionStateTest {

  private final TransactionState manual = new TransactionState(false);

  private static void run(TransactionState state, String sql) {
    for (TransactionCommand command : SqlText.plan(sql).commands()) {
      state.apply(command);
    }
  }

  @Test
  void aContextAlreadySentInTheTransactionIsNotSentAgain() {
    manual.emitted("A");
    assertThat(manual.needsMessage("A")).isFalse();
    assertThat(manual.needsMessage("B")).isTrue();
  }

  @Test
  void inAutocommitModeEveryWriteNeedsItsMessage() {
    TransactionState auto = new TransactionState(true);
    auto.emitted("A");
    assertThat(auto.needsMessage("A")).isTrue();
  }

  @Test
  void beginInAutocommitModeOpensABlockThatCommitCloses() {
    TransactionState auto = new TransactionState(true);
    run(auto, "BEGIN");
    auto.emitted("A");
    assertThat(auto.needsMessage("A")).isFalse();
    run(auto, "COMMIT");
    assertThat(auto.inBlock()).isFalse();
    assertThat(auto.needsMessage("A")).isTrue();
  }

  @Test
  void commitAndChainKeepsABlockOpenWithoutItsMessages() {
    TransactionState auto = new TransactionState(true);
    run(auto, "START TRANSACTION");
    auto.emitted("A");
    run(auto, "COMMIT AND CHAIN");
    assertThat(auto.inBlock()).isTrue();
    assertThat(auto.needsMessage("A")).isTrue();
  }

  @Test
  void rollbackToASavepointForgetsMessagesSentAfterIt() {
    manual.emitted("A");
    run(manual, "SAVEPOINT s1");
    manual.emitted("B");
    run(manual, "ROLLBACK TO SAVEPOINT s1");
    assertThat(manual.needsMessage("A")).isFalse();
    assertThat(manual.needsMessage("B")).isTrue();
  }

  @Test
  void rollbackToASavepointRestoresWhetherTheTransactionHadAMessage() {
    run(manual, "SAVEPOINT s1");
    manual.owe("A");
    run(manual, "ROLLBACK TO s1");
    assertThat(manual.hasMessage()).isFalse();
    assertThat(manual.owed()).isNull();
  }

  @Test
  void aMessageOwedBeforeASavepointSurvivesARollbackToIt() {
    manual.owe("A");
    run(manual, "SAVEPOINT s1");
    manual.paidOwed();
    manual.emitted("B");
    run(manual, "ROLLBACK TO s1");
    assertThat(manual.owed()).isEqualTo("A");
  }

  @Test
  void rollingBackToAnOuterSavepointDropsTheInnerOnes() {
    run(manual, "SAVEPOINT a; SAVEPOINT b");
    manual.emitted("B");
    run(manual, "ROLLBACK TO a");
    run(manual, "ROLLBACK TO b"); // the server refuses it; the state must assume the worst
    assertThat(manual.needsMessage("B")).isTrue();
  }

  @Test
  void releasingAnOuterSavepointDropsTheInnerOnesSoAnOlderOneOfTheirNameIsRolledBackTo() {
    run(manual, "SAVEPOINT s1");
    manual.emitted("B");
    run(manual, "SAVEPOINT s0; SAVEPOINT s1; RELEASE s0"); // the server drops both
    run(manual, "ROLLBACK TO s1"); // the first s1: before B's message
    assertThat(manual.needsMessage("B")).isTrue();
  }

  @Test
  void releaseKeepsTheMessagesSentInsideTheSavepoint() {
    run(manual, "SAVEPOINT s1");
    manual.emitted("A");
    run(manual, "RELEASE SAVEPOINT s1");
    assertThat(manual.needsMessage("A")).isFalse();
    run(manual, "ROLLBACK TO s1"); // released: unknown to the server as to us
    assertThat(manual.needsMessage("A")).isTrue();
  }

  @Test
  void theLatestSavepointOfARepeatedNameIsTheOneRolledBackTo() {
    manual.emitted("A");
    run(manual, "SAVEPOINT s");
    manual.emitted("B");
    run(manual, "SAVEPOINT s");
    manual.emitted("C");
    run(manual, "ROLLBACK TO s");
    assertThat(manual.needsMessage("B")).isFalse();
  }

  @Test
  void quotedSavepointNamesAreCaseSensitiveAndUnquotedOnesAreFolded() {
    manual.emitted("A");
    run(manual, "SAVEPOINT \"Sp\"");
    manual.emitted("B");
    run(manual, "ROLLBACK TO sp"); // names "sp", not "Sp"
    assertThat(manual.needsMessage("B")).isTrue();
    TransactionState other = new TransactionState(false);
    other.emitted("A");
    run(other, "SAVEPOINT Sp");
    other.emitted("B");
    run(other, "rollback to \"sp\"");
    assertThat(other.needsMessage("A")).isFalse();
  }

  @Test
  void aFailedStatementAbortsTheBlockUntilARollbackToASavepoint() {
    manual.emitted("A");
    run(manual, "SAVEPOINT s1");
    manual.failed();
    assertThat(manual.aborted()).isTrue();
    assertThat(manual.needsMessage("A")).isTrue();
    run(manual, "ROLLBACK TO s1");
    assertThat(manual.aborted()).isFalse();
    assertThat(manual.needsMessage("A")).isFalse();
  }

  @Test
  void aFailedStatementOutsideABlockLeavesNothingBehind() {
    TransactionState auto = new TransactionState(true);
    auto.failed();
    assertThat(auto.aborted()).isFalse();
  }

  @Test
  void prepareTransactionEndsTheSessionsTransaction() {
    manual.owe("A");
    run(manual, "PREPARE TRANSACTION 'x'");
    assertThat(manual.owed()).isNull();
    assertThat(manual.inBlock()).isTrue(); // manual mode: pgjdbc opens the next one
  }

  @Test
  void switchingAutocommitEndsTheTransaction() {
    manual.emitted("A");
    manual.autoCommit(true);
    assertThat(manual.inBlock()).isFalse();
    manual.autoCommit(false);
    assertThat(manual.needsMessage("A")).isTrue();
  }

  @Test
  void switchingAutocommitOffKeepsABeginBlockAndWhatItOwes() {
    TransactionState auto = new TransactionState(true);
    run(auto, "BEGIN");
    auto.owe("A");
    auto.autoCommit(false); // pgjdbc leaves the server's transaction open
    assertThat(auto.inBlock()).isTrue();
    assertThat(auto.owed()).isEqualTo("A");
    assertThat(auto.needsMessage("A")).isFalse();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "BEGIN | BEGIN | ",
      "begin transaction isolation level serializable | BEGIN | ",
      "START TRANSACTION | BEGIN | ",
      "COMMIT | COMMIT | ",
      "END | COMMIT | ",
      "COMMIT AND CHAIN | COMMIT | ",
      "ROLLBACK | ROLLBACK | ",
      "ABORT | ROLLBACK | ",
      "SAVEPOINT s1 | SAVEPOINT | s1",
      "SAVEPOINT \"My Point\" | SAVEPOINT | My Point",
      "ROLLBACK TO SAVEPOINT S1 | ROLLBACK_TO | s1",
      "ROLLBACK TO s1 | ROLLBACK_TO | s1",
      "ABORT TO SAVEPOINT s1 | ROLLBACK_TO | s1",
      "RELEASE SAVEPOINT s1 | RELEASE | s1",
      "RELEASE s1 | RELEASE | s1",
      "PREPARE TRANSACTION 'tx1' | PREPARE | ",
      "/* c */ savepoint /* d */ s2 | SAVEPOINT | s2"})
  void transactionCommandsAreRecognisedInSqlText(String sql, TransactionCommand.Kind kind, String savepoint) {
    assertThat(SqlText.plan(sql).commands()).singleElement().satisfies(command -> {
      assertThat(command.kind()).isEqualTo(kind);
      assertThat(command.savepoint()).isEqualTo(savepoint);
    });
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"COMMIT PREPARED 'tx1'", "ROLLBACK PREPARED 'tx1'",
      "PREPARE ins AS INSERT INTO t VALUES (1)", "SELECT 'ROLLBACK'", "START something"})
  void statementsThatDoNotMoveThisSessionsTransactionAreNotCommands(String sql) {
    assertThat(SqlText.plan(sql).commands()).isEmpty();
  }

  @Test
  void aMultiStatementStringYieldsItsCommandsInOrder() {
    assertThat(SqlText.plan("SAVEPOINT a; INSERT INTO t VALUES (1); ROLLBACK TO a; RELEASE a").commands())
        .extracting(TransactionCommand::kind)
        .containsExactly(TransactionCommand.Kind.SAVEPOINT, TransactionCommand.Kind.ROLLBACK_TO,
            TransactionCommand.Kind.RELEASE);
    assertThat(SqlText.plan("SAVEPOINT a; INSERT INTO t VALUES (1)").writes()).isTrue();
    assertThat(List.of(SqlText.plan("ROLLBACK").commits(), SqlText.plan("END").commits())).containsExactly(false, true);
  }
}

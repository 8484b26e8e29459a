package io.bemi.jdbc;

import java.util.ArrayList;
import java.util.List;

/**
 * What the server's transaction holds of our messages: the explicit state machine behind every
 * emission decision, fed by the JDBC API ({@link Session}) and by the transaction commands in SQL
 * text ({@link TransactionCommand}). Pure: no JDBC inside, so it is tested on its own.
 *
 * <pre>
 *   state        entered by                                   leaves by
 *   AUTOCOMMIT   setAutoCommit(true); COMMIT/ROLLBACK of a    BEGIN → BLOCK; setAutoCommit(false) → BLOCK
 *                BEGIN block (no CHAIN); PREPARE TRANSACTION
 *   BLOCK        setAutoCommit(false); BEGIN in autocommit    COMMIT, ROLLBACK, PREPARE (a new BLOCK in
 *                                                             manual mode, AUTOCOMMIT after a BEGIN);
 *                                                             setAutoCommit(true). A BEGIN block outlives
 *                                                             setAutoCommit(false), messages and all
 *   (aborted)    a failed statement in BLOCK                  ROLLBACK, ROLLBACK TO, COMMIT (= rollback),
 *                                                             the next successful statement (pgjdbc autosave)
 * </pre>
 *
 * <p>Inside a BLOCK, a {@link Frame} records what the surviving part of the transaction holds:
 * the latest message ({@code lastMessage}), a message owed for writes already sent
 * ({@code owed}, a batch's: see {@link Session}) and whether any message exists. {@code SAVEPOINT}
 * pushes a copy; {@code ROLLBACK TO} restores it (messages sent after the savepoint are gone, so
 * they are sent again when needed); {@code RELEASE} drops the copies and keeps the present.
 * Invariant: every change the transaction commits is preceded, in its surviving part, by the
 * message of the context it was written under.
 */
final class TransactionState {

  /** The messages of the surviving part of the transaction, as of one moment. */
  private record Frame(String savepoint, String lastMessage, String owed, boolean hasMessage) {}

  private boolean autoCommit = true;
  /** A transaction block is open: autocommit off, or a {@code BEGIN} in autocommit mode. */
  private boolean block;
  private boolean aborted;
  private String lastMessage;
  private String owed;
  private boolean hasMessage;
  private final List<Frame> savepoints = new ArrayList<>();

  TransactionState(boolean autoCommit) {
    this.autoCommit = autoCommit;
    this.block = !autoCommit;
  }

  /** Whether writes now belong to a transaction that outlives the statement. */
  boolean inBlock() {
    return block;
  }

  /** A statement failed inside a block and nothing has recovered since: only a rollback can follow. */
  boolean aborted() {
    return aborted;
  }

  /** Whether a write under {@code json} needs its message first. */
  boolean needsMessage(String json) {
    return !block || !json.equals(lastMessage);
  }

  /** Whether the block already has a message (so a later one cannot stand for earlier writes). */
  boolean hasMessage() {
    return hasMessage;
  }

  String owed() {
    return owed;
  }

  /** A message went in before a statement that succeeded. */
  void emitted(String json) {
    if (block) {
      lastMessage = json;
      hasMessage = true;
    }
  }

  /** Writes already ran in this block without a message; {@code json} is owed (due before the commit). */
  void owe(String json) {
    owed = json;
    lastMessage = json;
    hasMessage = true;
  }

  /** The owed message was sent. */
  void paidOwed() {
    owed = null;
  }

  void succeeded() {
    aborted = false;
  }

  /**
   * A statement failed. In a block the transaction is aborted, unless pgjdbc's {@code autosave}
   * rolled back to its own savepoint (which we do not see): either way the failed statement's
   * message is gone, so the next write sends its message again, and a later batch must not count
   * on deferring its message.
   */
  void failed() {
    if (block) {
      aborted = true;
      lastMessage = null;
      hasMessage = true;
    }
  }

  /** A statement whose SQL both failed and held transaction commands: how far it got is unknown. */
  void failedUncertain() {
    failed();
    for (int i = 0; i < savepoints.size(); i++) {
      Frame f = savepoints.get(i);
      savepoints.set(i, new Frame(f.savepoint, null, f.owed, true));
    }
  }

  /**
   * {@code setAutoCommit}: pgjdbc ignores a call that changes nothing and commits when switching it
   * on. Switching it off leaves a block begun by {@code BEGIN} open, with its messages.
   */
  void autoCommit(boolean on) {
    if (on != autoCommit) {
      if (on || !block) {
        reset();
      }
      autoCommit = on;
      block = !on;
    }
  }

  /** {@code Connection.commit()} or {@code rollback()}: in manual mode the next statement opens a new block. */
  void ended() {
    reset();
    block = !autoCommit;
  }

  void setSavepoint(String name) {
    if (block) {
      savepoints.add(new Frame(name, lastMessage, owed, hasMessage));
    }
  }

  void rollbackTo(String name) {
    int index = find(name);
    aborted = false;
    if (index < 0) {
      lastMessage = null; // a savepoint we did not see: assume the worst
      hasMessage = true;
      return;
    }
    Frame frame = savepoints.get(index);
    savepoints.subList(index + 1, savepoints.size()).clear();
    lastMessage = frame.lastMessage;
    owed = frame.owed;
    hasMessage = frame.hasMessage;
  }

  void release(String name) {
    int index = find(name);
    if (index >= 0) {
      savepoints.subList(index, savepoints.size()).clear();
    }
  }

  /** The transaction command {@code command} ran. */
  void apply(TransactionCommand command) {
    switch (command.kind()) {
      case BEGIN -> {
        if (!block) {
          reset();
          block = true;
        }
      }
      case COMMIT, ROLLBACK -> {
        reset();
        block = !autoCommit || command.chain();
      }
      case PREPARE -> {
        reset();
        block = !autoCommit;
      }
      case SAVEPOINT -> setSavepoint(command.savepoint());
      case ROLLBACK_TO -> rollbackTo(command.savepoint());
      case RELEASE -> release(command.savepoint());
      default -> throw new IllegalStateException(command.toString());
    }
  }

  private int find(String name) {
    for (int i = savepoints.size() - 1; i >= 0; i--) {
      if (savepoints.get(i).savepoint.equals(name)) { // null (unknown) matches none
        return i;
      }
    }
    return -1;
  }

  private void reset() {
    lastMessage = null;
    owed = null;
    hasMessage = false;
    aborted = false;
    savepoints.clear();
  }

  @Override
  public String toString() {
    return (block ? "BLOCK" : "AUTOCOMMIT") + (aborted ? " aborted" : "") + " last=" + lastMessage + " owed=" + owed
        + " savepoints=" + savepoints.size();
  }
}

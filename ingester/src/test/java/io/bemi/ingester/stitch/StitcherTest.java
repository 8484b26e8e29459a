package io.bemi.ingester.stitch;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.history.Operation;
import io.bemi.sql.Lsn;
import io.bemi.ingester.pgoutput.PgOutputMessage;
import io.bemi.ingester.pgoutput.PgOutputMessage.Column;
import io.bemi.ingester.pgoutput.TupleData;
import io.bemi.ingester.rules.ColumnRules;
import io.bemi.ingester.stitch.StoreEvent.Change;
import io.bemi.ingester.values.BuiltinTypes;
import io.bemi.ingester.values.PgType;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The attribution rule and row rendering on hand-built messages. */
class StitcherTest {

  private static final int USERS = 100;
  private static final Lsn COMMIT = Lsn.of(1000);

  private final List<StoreEvent> events = new ArrayList<>();
  private int malformed;
  private int missingToast;
  private int truncated;
  private int heartbeats;
  private long lsn = 500;

  private int tooLarge;

  private Stitcher stitcher(int holdBack, Lsn alreadyStored, String ownOrigin) {
    return stitcher(new Stitcher.Settings("app", 100, holdBack, alreadyStored, "bemi", ownOrigin));
  }

  private Stitcher stitcher(Stitcher.Settings settings) {
    SchemaLookup lookup = new SchemaLookup() {
      @Override
      public PgType type(int typeOid) {
        return new BuiltinTypes().resolve(typeOid);
      }

      @Override
      public List<String> primaryKey(int relationOid) {
        return List.of("id");
      }
    };
    StitchListener listener = new StitchListener() {
      @Override
      public void malformedContextMessage() {
        malformed++;
      }

      @Override
      public void missingToastValue() {
        missingToast++;
      }

      @Override
      public void heartbeat() {
        heartbeats++;
      }

      @Override
      public void contextTruncated() {
        truncated++;
      }

      @Override
      public void valueTooLarge() {
        tooLarge++;
      }
    };
    Stitcher stitcher = new Stitcher(settings, lookup, events::add, listener, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
    feed(stitcher, new PgOutputMessage.Relation(USERS, "public", "users", 'f',
        List.of(new Column(true, "id", BuiltinTypes.INT4, -1), new Column(true, "bio", BuiltinTypes.TEXT, -1))));
    return stitcher;
  }

  private Stitcher stitcher() {
    return stitcher(1000, null, "bemi_bemi");
  }

  private void feed(Stitcher stitcher, PgOutputMessage... messages) {
    for (PgOutputMessage message : messages) {
      stitcher.accept(message, Lsn.of(lsn++));
    }
  }

  private static PgOutputMessage begin() {
    return new PgOutputMessage.Begin(COMMIT, Instant.parse("2024-01-01T00:00:00Z"), 42);
  }

  private static PgOutputMessage commit() {
    return new PgOutputMessage.Commit(0, COMMIT, Lsn.of(1100), Instant.parse("2024-01-01T00:00:00Z"));
  }

  private static PgOutputMessage context(String json) {
    return new PgOutputMessage.Message(true, Lsn.of(1), "_bemi", json.getBytes(StandardCharsets.UTF_8));
  }

  private static PgOutputMessage insert(int id) {
    return new PgOutputMessage.Insert(USERS, tuple(TupleData.Value.text(String.valueOf(id)), TupleData.Value.text("b")));
  }

  private static TupleData tuple(TupleData.Value... values) {
    return new TupleData(List.of(values));
  }

  private List<String> contexts() {
    return events.stream().filter(Change.class::isInstance).map(e -> ((Change) e).context()).toList();
  }

  private List<Change> changes() {
    return events.stream().filter(Change.class::isInstance).map(Change.class::cast).toList();
  }

  private Stitcher limited(long maxRowBytes, long holdBackBytes) {
    return stitcher(new Stitcher.Settings("app", 100, 1000, null, "bemi", "bemi_bemi", ColumnRules.NONE, maxRowBytes,
        holdBackBytes));
  }

  private static PgOutputMessage insert(int id, String bio) {
    return new PgOutputMessage.Insert(USERS, tuple(TupleData.Value.text(String.valueOf(id)), TupleData.Value.text(bio)));
  }

  @Test
  void aRowOverTheLimitKeepsItsLargestValueAsSizeAndHashAndARowWithinItIsWhole() throws Exception {
    String bio = "é".repeat(600); // 1,200 bytes
    feed(limited(1024, 0), begin(), insert(1, bio), insert(2, "x".repeat(900)), commit());

    String sha256 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
        .digest(bio.getBytes(StandardCharsets.UTF_8)));
    assertThat(changes().get(0).after()).isEqualTo("{\"id\":1,\"bio\":{\"_bemi_unparsed\": {\"problem\": \"its row is "
        + "larger than --max-row-bytes (1024): this value is kept as its size and SHA-256\", \"bytes\": 1200, "
        + "\"sha256\": \"" + sha256 + "\", \"head\": \"" + "é".repeat(128) + "\"}}}");
    assertThat(changes().get(1).after()).isEqualTo("{\"id\":2,\"bio\":\"" + "x".repeat(900) + "\"}");
    assertThat(tooLarge).isEqualTo(1);
  }

  @Test
  void aRedactedNumberIsTheRedactedStringAndItsSizeIsTheMarkersUnderTheLimit() {
    feed(stitcher(new Stitcher.Settings("app", 100, 1000, null, "bemi", "bemi_bemi",
        ColumnRules.parse(List.of(), List.of("users.id")), 1024, 0)), begin(), insert(7, "x".repeat(900)), commit());

    assertThat(changes().get(0).after()).isEqualTo("{\"id\":\"" + ColumnRules.REDACTED + "\",\"bio\":\""
        + "x".repeat(900) + "\"}");
    assertThat(tooLarge).isZero();
  }

  @Test
  void aContextLargerThanTheRowLimitIsNotReadAsJsonAndKeepsItsHead() {
    String huge = "{\"user\": \"ada\", \"blob\": \"" + "é".repeat(3000) + "\"}";
    feed(limited(2048, 0), begin(), context(huge), insert(1), commit());

    assertThat(contexts().get(0)).isEqualTo("{\"_bemi_unparsed\": {\"problem\": \"larger than --max-row-bytes (2048), so "
        + "not read as JSON: 6027 bytes, the first 100 kept\", \"text\": \"" + huge.substring(0, 62).replace("\"", "\\\"")
        + "\"}}");
    assertThat(malformed).isEqualTo(1);
  }

  @Test
  void theLimitCountsTheRowAsStoredJsonNotOnlyItsText() {
    // 300 bytes of text, but each control character is six in JSON (\u0001): 1,800 bytes stored
    feed(limited(1024, 0), begin(), insert(1, "\u0001".repeat(300)), commit());

    assertThat(changes().get(0).after()).startsWith("{\"id\":1,\"bio\":{\"_bemi_unparsed\": {").contains("\"bytes\": 300");
    assertThat(tooLarge).isEqualTo(1);
  }

  @Test
  void changesHeldBackForTheirContextAreBoundedByTheirSizeAndBackfilledLater() {
    feed(limited(0, 2000), begin(), insert(1, "a".repeat(1000)), insert(2, "b".repeat(1000)), insert(3, "c"),
        context("{\"a\":1}"), commit());

    // the first fits in 2,000 characters, not with the second: both are handed on without a
    // context, and the context is backfilled for them when it comes; the third is held back again
    assertThat(contexts()).containsExactly("{}", "{}", "{\"a\":1}");
    assertThat(events).filteredOn(StoreEvent.ContextBackfill.class::isInstance).singleElement()
        .isEqualTo(new StoreEvent.ContextBackfill(changes().get(0).transaction(), 3, "{\"a\":1}"));
  }

  @Test
  void changesGetTheLatestPrecedingContext() {
    feed(stitcher(), begin(), context("{\"a\":1}"), insert(1), context("{\"a\":2}"), insert(2), insert(3), commit());
    assertThat(contexts()).containsExactly("{\"a\":1}", "{\"a\":2}", "{\"a\":2}");
  }

  @Test
  void changesBeforeTheFirstMessageGetTheFirstContext() {
    feed(stitcher(), begin(), insert(1), insert(2), context("{\"a\":1}"), insert(3), commit());
    assertThat(contexts()).containsExactly("{\"a\":1}", "{\"a\":1}", "{\"a\":1}");
  }

  @Test
  void aTransactionWithoutMessagesGetsEmptyContexts() {
    feed(stitcher(), begin(), insert(1), commit());
    assertThat(contexts()).containsExactly("{}");
    assertThat(events.get(events.size() - 1)).isInstanceOf(StoreEvent.Commit.class);
  }

  @Test
  void contextDoesNotLeakIntoTheNextTransaction() {
    Stitcher stitcher = stitcher();
    feed(stitcher, begin(), context("{\"a\":1}"), insert(1), commit());
    feed(stitcher, begin(), insert(2), commit());
    assertThat(contexts()).containsExactly("{\"a\":1}", "{}");
  }

  @Test
  void changesBeyondTheHoldBackLimitAreBackfilledWhenTheFirstMessageArrives() {
    feed(stitcher(2, null, "x"), begin(), insert(1), insert(2), insert(3), context("{\"a\":1}"), insert(4), commit());
    assertThat(contexts()).containsExactly("{}", "{}", "{}", "{\"a\":1}");
    assertThat(events).filteredOn(StoreEvent.ContextBackfill.class::isInstance).singleElement()
        .isEqualTo(new StoreEvent.ContextBackfill(changes().get(0).transaction(), 3, "{\"a\":1}"));
  }

  @Test
  void aMalformedMessageIsCountedAndItsChangesGetItsTextUnderTheReservedKey() {
    feed(stitcher(), begin(), context("{\"a\":1}"), insert(1), context("{oops"), insert(2), context("\"text\""),
        insert(3), commit());
    assertThat(contexts()).hasSize(3);
    assertThat(contexts().get(0)).isEqualTo("{\"a\":1}");
    assertThat(contexts().get(1)).startsWith("{\"_bemi_unparsed\": {\"problem\": \"not JSON").endsWith(
        "\"text\": \"{oops\"}}");
    assertThat(contexts().get(2)).isEqualTo(
        "{\"_bemi_unparsed\": {\"problem\": \"not a JSON object\", \"text\": \"\\\"text\\\"\"}}");
    assertThat(malformed).isEqualTo(2);
  }

  @Test
  void anOversizedMessageIsReducedAndItsDroppedKeysListed() {
    feed(stitcher(), begin(), context("{\"user\":\"ann\",\"a\":\"" + "x".repeat(200) + "\"}"), insert(1), commit());
    assertThat(contexts()).containsExactly(
        "{\"_bemi_truncated\":{\"originalBytes\":221,\"droppedKeys\":[\"a\"]},\"user\":\"ann\"}");
    assertThat(truncated).isEqualTo(1);
    assertThat(malformed).isZero();
  }

  @Test
  void aContextThatJsonbCannotStoreIsKeptAsText() {
    feed(stitcher(), begin(), context("{\"a\":\"\\u0000\"}"), insert(1), commit());
    assertThat(contexts()).containsExactly("{\"_bemi_unparsed\": {\"problem\": \"contains \\\\u0000, which jsonb "
        + "cannot store\", \"text\": \"{\\\"a\\\":\\\"\\\\u0000\\\"}\"}}");
    assertThat(malformed).isEqualTo(1);
  }

  @Test
  void aNonTransactionalMessageIsMalformedAndChangesNothing() {
    feed(stitcher(), new PgOutputMessage.Message(false, Lsn.of(1), "_bemi", "{\"a\":1}".getBytes(StandardCharsets.UTF_8)),
        begin(), insert(1), commit());
    assertThat(contexts()).containsExactly("{}");
    assertThat(malformed).isEqualTo(1);
  }

  @Test
  void otherPrefixesAreIgnored() {
    feed(stitcher(), begin(), new PgOutputMessage.Message(true, Lsn.of(1), "other", "{\"a\":1}".getBytes(StandardCharsets.UTF_8)),
        insert(1), commit());
    assertThat(contexts()).containsExactly("{}");
    assertThat(malformed).isZero();
  }

  @Test
  void heartbeatsOutsideTransactionsAreCountedNotStoredNorMalformed() {
    Stitcher stitcher = stitcher();
    feed(stitcher, new PgOutputMessage.Message(false, Lsn.of(1), Stitcher.HEARTBEAT_PREFIX,
        "2026-11-28 04:00:00.123+00".getBytes(StandardCharsets.UTF_8)));
    assertThat(heartbeats).isEqualTo(1);
    assertThat(malformed).isZero();
    assertThat(events).isEmpty();
    assertThat(stitcher.inTransaction()).isFalse();
  }

  @Test
  void transactionsAlreadyStoredAreSkippedButStillCommitted() {
    feed(stitcher(1000, COMMIT, "x"), begin(), insert(1), commit());
    assertThat(changes()).isEmpty();
    assertThat(events).singleElement().isInstanceOf(StoreEvent.Commit.class);
  }

  @Test
  void theIngestersOwnOriginIsSkipped() {
    feed(stitcher(), begin(), new PgOutputMessage.Origin(Lsn.of(1), "bemi_bemi"), insert(1), commit());
    assertThat(changes()).isEmpty();
  }

  @Test
  void anUnchangedToastValueIsTakenFromTheOldRow() {
    feed(stitcher(), begin(), new PgOutputMessage.Update(USERS, 'O',
        tuple(TupleData.Value.text("1"), TupleData.Value.text("long bio")),
        tuple(TupleData.Value.text("2"), TupleData.Value.UNCHANGED_TOAST)), commit());
    assertThat(changes().get(0).after()).isEqualTo("{\"id\":2,\"bio\":\"long bio\"}");
    assertThat(changes().get(0).before()).isEqualTo("{\"id\":1,\"bio\":\"long bio\"}");
  }

  @Test
  void anUnchangedToastValueWithoutOldRowIsLeftOutNeverAPlaceholder() {
    feed(stitcher(), begin(), new PgOutputMessage.Update(USERS, (char) 0, null,
        tuple(TupleData.Value.text("2"), TupleData.Value.UNCHANGED_TOAST)), commit());
    assertThat(changes().get(0).after()).isEqualTo("{\"id\":2}");
    assertThat(changes().get(0).before()).isEqualTo("{}");
    assertThat(missingToast).isEqualTo(1);
  }

  @Test
  void changesAreNumberedWithinTheirTransactionAndCarryTheirPosition() {
    feed(stitcher(), begin(), insert(1), insert(2), commit());
    assertThat(changes()).extracting(Change::index).containsExactly(0, 1);
    assertThat(changes().get(1).position().isAfter(changes().get(0).position())).isTrue();
    assertThat(changes().get(0).transaction().commitLsn()).isEqualTo(COMMIT);
    assertThat(changes().get(0).primaryKey()).isEqualTo("1");
  }

  @Test
  void aTruncateStoresOneChangePerTable() {
    Stitcher stitcher = stitcher();
    feed(stitcher, new PgOutputMessage.Relation(200, "public", "orders", 'f',
        List.of(new Column(true, "id", BuiltinTypes.INT4, -1))));
    feed(stitcher, begin(), new PgOutputMessage.Truncate(false, false, List.of(USERS, 200)), commit());
    assertThat(changes()).extracting(Change::table, Change::operation).containsExactly(
        org.assertj.core.groups.Tuple.tuple("users", Operation.TRUNCATE),
        org.assertj.core.groups.Tuple.tuple("orders", Operation.TRUNCATE));
  }
}

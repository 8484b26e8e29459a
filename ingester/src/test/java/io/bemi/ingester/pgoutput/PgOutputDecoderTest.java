package io.bemi.ingester.pgoutput;

import static io.bemi.ingester.pgoutput.WireBuilder.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.ingester.pgoutput.PgOutputMessage.Begin;
import io.bemi.ingester.pgoutput.PgOutputMessage.Column;
import io.bemi.ingester.pgoutput.PgOutputMessage.Commit;
import io.bemi.ingester.pgoutput.PgOutputMessage.Delete;
import io.bemi.ingester.pgoutput.PgOutputMessage.Insert;
import io.bemi.ingester.pgoutput.PgOutputMessage.Message;
import io.bemi.ingester.pgoutput.PgOutputMessage.Origin;
import io.bemi.ingester.pgoutput.PgOutputMessage.Relation;
import io.bemi.ingester.pgoutput.PgOutputMessage.Truncate;
import io.bemi.ingester.pgoutput.PgOutputMessage.Type;
import io.bemi.ingester.pgoutput.PgOutputMessage.Update;
import io.bemi.sql.Lsn;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PgOutputDecoderTest {

  private static final Lsn AT = Lsn.parse("0/16B3748");
  /** 2024-01-02T03:04:05.123456Z in microseconds since 2000-01-01. */
  private static final long COMMIT_MICROS = 757_479_845_123_456L;
  private static final Instant COMMIT_TIME = Instant.parse("2024-01-02T03:04:05.123456Z");

  private static PgOutputMessage decode(WireBuilder wire) {
    return PgOutputDecoder.decode(wire.buffer(), AT);
  }

  @Test
  void beginCarriesTheFinalLsnCommitTimeAndXid() {
    Begin begin = (Begin) decode(message('B').int64(0x1_0000_0010L).int64(COMMIT_MICROS).int32(0xFFFF_FFFE));
    assertThat(begin).isEqualTo(new Begin(Lsn.of(0x1_0000_0010L), COMMIT_TIME, 4_294_967_294L));
    assertThat(begin.finalLsn()).hasToString("1/10");
  }

  @Test
  void commitCarriesCommitAndEndLsn() {
    Commit commit = (Commit) decode(message('C').byte1(0).int64(100).int64(180).int64(COMMIT_MICROS));
    assertThat(commit).isEqualTo(new Commit(0, Lsn.of(100), Lsn.of(180), COMMIT_TIME));
  }

  @Test
  void originCarriesTheOriginName() {
    assertThat(decode(message('O').int64(77).string("bemi_bemi"))).isEqualTo(new Origin(Lsn.of(77), "bemi_bemi"));
  }

  @Test
  void relationCarriesColumnsWithKeyFlagsTypesAndModifiers() {
    Relation relation = (Relation) decode(message('R').int32(16384).string("public").string("users").byte1('f')
        .int16(2)
        .byte1(1).string("id").int32(20).int32(-1)
        .byte1(0).string("name").int32(1043).int32(104));
    assertThat(relation).isEqualTo(new Relation(16384, "public", "users", 'f',
        List.of(new Column(true, "id", 20, -1), new Column(false, "name", 1043, 104))));
  }

  @Test
  void typeNamesANonBuiltinType() {
    assertThat(decode(message('Y').int32(90000).string("public").string("mood")))
        .isEqualTo(new Type(90000, "public", "mood"));
  }

  @Test
  void insertCarriesTheNewTupleWithNullTextAndUnchangedValues() {
    Insert insert = (Insert) decode(message('I').int32(16384).byte1('N').int16(3)
        .text("42").byte1('n').byte1('u'));
    assertThat(insert.relationOid()).isEqualTo(16384);
    assertThat(insert.newTuple().values())
        .containsExactly(TupleData.Value.text("42"), TupleData.Value.NULL, TupleData.Value.UNCHANGED_TOAST);
  }

  @Test
  void binaryTupleValuesAreKeptAsBytes() {
    Insert insert = (Insert) decode(message('I').int32(1).byte1('N').int16(1).byte1('b').int32(2).bytes(new byte[] {7, 8}));
    assertThat(insert.newTuple().get(0)).isEqualTo(new TupleData.Value(TupleData.Kind.BINARY, new byte[] {7, 8}));
  }

  @Test
  void updateWithTheFullOldRow() {
    Update update = (Update) decode(message('U').int32(5).byte1('O').int16(1).text("old").byte1('N').int16(1).text("new"));
    assertThat(update.oldKind()).isEqualTo('O');
    assertThat(update.oldTuple().values()).containsExactly(TupleData.Value.text("old"));
    assertThat(update.newTuple().values()).containsExactly(TupleData.Value.text("new"));
  }

  @Test
  void updateWithTheOldKeyOnly() {
    Update update = (Update) decode(message('U').int32(5).byte1('K').int16(2).text("1").byte1('n')
        .byte1('N').int16(2).text("2").text("x"));
    assertThat(update.oldKind()).isEqualTo('K');
    assertThat(update.oldTuple().values()).containsExactly(TupleData.Value.text("1"), TupleData.Value.NULL);
  }

  @Test
  void updateWithoutOldTuple() {
    Update update = (Update) decode(message('U').int32(5).byte1('N').int16(1).text("new"));
    assertThat(update.oldTuple()).isNull();
    assertThat(update.oldKind()).isEqualTo((char) 0);
    assertThat(update.newTuple().values()).containsExactly(TupleData.Value.text("new"));
  }

  @Test
  void deleteCarriesTheOldRow() {
    Delete delete = (Delete) decode(message('D').int32(5).byte1('O').int16(1).text("gone"));
    assertThat(delete).isEqualTo(new Delete(5, 'O', new TupleData(List.of(TupleData.Value.text("gone")))));
  }

  @Test
  void deleteWithTheKeyOnly() {
    Delete delete = (Delete) decode(message('D').int32(5).byte1('K').int16(1).text("9"));
    assertThat(delete.oldKind()).isEqualTo('K');
  }

  @Test
  void truncateCarriesOptionsAndEveryRelation() {
    Truncate truncate = (Truncate) decode(message('T').int32(2).byte1(3).int32(10).int32(11));
    assertThat(truncate).isEqualTo(new Truncate(true, true, List.of(10, 11)));
  }

  @Test
  void messageCarriesFlagsPrefixAndContent() {
    byte[] content = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
    Message message = (Message) decode(message('M').byte1(1).int64(500).string("_bemi").int32(content.length).bytes(content));
    assertThat(message.transactional()).isTrue();
    assertThat(message.lsn()).isEqualTo(Lsn.of(500));
    assertThat(message.prefix()).isEqualTo("_bemi");
    assertThat(message.content()).isEqualTo(java.nio.ByteBuffer.wrap(content));
  }

  @Test
  void nonTransactionalMessageIsFlaggedSo() {
    Message message = (Message) decode(message('M').byte1(0).int64(1).string("_bemi").int32(0));
    assertThat(message.transactional()).isFalse();
  }

  @Test
  void anUnknownTagFailsWithTheLsn() {
    assertThatThrownBy(() -> decode(message('S').int32(1)))
        .isInstanceOf(DecodingException.class)
        .hasMessageContaining("0/16B3748")
        .hasMessageContaining("unknown message tag 'S'");
  }

  @Test
  void anUnknownTupleValueKindFailsWithTheLsn() {
    assertThatThrownBy(() -> decode(message('I').int32(1).byte1('N').int16(1).byte1('x')))
        .isInstanceOf(DecodingException.class)
        .hasMessageContaining("0/16B3748")
        .hasMessageContaining("tuple value kind 'x'");
  }

  @Test
  void aTruncatedMessageFailsInsteadOfReadingGarbage() {
    assertThatThrownBy(() -> decode(message('B').int64(1)))
        .isInstanceOf(DecodingException.class)
        .hasMessageContaining("BEGIN message ends early");
  }

  @Test
  void trailingBytesFailInsteadOfBeingSkipped() {
    assertThatThrownBy(() -> decode(message('O').int64(1).string("x").byte1(9)))
        .isInstanceOf(DecodingException.class)
        .hasMessageContaining("1 unexpected trailing bytes");
  }

  @Test
  void anUnterminatedStringFails() {
    ByteBuffer buffer = ByteBuffer.wrap(new byte[] {'O', 0, 0, 0, 0, 0, 0, 0, 1, 'a', 'b'});
    assertThatThrownBy(() -> PgOutputDecoder.decode(buffer, AT)).isInstanceOf(DecodingException.class);
  }
}

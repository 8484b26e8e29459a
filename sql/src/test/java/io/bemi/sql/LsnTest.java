package io.bemi.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LsnTest {

  @Test
  void printsAndParsesLikePostgres() {
    assertThat(Lsn.parse("16/B374D848").value()).isEqualTo(0x16_B374_D848L);
    assertThat(Lsn.parse("16/B374D848")).hasToString("16/B374D848");
    assertThat(Lsn.text(0x16B3748L)).isEqualTo("0/16B3748");
    assertThat(Lsn.parse("0/16b3748").value()).isEqualTo(0x16B3748L);
  }

  @Test
  void ordersAsAnUnsignedNumber() {
    assertThat(Lsn.parse("FFFFFFFF/0").isAfter(Lsn.parse("1/0"))).isTrue();
    assertThat(Lsn.INVALID.isValid()).isFalse();
  }

  @Test
  void textThatIsNotAnLsnIsEmptyOrAnError() {
    assertThat(Lsn.tryParse("123")).isEmpty();
    assertThat(Lsn.tryParse("1/123456789")).isEmpty();
    assertThat(Lsn.tryParse("-1/0")).isEmpty();
    assertThat(Lsn.tryParse("/1")).isEmpty();
    assertThat(Lsn.tryParse(null)).isEmpty();
    assertThatThrownBy(() -> Lsn.parse("0/xyz")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0/xyz");
  }
}

package io.bemi.dashboard.changes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class CursorTest {

  @Test
  void roundTripsWithMicrosecondPrecision() {
    Cursor c = new Cursor(Instant.parse("2024-05-01T10:00:00.123456Z"), 0x1_0000_0000L, 7);
    assertThat(Cursor.decode(c.encode())).isEqualTo(c);
  }

  @Test
  void aForgedCursorIsABadRequest() {
    assertThatThrownBy(() -> Cursor.decode("bm90OmE6Y3Vyc29y")).isInstanceOf(BadRequestException.class);
    assertThatThrownBy(() -> Cursor.decode("%%%")).isInstanceOf(BadRequestException.class);
  }
}

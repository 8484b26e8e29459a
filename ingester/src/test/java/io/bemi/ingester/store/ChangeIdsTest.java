package io.bemi.ingester.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class ChangeIdsTest {

  private final ChangeIds ids = new ChangeIds();

  @Test
  void idsAreVersion7WithTheRfcVariantAndCarryTheMillisecond() {
    UUID id = ids.next(1_764_295_200_123L);

    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2);
    assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(1_764_295_200_123L);
  }

  @Test
  void idsIssuedWithinOneMillisecondIncrease() {
    UUID previous = ids.next(1_000L);
    for (int i = 0; i < 10_000; i++) { // more than the 4,096 a millisecond holds
      UUID next = ids.next(1_000L);
      assertThat(unsignedOrder(next, previous)).isPositive();
      previous = next;
    }
  }

  @Test
  void idsKeepIncreasingWhenTheClockStepsBack() {
    UUID late = ids.next(5_000L);
    UUID afterStepBack = ids.next(4_000L);

    assertThat(unsignedOrder(afterStepBack, late)).isPositive();
  }

  /** The order PostgreSQL's uuid type uses: bytes compared unsigned, most significant first. */
  private static int unsignedOrder(UUID a, UUID b) {
    int high = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
    return high != 0 ? high : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
  }
}

package io.bemi.ingester.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.ingester.IngesterConfig;
import org.junit.jupiter.api.Test;

class RowLimitOptionTest {

  @Test
  void aSizeIsBytesOrKilobytesMegabytesGigabytesInPowersOf1024() {
    assertThat(RowLimitOption.parse("65536")).isEqualTo(65536);
    assertThat(RowLimitOption.parse("64KB")).isEqualTo(65536);
    assertThat(RowLimitOption.parse("64 MiB")).isEqualTo(64L << 20);
    assertThat(RowLimitOption.parse("1g")).isEqualTo(1L << 30);
    assertThat(RowLimitOption.parse("0")).isZero();
    assertThat(RowLimitOption.parse("auto")).isEqualTo(IngesterConfig.defaultMaxRowBytes());
    assertThat(IngesterConfig.defaultMaxRowBytes()).isEqualTo(Runtime.getRuntime().maxMemory() / 16);
  }

  @Test
  void anythingElseIsRefusedSayingWhatIsAccepted() {
    for (String wrong : new String[] {"-1", "100", "12 apples", "1.5GB", "64ib", "1TB"}) {
      assertThatThrownBy(() -> RowLimitOption.parse(wrong)).as(wrong).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("--max-row-bytes must be auto (a sixteenth of the heap), 0 (no limit) or a size of at least 1024 "
              + "bytes such as 67108864, 64MB or 1GB, not '" + wrong + "'");
    }
  }
}

package io.bemi.ingester.setup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TableChoiceTest {

  @Test
  void theCommentGivesTheChoiceBackWithTheOptionsThatMakeIt() {
    TableChoice choice = new TableChoice("bemi", List.of("shop"), List.of("shop.*", "public.\"odd'name\""),
        List.of("*.tmp_*"));

    assertThat(TableChoice.fromComment(choice.toComment())).isEqualTo(choice);
    assertThat(choice.asOptions())
        .isEqualTo("--schemas 'shop' --tables 'shop.*,public.\"odd'\\''name\"' --exclude-tables '*.tmp_*'");
    assertThat(choice.setupCommand("--snapshot")).isEqualTo("bemi-ingester setup --schemas 'shop' --tables "
        + "'shop.*,public.\"odd'\\''name\"' --exclude-tables '*.tmp_*' --snapshot");
    TableChoice none = new TableChoice("bemi", null, null, null);
    assertThat(none.asOptions()).isEmpty();
    assertThat(none.setupCommand("")).isEqualTo("bemi-ingester setup");
    assertThat(TableChoice.option("--snapshot-tables", List.of("shop.refunds", "shop.o'neil")))
        .isEqualTo("--snapshot-tables 'shop.refunds,shop.o'\\''neil'");
  }

  @Test
  void anyOtherCommentIsNoRecord() {
    assertThat(TableChoice.fromComment(null)).isNull();
    assertThat(TableChoice.fromComment("the audit publication")).isNull();
    assertThat(TableChoice.fromComment("bemi-ingester setup: {not json")).isNull();
    assertThat(TableChoice.fromComment("bemi-ingester setup: {\"schemas\": []}")).as("no destination schema").isNull();
    assertThat(TableChoice.fromComment("bemi-ingester setup: {\"destinationSchema\": \"bemi\", \"tables\": [\"a.b.c\"]}"))
        .as("a pattern setup would have refused").isNull();
    assertThat(TableChoice.fromComment("bemi-ingester setup: {\"destinationSchema\": \"bemi\", \"tables\": [null]}"))
        .isNull();
  }
}

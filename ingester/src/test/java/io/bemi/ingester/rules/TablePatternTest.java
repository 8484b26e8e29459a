package io.bemi.ingester.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TablePatternTest {

  @Test
  void aBareNameMeansTheTableInSchemaPublic() {
    TablePattern pattern = TablePattern.parse("sessions");
    assertThat(pattern.matches("public", "sessions")).isTrue();
    assertThat(pattern.matches("shop", "sessions")).isFalse();
    assertThat(pattern.isExactName()).isTrue();
  }

  @Test
  void aStarMatchesAnyRunOfCharactersInEitherPart() {
    TablePattern pattern = TablePattern.parse("*.tmp_*");
    assertThat(pattern.matches("shop", "tmp_import")).isTrue();
    assertThat(pattern.matches("public", "tmp_")).isTrue();
    assertThat(pattern.matches("public", "atmp_x")).isFalse();
    assertThat(pattern.isExactName()).isFalse();
  }

  @Test
  void regexCharactersInNamesMatchThemselves() {
    TablePattern pattern = TablePattern.parse("public.Odd Name (v2)");
    assertThat(pattern.matches("public", "Odd Name (v2)")).isTrue();
    assertThat(pattern.matches("public", "Odd Name v2")).isFalse();
  }

  @Test
  void aQuotedPartIsTheNameAsItIsWithDotsCommasStarsAndDoubledQuotes() {
    TablePattern pattern = TablePattern.parse("\"odd.schema\".\"a,b*\"\"c\"");
    assertThat(pattern.matches("odd.schema", "a,b*\"c")).isTrue();
    assertThat(pattern.matches("odd.schema", "a,bX\"c")).as("a quoted * is a character").isFalse();
    assertThat(pattern.isExactName()).isTrue();

    TablePattern mixed = TablePattern.parse("\"my.app\".*");
    assertThat(mixed.matches("my.app", "anything")).isTrue();
    assertThat(mixed.isExactName()).isFalse();
    assertThat(TablePattern.parse("\"orders.2024\"").matches("public", "orders.2024")).isTrue();
  }

  @Test
  void nameOfQuotesOnlyThePartsThatNeedItAndParsesBackToThatTable() {
    assertThat(TablePattern.nameOf("shop", "Odd Name")).isEqualTo("shop.Odd Name");
    assertThat(TablePattern.nameOf("my.app", "a,b")).isEqualTo("\"my.app\".\"a,b\"");
    assertThat(TablePattern.nameOf("s", "x*\"y")).isEqualTo("s.\"x*\"\"y\"");
    assertThat(TablePattern.nameOf("s", " padded ")).isEqualTo("s.\" padded \"");
    for (String[] name : new String[][] {{"shop", "Odd Name"}, {"my.app", "a,b"}, {"s", "x*\"y"}, {"s", " padded "},
        {"\"", "."}}) {
      TablePattern pattern = TablePattern.parse(TablePattern.nameOf(name[0], name[1]));
      assertThat(pattern.matches(name[0], name[1])).as(String.join("|", name)).isTrue();
      assertThat(pattern.isExactName()).isTrue();
    }
  }

  @Test
  void moreThanTwoPartsOrAnEmptyPartIsRejectedWithThePattern() {
    assertThatThrownBy(() -> TablePattern.parse("a.b.c")).hasMessageContaining("Invalid table pattern 'a.b.c'");
    assertThatThrownBy(() -> TablePattern.parse("shop.")).hasMessageContaining("expected schema.table or table");
    assertThatThrownBy(() -> TablePattern.parse("shop.\"\"")).hasMessageContaining("expected schema.table or table");
  }

  @Test
  void aBadlyQuotedPatternSaysWhatIsWrong() {
    assertThatThrownBy(() -> TablePattern.parse("shop.\"orders")).hasMessageContaining("Invalid table pattern")
        .hasMessageContaining("a quote opened at character 6 is not closed");
    assertThatThrownBy(() -> TablePattern.parse("shop.\"orders\"x")).hasMessageContaining("must be a whole part");
  }

  @Test
  void aQuoteAfterThePartsStartIsACharacterOfTheName() {
    TablePattern pattern = TablePattern.parse("shop.we\"ird*");
    assertThat(pattern.matches("shop", "we\"ird_2024")).isTrue();
    assertThat(pattern.isExactName()).isFalse();
  }
}

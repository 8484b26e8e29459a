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
  void moreThanTwoPartsOrAnEmptyPartIsRejectedWithThePattern() {
    assertThatThrownBy(() -> TablePattern.parse("a.b.c")).hasMessageContaining("Invalid table pattern 'a.b.c'");
    assertThatThrownBy(() -> TablePattern.parse("shop.")).hasMessageContaining("expected schema.table or table");
  }
}

package io.bemi.ingester.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ColumnRulesTest {

  @Test
  void aTwoPartPatternMatchesTheColumnInEverySchema() {
    ColumnPattern pattern = ColumnPattern.parse("*.updated_at");

    assertThat(pattern.matches("public", "users", "updated_at")).isTrue();
    assertThat(pattern.matches("shop", "orders", "updated_at")).isTrue();
    assertThat(pattern.matches("public", "users", "updated_at_2")).isFalse();
  }

  @Test
  void aThreePartPatternMatchesOnlyItsSchemaAndTable() {
    ColumnPattern pattern = ColumnPattern.parse("public.users.last_seen_at");

    assertThat(pattern.matches("public", "users", "last_seen_at")).isTrue();
    assertThat(pattern.matches("shop", "users", "last_seen_at")).isFalse();
    assertThat(pattern.matches("public", "users_old", "last_seen_at")).isFalse();
  }

  @Test
  void aStarInsideAPartMatchesAnyRunOfCharacters() {
    ColumnPattern pattern = ColumnPattern.parse("audit_*.*.*_token");

    assertThat(pattern.matches("audit_2024", "logins", "refresh_token")).isTrue();
    assertThat(pattern.matches("audit", "logins", "refresh_token")).isFalse();
  }

  @Test
  void aRuleWithTooFewPartsIsRejectedWithTheRuleInTheMessage() {
    assertThatThrownBy(() -> ColumnRules.parse(List.of("*.updated_at", "password_hash"), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'password_hash'");
  }

  @Test
  void aRuleWithAnEmptyPartOrOtherCharactersOutsideQuotesIsRejected() {
    assertThatThrownBy(() -> ColumnPattern.parse("public..name")).hasMessageContaining("'public..name'");
    assertThatThrownBy(() -> ColumnPattern.parse("users.e-mail")).hasMessageContaining("letters, digits")
        .hasMessageContaining("users.\"e-mail\"");
    assertThatThrownBy(() -> ColumnPattern.parse("users.\"\"")).hasMessageContaining("or a name in double quotes");
    assertThatThrownBy(() -> ColumnPattern.parse("users.\"e-mail")).hasMessageContaining("is not closed");
  }

  @Test
  void aQuotedPartIsTheColumnNameAsItIsAndLettersOfAnyAlphabetNeedNoQuotes() {
    ColumnPattern quoted = ColumnPattern.parse("\"my.app\".\"Users\".\"e-mail*\"");
    assertThat(quoted.matches("my.app", "Users", "e-mail*")).isTrue();
    assertThat(quoted.matches("my.app", "Users", "e-mail2")).as("a quoted * is a character").isFalse();
    assertThat(quoted.matches("my.app", "users", "e-mail*")).as("case-sensitive").isFalse();

    assertThat(ColumnPattern.parse("kunden.straße_größe").matches("public", "kunden", "straße_größe")).isTrue();
    assertThat(ColumnPattern.parse("*.\"Passwort Hash\"").matches("shop", "users", "Passwort Hash")).isTrue();
  }

  @Test
  void blankRulesFromAnEmptyEnvironmentVariableAreNoRules() {
    assertThat(ColumnRules.parse(null, List.of(" ")).isEmpty()).isTrue();
  }

  @Test
  void aColumnIsRedactedWhenAnyRedactPatternMatches() {
    ColumnRules rules = ColumnRules.parse(List.of(), List.of("users.email", "*.password_hash"));

    assertThat(rules.redacts("public", "accounts", "password_hash")).isTrue();
    assertThat(rules.redacts("public", "users", "email")).isTrue();
    assertThat(rules.redacts("public", "users", "name")).isFalse();
    assertThat(rules.ignores("public", "users", "email")).isFalse();
  }
}

package io.bemi.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import org.junit.jupiter.api.Test;

@WithPostgres
class SqlNamesTest {

  @Test
  void quotedNamesAndLiteralsReadBackAsTheyWereWritten(TestDatabase db) throws Exception {
    String name = "Odd \"name\"; 'drop'";
    db.execute("CREATE TABLE " + SqlNames.qualified("public", name) + " (v text)",
        "INSERT INTO " + SqlNames.qualified("public", name) + " VALUES (" + SqlNames.literal(name) + ")");

    assertThat(db.queryValue("SELECT v FROM " + SqlNames.identifier("public") + "." + SqlNames.identifier(name)))
        .isEqualTo(name);
    assertThat(db.queryValue("SELECT relname FROM pg_class WHERE relname = " + SqlNames.literal(name))).isEqualTo(name);
  }

  @Test
  void onlyLowerCaseIdentifiersAreDestinationSchemas() {
    assertThat(SqlNames.destinationSchema("bemi_2")).isEqualTo("bemi_2");
    assertThat(SqlNames.isLowerCaseIdentifier("_a1")).isTrue();
    assertThat(SqlNames.isLowerCaseIdentifier("a".repeat(64))).isFalse();
    assertThat(SqlNames.isLowerCaseIdentifier("Bemi")).isFalse();
    assertThat(SqlNames.isLowerCaseIdentifier("1bemi")).isFalse();
    assertThat(SqlNames.isLowerCaseIdentifier(null)).isFalse();
    assertThatThrownBy(() -> SqlNames.destinationSchema("bemi; drop table x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lower-case identifier");
  }

  @Test
  void theCurrentDatabaseIsTheOneConnectedTo(TestDatabase db) throws Exception {
    try (Connection connection = db.connect()) {
      assertThat(SqlNames.currentDatabase(connection)).isEqualTo(db.name());
    }
  }
}

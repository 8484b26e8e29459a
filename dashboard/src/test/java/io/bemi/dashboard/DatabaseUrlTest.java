package io.bemi.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatabaseUrlTest {

  @Test
  void aJdbcUrlIsUsedAsIs() {
    assertThat(DatabaseUrl.parse("jdbc:postgresql://db:5432/app?user=a").jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/app?user=a");
  }

  @Test
  void aUriBecomesAJdbcUrlWithDecodedCredentials() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://aud%40it:p%3Ass@db.internal:6432/shop?sslmode=require");
    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6432/shop?sslmode=require");
    assertThat(url.user()).isEqualTo("aud@it");
    assertThat(url.password()).isEqualTo("p:ss");
    assertThat(url.toString()).doesNotContain("p:ss");
  }

  @Test
  void otherSchemesAreRejected() {
    assertThatThrownBy(() -> DatabaseUrl.parse("mysql://x/y")).hasMessageContaining("postgresql://");
  }
}

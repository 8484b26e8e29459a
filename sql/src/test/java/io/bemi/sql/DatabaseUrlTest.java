package io.bemi.sql;

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
  void aPlusSignInThePasswordStaysAPlusSign() {
    assertThat(DatabaseUrl.parse("postgres://u:a+b@db/app").password()).isEqualTo("a+b");
  }

  @Test
  void passwordsNeverShowInTheText() {
    assertThat(DatabaseUrl.parse("jdbc:postgresql://db/app?user=u&password=secret").toString()).doesNotContain("secret");
    assertThat(DatabaseUrl.redact("postgresql://u:secret@db/app")).isEqualTo("postgresql://u:***@db/app");
  }

  @Test
  void otherSchemesAreRejected() {
    assertThatThrownBy(() -> DatabaseUrl.parse("mysql://x/y")).hasMessageContaining("postgresql://");
  }

  @Test
  void severalHostsWithUnderscoresAndPortsStayAsGiven() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://u:p@db_a:5432,db_b,[::1]:6432/app?target_session_attrs=read-write");
    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db_a:5432,db_b,[::1]:6432/app?targetServerType=primary");
    assertThat(url.user()).isEqualTo("u");
  }

  @Test
  void anUnencodedAtSignInThePasswordBelongsToThePassword() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://u:p@ss@db/app");
    assertThat(url.password()).isEqualTo("p@ss");
    assertThat(DatabaseUrl.redact("postgresql://u:p@ss@db/app")).isEqualTo("postgresql://u:***@db/app");
  }

  @Test
  void userAndPasswordParametersAreCredentialsNotUrlText() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://db/app?user=ann&password=s%20cret");
    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db/app");
    assertThat(url.password()).isEqualTo("s cret");
  }
}

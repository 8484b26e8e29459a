package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.ingester.PostgresUrl;
import io.bemi.sql.SqlNames;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** postgresql:// URIs connect where they say, as whom they say, or fail saying why; never silently to localhost. */
@WithPostgres
class ConnectionUrlTest {

  private static final String ODD_USER = "aud@it:ü 1";
  private static final String ODD_PASSWORD = "p@ss:w/rd?#%&=+ ü";
  private static final String ODD_DATABASE = "shop/ü 1?x";
  private static String hostPort;

  @BeforeAll
  static void oddNames(TestDatabase db) throws Exception {
    hostPort = db.jdbcUrl().substring("jdbc:postgresql://".length(), db.jdbcUrl().lastIndexOf('/'));
    db.execute("DROP ROLE IF EXISTS " + SqlNames.identifier(ODD_USER),
        "CREATE ROLE " + SqlNames.identifier(ODD_USER) + " LOGIN PASSWORD " + SqlNames.literal(ODD_PASSWORD),
        "DROP DATABASE IF EXISTS " + SqlNames.identifier(ODD_DATABASE),
        "CREATE DATABASE " + SqlNames.identifier(ODD_DATABASE));
  }

  private static String encoded(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String whoAndWhere(PostgresUrl url) throws SQLException {
    try (Connection c = url.connect(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT current_user || ' in ' || current_database()")) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void percentEncodedUserPasswordAndDatabaseAreDecoded() throws Exception {
    PostgresUrl url = PostgresUrl.parse("postgresql://" + encoded(ODD_USER) + ":" + encoded(ODD_PASSWORD) + "@"
        + hostPort + "/" + encoded(ODD_DATABASE) + "?application_name=audit%20job&sslmode=disable");

    assertThat(whoAndWhere(url)).isEqualTo(ODD_USER + " in " + ODD_DATABASE);
    assertThat(url.toString()).doesNotContain("p@ss").doesNotContain(encoded(ODD_PASSWORD));
  }

  @Test
  void severalHostsAreTriedInOrder(TestDatabase db) throws Exception {
    PostgresUrl url = PostgresUrl.parse("postgresql://" + db.user() + ":" + db.password() + "@127.0.0.1:1,"
        + hostPort + "/" + db.name());

    assertThat(whoAndWhere(url)).isEqualTo(db.user() + " in " + db.name());
  }

  @Test
  void aHostNameWithAnUnderscoreIsUsedNotReplacedByLocalhost(TestDatabase db) {
    PostgresUrl url = PostgresUrl.parse("postgresql://" + db.user() + ":s3cret@no_such_host.invalid:"
        + hostPort.substring(hostPort.lastIndexOf(':') + 1) + "/" + db.name());

    assertThat(url.jdbcUrl()).startsWith("jdbc:postgresql://no_such_host.invalid:");
    assertThatThrownBy(() -> whoAndWhere(url)).hasRootCauseMessage("no_such_host.invalid")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void aParameterThatWouldMoveTheConnectionIsRefusedWithoutShowingThePassword() {
    assertThatThrownBy(() -> PostgresUrl.parse("postgresql://u:s3cret@db/app?host=elsewhere"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host")
        .hasMessageNotContaining("s3cret");
    assertThatThrownBy(() -> PostgresUrl.parse("postgresql://u:s3cr@t@db:5x/app"))
        .hasMessageContaining("5x").hasMessageNotContaining("s3cr");
  }
}

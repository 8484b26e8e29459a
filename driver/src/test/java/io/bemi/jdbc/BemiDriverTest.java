package io.bemi.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.junit.jupiter.api.Test;

@WithPostgres
class BemiDriverTest {

  private final BemiDriver driver = new BemiDriver();

  @Test
  void cutsTheBemiPartOutOfTheUrlByPositionAndKeepsPgjdbcParameters() {
    BemiDriver.Target target = BemiDriver.target(
        "jdbc:bemi:postgresql://db.example:5433/shop?ssl=true&bemi.includeSql=true&ApplicationName=bemi%3Aapp", null);
    assertThat(target.url()).isEqualTo("jdbc:postgresql://db.example:5433/shop?ssl=true&ApplicationName=bemi%3Aapp");
    assertThat(target.options().includeSql()).isTrue();
  }

  @Test
  void removesBemiPropertiesBeforeDelegating() {
    Properties info = new Properties();
    info.setProperty("user", "ann");
    info.setProperty("bemi.maxContextBytes", "1000");
    BemiDriver.Target target = BemiDriver.target("jdbc:bemi:postgresql:shop?bemi.enabled=false", info);
    assertThat(target.url()).isEqualTo("jdbc:postgresql:shop");
    assertThat(target.pgjdbcProperties()).containsOnlyKeys("user");
    assertThat(target.options()).isEqualTo(new BemiOptions(false, false, 1000, false));
  }

  @Test
  void urlParametersWinOverProperties() {
    Properties info = new Properties();
    info.setProperty("bemi.includeSql", "false");
    assertThat(BemiDriver.target("jdbc:bemi:postgresql://h/db?bemi.includeSql=true", info).options().includeSql())
        .isTrue();
  }

  @Test
  void rejectsUnknownBemiOptionsWithTheKnownOnes() {
    assertThatThrownBy(() -> BemiDriver.target("jdbc:bemi:postgresql://h/db?bemi.includSql=true&password=secret", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bemi.includSql")
        .hasMessageContaining("bemi.includeSql")
        .hasMessageNotContaining("secret");
  }

  @Test
  void answersNullForOtherUrls() throws SQLException {
    assertThat(driver.connect("jdbc:postgresql://localhost/db", new Properties())).isNull();
    assertThat(driver.connect("jdbc:otel:postgresql://localhost/db", new Properties())).isNull();
    assertThat(driver.acceptsURL("jdbc:postgresql://localhost/db")).isFalse();
    assertThat(driver.acceptsURL("jdbc:bemi:postgresql://localhost/db")).isTrue();
  }

  @Test
  void driverManagerFindsTheDriverThroughTheServiceLoader(TestDatabase db) throws SQLException {
    String url = EmissionTest.bemiUrl(db);
    Driver found = DriverManager.getDriver(url);
    assertThat(found).isInstanceOf(BemiDriver.class);
    try (Connection c = DriverManager.getConnection(url + "?bemi.includeSql=true", db.credentials())) {
      assertThat(BemiJdbc.isWrapped(c)).isTrue();
      assertThat(c.getMetaData().getURL()).startsWith("jdbc:postgresql:");
    }
  }

  @Test
  void describesItsOwnOptionsBesidePgjdbcs(TestDatabase db) throws SQLException {
    assertThat(driver.getPropertyInfo(EmissionTest.bemiUrl(db), new Properties()))
        .extracting(p -> p.name)
        .contains("user", "reWriteBatchedInserts", "bemi.enabled", "bemi.includeSql", "bemi.maxContextBytes",
            "bemi.contextFor");
  }

  @Test
  void wrapsAConnectionOnlyOnce(TestDatabase db) throws SQLException {
    try (Connection raw = db.connect()) {
      assertThat(BemiJdbc.isWrapped(raw)).isFalse();
      Connection wrapped = BemiJdbc.wrap(raw, new Properties());
      assertThat(BemiJdbc.isWrapped(wrapped)).isTrue();
      assertThat(BemiJdbc.wrap(wrapped, new Properties())).isSameAs(wrapped);
      assertThat(wrapped.unwrap(org.postgresql.PGConnection.class)).isSameAs(raw);
      assertThat(wrapped.toString()).contains("BemiConnection");
    }
  }

  @Test
  void aBadBemiOptionInAUrlWithAPasswordDoesNotRepeatThePassword() {
    assertThatThrownBy(() -> driver.connect(
        "jdbc:bemi:postgresql://localhost/db?user=ann&password=hunter2&bemi.maxContextBytes=lots", new Properties()))
        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("22023"))
        .hasMessageContaining("bemi.maxContextBytes must be a positive number of bytes, not `lots`")
        .hasMessageNotContaining("hunter2")
        .satisfies(e -> assertThat(String.valueOf(e.getCause())).doesNotContain("hunter2"));
  }

  @Test
  void anUnknownBemiOptionInAUrlWithUserInformationDoesNotRepeatThePassword() {
    assertThatThrownBy(() -> driver.connect("jdbc:bemi:postgresql://ann:hunter2@localhost/db?bemi.nope=1&sslpassword=s3cret",
        new Properties()))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("bemi.nope")
        .hasMessageNotContaining("hunter2")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void aMalformedEscapeInAUrlWithAPasswordDoesNotRepeatThePassword() {
    assertThatThrownBy(() -> driver.connect("jdbc:bemi:postgresql://localhost/db?password=hunter2&bemi.enabled=%zz",
        new Properties()))
        .hasMessageContaining("malformed")
        .hasMessageNotContaining("hunter2")
        .hasNoCause();
  }

  @Test
  void aUrlPgjdbcRefusesIsReportedWithoutItsPassword() {
    assertThatThrownBy(() -> driver.connect("jdbc:bemi:postgresql://localhost:99999999/db?password=hunter2",
        new Properties()))
        .isInstanceOf(SQLException.class)
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void theSplitTargetDoesNotPrintThePasswordProperty() {
    Properties info = new Properties();
    info.setProperty("password", "hunter2");
    assertThat(BemiDriver.target("jdbc:bemi:postgresql://localhost/db?password=hunter2", info).toString())
        .doesNotContain("hunter2");
  }
}

package io.bemi.dashboard.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.dashboard.Main;
import io.bemi.dashboard.Trail;
import io.bemi.dashboard.TwoSources;
import io.bemi.dashboard.web.DashboardApp;
import io.bemi.dashboard.web.TestApp;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import io.javalin.Javalin;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium: sign in, filter, open a record, view a diff and the
 * as-of state, preview and execute a revert, read hostile data safely. Screenshots go to
 * target/screenshots/. Skipped when Debian's chromium and chromium-driver are not installed.
 */
@WithPostgres
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@EnabledIf(value = "chromiumInstalled", disabledReason = "needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)")
class BrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");

  private TestDatabase db;
  private Javalin app;
  private ChromeDriver browser;
  private Path profile;
  private String base;

  /** Class-level, so that without Chromium every test is reported as skipped (not "0 tests run"). */
  static boolean chromiumInstalled() {
    return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
  }

  @BeforeAll
  void start(TestDatabase db) throws Exception {
    this.db = db;
    new Trail(db).story();
    backgroundActivity(db);
    // The source is the same database here: the story's rows live in public.*.
    app = DashboardApp.create(Main.services(TestApp.destination(db), db.dataSource(), "bemi", TestApp.TOKEN, null,
        Clock.fixed(TestApp.NOW, ZoneOffset.UTC)));
    app.start("127.0.0.1", 0);
    base = "http://127.0.0.1:" + app.port();
    Files.createDirectories(SCREENSHOTS);
    profile = Files.createTempDirectory("bemi-chromium-");
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + profile, "--window-size=1440,1000", "--force-device-scale-factor=1", "--lang=en-US");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
  }

  @AfterAll
  void stop() throws IOException {
    if (browser != null) {
      browser.quit();
    }
    if (app != null) {
      app.stop();
    }
    if (profile != null) {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  /** A day of ordinary traffic before the story, so the activity charts have something to show. */
  private static void backgroundActivity(TestDatabase db) throws Exception {
    db.execute("INSERT INTO bemi.changes (primary_key, before, after, context, database, schema, \"table\", operation,"
        + " committed_at, queued_at, transaction_id, position, commit_lsn, change_index)"
        + " SELECT (100 + g % 97)::text,"
        + "   CASE WHEN g % 3 = 0 THEN '{}' ELSE jsonb_build_object('id', 100 + g % 97, 'status', 'new') END,"
        + "   CASE WHEN g % 11 = 0 THEN '{}' ELSE jsonb_build_object('id', 100 + g % 97, 'status', 'paid') END,"
        + "   jsonb_build_object('userId', 1 + (g * 7) % 13, 'endpoint', (ARRAY['POST /orders','PUT /orders/:id','POST /invoices'])[1 + g % 3]),"
        + "   'shop', 'public', (ARRAY['orders','invoices','customers','line_items'])[1 + (g * 5) % 4],"
        + "   CASE WHEN g % 11 = 0 THEN 'DELETE' WHEN g % 3 = 0 THEN 'CREATE' ELSE 'UPDATE' END,"
        + "   TIMESTAMPTZ '2024-04-30 15:00:00+00' + (g * interval '65 seconds') * (1.2 + sin(g / 40.0)),"
        + "   TIMESTAMPTZ '2024-04-30 15:00:00+00' + (g * interval '65 seconds') * (1.2 + sin(g / 40.0)),"
        + "   5000 + g, g * 16, g * 16, 0"
        + " FROM generate_series(1, 600) g");
  }

  private void shot(String name) throws IOException {
    File file = browser.getScreenshotAs(OutputType.FILE);
    Files.copy(file.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  private WebDriverWait waiting() {
    return new WebDriverWait(browser, Duration.ofSeconds(10));
  }

  private void fill(String name, String value) {
    WebElement input = browser.findElement(By.cssSelector("form.filters input[name='" + name + "']"));
    input.clear();
    input.sendKeys(value);
  }

  @Test
  @Order(1)
  void signsInWithTheToken() throws Exception {
    browser.get(base + "/");
    assertThat(browser.getCurrentUrl()).contains("/signin");
    shot("01-sign-in");
    browser.findElement(By.name("token")).sendKeys(TestApp.TOKEN);
    browser.findElement(By.cssSelector("form button[type=submit]")).click();
    waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("form.filters")));
    assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Changes");
    shot("02-changes");
  }

  @Test
  @Order(2)
  void filtersByTableAndContextWithTheFilterInTheUrl() throws Exception {
    browser.get(base + "/");
    fill("table", "orders");
    fill("context", "userId = 42");
    browser.findElement(By.cssSelector("form.filters button.primary")).click();
    waiting().until(ExpectedConditions.urlContains("table=orders"));
    assertThat(browser.getCurrentUrl()).contains("context=userId+%3D+42").doesNotContain("pk=");
    List<WebElement> changes = browser.findElements(By.cssSelector("details.change"));
    assertThat(changes).hasSize(2);
    shot("03-filtered");
  }

  @Test
  @Order(3)
  void expandsAChangeToSeeItsDiff() throws Exception {
    browser.get(base + "/?table=orders&op=UPDATE&context=requestId+%3D+r-2");
    WebElement change = browser.findElement(By.cssSelector("details.change"));
    change.findElement(By.tagName("summary")).click();
    WebElement changed = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("table.diff tr.changed")));
    assertThat(changed.getText()).contains("status", "\"new\"", "\"paid\"");
    // times are shown in the viewer's zone, UTC on hover
    WebElement time = change.findElement(By.tagName("time"));
    assertThat(time.getAttribute("title")).startsWith("2024-05-01 11:00:00.000000 UTC");
    assertThat(time.getText()).matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}");
    shot("04-diff");
  }

  @Test
  @Order(4)
  void opensARecordAndSeesItAsOfAnInstant() throws Exception {
    browser.get(base + "/?table=orders&pk=1");
    browser.findElement(By.cssSelector("details.change summary")).click();
    browser.findElement(By.linkText("Record timeline")).click();
    waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("ol.timeline")));
    assertThat(browser.findElements(By.cssSelector("ol.timeline li.event"))).hasSize(3);
    WebElement at = browser.findElement(By.name("at"));
    at.sendKeys("2024-05-01T11:30:00Z");
    browser.findElement(By.cssSelector("form.asof button")).click();
    WebElement state = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("as-of-state")));
    assertThat(state.getText()).contains("\"status\"", "\"paid\"");
    browser.manage().window().setSize(new Dimension(1440, 1500));
    shot("05-record-as-of");
    browser.manage().window().setSize(new Dimension(1440, 1000));
  }

  @Test
  @Order(5)
  void previewsARevertWithItsConflict() throws Exception {
    browser.get(base + "/record?schema=public&table=orders&pk=1");
    List<WebElement> reverts = browser.findElements(By.linkText("Revert…"));
    reverts.get(reverts.size() - 2).click(); // the 11:00 update; orders 1 changed again at 12:00
    WebElement sql = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("revert-sql")));
    assertThat(sql.getText()).startsWith("DO $");
    assertThat(browser.findElement(By.id("conflicts")).getText()).contains("1 of 1 changes conflict");
    browser.manage().window().setSize(new Dimension(1440, 1400));
    shot("06-revert-preview");
    browser.manage().window().setSize(new Dimension(1440, 1000));
  }

  @Test
  @Order(6)
  void executesARevertAfterConfirmation() throws Exception {
    assertThat(db.queryLong("SELECT count(*) FROM public.orders WHERE id = 2")).isZero();
    browser.get(base + "/revert?transaction=103");
    browser.findElement(By.name("confirm")).click();
    browser.findElement(By.cssSelector("button.danger")).click();
    WebElement done = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("revert-done")));
    assertThat(done.getText()).contains("1 changes reverted");
    assertThat(db.queryValue("SELECT status FROM public.orders WHERE id = 2")).isEqualTo("imported");
    shot("07-revert-done");
  }

  @Test
  @Order(7)
  void showsActivityCharts() throws Exception {
    browser.get(base + "/activity?window=24h");
    assertThat(browser.findElements(By.cssSelector("figure.chart svg rect"))).isNotEmpty();
    browser.manage().window().setSize(new Dimension(1440, 1300));
    shot("08-activity");
    browser.manage().window().setSize(new Dimension(1440, 1000));
  }

  @Test
  @Order(8)
  void fitsANarrowScreenWithoutSidewaysScrolling() throws Exception {
    browser.manage().window().setSize(new Dimension(420, 900));
    try {
      browser.get(base + "/?table=orders&pk=1");
      browser.findElement(By.cssSelector("details.change summary")).click();
      shot("10-narrow-screen");
      Object wide = browser.executeScript("return Array.from(document.querySelectorAll('body *'))"
          + ".filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)"
          + ".map(e => e.tagName + '.' + e.className).slice(0, 5).join(' ');");
      assertThat(wide).as("elements wider than the screen").isEqualTo("");
    } finally {
      browser.manage().window().setSize(new Dimension(1440, 1000));
    }
  }

  @Test
  @Order(9)
  void hostileDataIsShownAsTextAndNeverRuns() throws Exception {
    db.execute("INSERT INTO bemi.changes (primary_key, before, after, context, database, schema, \"table\", operation,"
        + " committed_at, queued_at, transaction_id, position, commit_lsn, change_index) VALUES ("
        + " '<script>alert(1)</script>', '{}',"
        + " jsonb_build_object('note', '<img src=x onerror=\"document.title=''pwned''\">', '<b>col</b>', '</td></tr></table><script>alert(2)</script>'),"
        + " jsonb_build_object('userId', '\"><script>alert(3)</script>'),"
        + " 'shop', 'public', 'orders<script>', 'CREATE', '2024-05-01T13:59:00Z', '2024-05-01T13:59:00Z', 777, 1, 88888888, 0)");
    browser.get(base + "/?table=" + java.net.URLEncoder.encode("orders<script>", "UTF-8"));
    WebElement change = browser.findElement(By.cssSelector("details.change"));
    change.findElement(By.tagName("summary")).click();
    waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("table.diff")));
    assertThat(change.getText()).contains("<script>alert(1)</script>", "orders<script>", "</td></tr></table><script>alert(2)</script>");
    assertThat(browser.getTitle()).isEqualTo("Changes · Bemi");
    assertThatThrownBy(() -> browser.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
    assertThat(browser.findElements(By.cssSelector("main img"))).isEmpty();
    shot("09-hostile-data");
  }

  @Test
  @Order(11)
  void aTransactionLsnTwoSourcesShareOffersTheSourcesAndClicksStayInTheChosenOne() throws Exception {
    TwoSources.store(db);
    browser.get(base + "/transactions/" + TwoSources.COMMIT_LSN);
    assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Choose a source");
    assertThat(browser.findElements(By.cssSelector("#sources a"))).extracting(WebElement::getText)
        .containsExactly(TwoSources.EU, TwoSources.US);
    shot("12-choose-a-source");
    browser.findElement(By.linkText(TwoSources.EU)).click();
    waiting().until(ExpectedConditions.urlContains("source=eu-1"));
    assertThat(browser.findElements(By.cssSelector("details.change"))).hasSize(1);
    browser.findElement(By.cssSelector("details.change summary")).click();
    assertThat(browser.findElement(By.cssSelector("details.change")).getText()).contains("anna").doesNotContain("zoe");
    browser.findElement(By.linkText("Record timeline")).click();
    waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("ol.timeline")));
    assertThat(browser.findElement(By.tagName("h1")).getText()).endsWith("of source eu-1");
    browser.findElement(By.name("at")).sendKeys("2024-05-01T12:00:00Z");
    browser.findElement(By.cssSelector("form.asof button")).click();
    WebElement state = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("as-of-state")));
    assertThat(state.getText()).contains("\"anna\"").doesNotContain("zoe");
    browser.findElement(By.partialLinkText("transaction 0/5000000")).click();
    waiting().until(ExpectedConditions.urlContains("/transactions/0/5000000?source=eu-1"));
    assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Transaction 0/5000000 of source eu-1");
    shot("13-one-sources-transaction");
  }

  @Test
  @Order(10)
  void operationBadgesFitBesideTheirCheckboxesAt1400Pixels() throws Exception {
    browser.manage().window().setSize(new Dimension(1400, 1000));
    try {
      browser.get(base + "/");
      shot("11-operation-filters-1400");
      // each badge is as wide as its text and starts right of its checkbox
      Object squeezed = browser.executeScript("return Array.from(document.querySelectorAll('fieldset.ops label.check'))"
          + ".filter(l => { const box = l.querySelector('input').getBoundingClientRect(); const badge = l.querySelector('.op');"
          + "  return badge.scrollWidth > badge.clientWidth + 1 || badge.getBoundingClientRect().left < box.right; })"
          + ".map(l => l.textContent.trim()).join(' ');");
      assertThat(squeezed).as("badges overlapping their checkbox or cut").isEqualTo("");
    } finally {
      browser.manage().window().setSize(new Dimension(1440, 1000));
    }
  }
}

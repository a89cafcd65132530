package io.opampfleet.server.ui;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless chromium driven through its own chromedriver (found through
 * {@code -Dchromedriver.binary}, which the project's set-up provides), with the waits, screenshots
 * and console checks the UI tests share.
 */
public final class Browser implements AutoCloseable {
  private static final Path SCREENSHOTS = Path.of("target", "ui-screenshots");
  private final ChromeDriver driver;
  private final WebDriverWait wait;

  public Browser(int width, int height) {
    String driverPath = System.getProperty("chromedriver.binary", "");
    if (driverPath.isBlank() || driverPath.startsWith("${") || !Files.isExecutable(Path.of(driverPath))) {
      throw new IllegalStateException("no chromedriver: run the tests with scripts/test, whose set-up installs"
          + " chromium and chromium-driver, or set CHROMEDRIVER to its path");
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(Path.of("/usr/bin/chromium").toFile());
    // The end-to-end suites' admin listener has a certificate from their own test CA.
    options.setAcceptInsecureCerts(true);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=" + width + "," + height);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(Path.of(driverPath).toFile())
        .usingAnyFreePort().build();
    driver = new ChromeDriver(service, options);
    wait = new WebDriverWait(driver, Duration.ofSeconds(20));
  }

  public ChromeDriver driver() {
    return driver;
  }

  public void open(String url) {
    driver.get(url);
  }

  public WebElement await(By by) {
    return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
  }

  public void awaitText(By by, String text) {
    wait.until(ExpectedConditions.textToBePresentInElementLocated(by, text));
  }

  public List<WebElement> all(By by) {
    return driver.findElements(by);
  }

  /** Replaces a text field's content the way typing would, so the page hears an input event. */
  public void type(WebElement field, String text) {
    driver.executeScript("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'));",
        field, text);
  }

  /** Signs in on the page's sign-in form. */
  public void signIn(String token) {
    WebElement field;
    try {
      field = await(By.id("token"));
    } catch (org.openqa.selenium.TimeoutException e) {
      // Say which page the browser shows instead: an error page or an app that did not start.
      String page = driver.getPageSource();
      throw new AssertionError("no sign-in form at " + driver.getCurrentUrl() + " (title '" + driver.getTitle()
          + "'): " + page.substring(0, Math.min(800, page.length())), e);
    }
    field.clear();
    field.sendKeys(token);
    driver.findElement(By.cssSelector("#signin button[type=submit]")).click();
  }

  /** Starts a rollout from the rollouts page's form, with no bake time, and waits for its live view. */
  public void startRollout(String selector, int matches, String version, String waves, String budget,
      String applyTimeout) {
    type(await(By.id("rollout-selector")), selector);
    awaitText(By.id("rollout-matches"), matches + " agents match");
    type(await(By.id("rollout-version")), version);
    type(await(By.id("rollout-waves")), waves);
    type(await(By.id("rollout-bake")), "0s");
    type(await(By.id("rollout-budget")), budget);
    type(await(By.id("rollout-timeout")), applyTimeout);
    // The form says what starting would do before it is started.
    awaitText(By.id("rollout-plan"), "Would start: " + matches + " agents in waves of ");
    screenshot("09b-rollout-form-version-" + version);
    driver.findElement(By.id("rollout-start")).click();
    await(By.id("rollout-state"));
  }

  /** Saves what the page shows now as target/ui-screenshots/{@code name}.png. */
  public Path screenshot(String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      Path file = SCREENSHOTS.resolve(name + ".png");
      Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The console's errors since the last call. */
  public List<String> consoleErrors() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage).toList();
  }

  @Override
  public void close() {
    driver.quit();
  }
}

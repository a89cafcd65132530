package io.opampfleet.server.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.fleet.TestFleet;
import io.opampfleet.simulated.OwnMetricsRequests;
import io.opampfleet.simulated.SimulatedAgent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The web UI in Debian's headless chromium against a real server with agents connected over
 * mutual TLS: sign-in, the fleet filtered by selector, an agent's page, what a viewer is not
 * offered, an operator's restart, and the messages for a wrong token, an ended session and a
 * server that went away. Screenshots of each page go to target/ui-screenshots.
 */
class WebUiIT {
  @TempDir
  Path dir;
  private TestFleet fleet;
  private final List<SimulatedAgent> agents = new ArrayList<>();
  private Browser browser;

  @BeforeEach
  void start() {
    fleet = new TestFleet(dir).start();
    agents.add(fleet.agent(Map.of("service.name", "checkout", "env", "prod"), SimulatedAgent.newUid(), false).start());
    agents.add(fleet.agent(Map.of("service.name", "checkout", "env", "prod"), SimulatedAgent.newUid(), false).start());
    agents.add(fleet.agent(Map.of("service.name", "ingest", "env", "dev"), SimulatedAgent.newUid(), false).start());
    await().atMost(Duration.ofSeconds(20)).until(() -> fleet.admin(TestFleet.VIEWER)
        .get("/api/v1/agents?connected=true").body().get("total").asInt() == 3);
    browser = new Browser(1440, 1000);
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.close();
    }
    agents.forEach(SimulatedAgent::close);
    fleet.close();
  }

  @Test
  void theApiPageShowsTheDocumentWithTheSignedInTokenAndTriesACall() {
    browser.open(fleet.adminUrl().resolve("/api/docs").toString());
    browser.awaitText(By.className("docs-signin"), "sign in");

    browser.open(fleet.adminUrl().resolve("/").toString());
    browser.signIn(TestFleet.VIEWER);
    browser.awaitText(By.id("count-connected"), "3");
    browser.driver().findElement(By.linkText("API")).click();
    await().atMost(Duration.ofSeconds(20)).until(() -> browser.all(By.cssSelector(".opblock")).size() > 30);
    assertThat(browser.await(By.cssSelector(".info .title")).getText()).contains("OpAMP Fleet admin API");
    browser.screenshot("09-api-page");

    // Try it out on the agents list: the call goes with the token, and the three agents come back.
    browser.await(By.cssSelector("#operations-default-get_api_v1_agents .opblock-summary-control")).click();
    browser.await(By.cssSelector("#operations-default-get_api_v1_agents .try-out__btn")).click();
    browser.await(By.cssSelector("#operations-default-get_api_v1_agents .execute")).click();
    await().atMost(Duration.ofSeconds(20)).until(() -> browser.all(By.cssSelector(
        "#operations-default-get_api_v1_agents .live-responses-table .response-col_status")).stream()
        .anyMatch(cell -> cell.getText().startsWith("200")));
    assertThat(browser.await(By.cssSelector("#operations-default-get_api_v1_agents .live-responses-table"))
        .getText()).contains("\"total\": 3");
    browser.screenshot("10-api-page-tried");
    assertThat(browser.consoleErrors()).isEmpty();
  }

  @Test
  void aViewerFindsAnAgentBySelectorAndSeesItsPageButNoActions() {
    browser.open(fleet.adminUrl().resolve("/").toString());
    browser.signIn("wrong-token");
    browser.awaitText(By.id("signin-error"), "not known to this server");
    browser.screenshot("01-signin-wrong-token");

    browser.signIn(TestFleet.VIEWER);
    browser.awaitText(By.id("count-connected"), "3");
    await().atMost(Duration.ofSeconds(10)).until(() -> browser.all(By.cssSelector("#agents tr[data-uid]")).size() == 3);
    browser.consoleErrors();
    // Each agent shows the server holding its connection.
    assertThat(browser.all(By.cssSelector("#agents tr[data-uid] td.replica"))).extracting(WebElement::getText)
        .containsOnly(fleet.replicaName());
    browser.screenshot("02-fleet");
    browser.driver().manage().window().setSize(new org.openqa.selenium.Dimension(1280, 800));
    browser.screenshot("02-fleet-laptop");
    browser.driver().manage().window().setSize(new org.openqa.selenium.Dimension(1440, 1000));

    WebElement selector = browser.await(By.id("selector"));
    selector.clear();
    selector.sendKeys("env=dev");
    browser.driver().findElement(By.cssSelector("#filters button[type=submit]")).click();
    String devUid = agents.get(2).uid();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      List<WebElement> rows = browser.all(By.cssSelector("#agents tr[data-uid]"));
      return rows.size() == 1 && devUid.equals(rows.get(0).getAttribute("data-uid"));
    });
    browser.awaitText(By.id("range"), "1–1 of 1");
    browser.screenshot("03-fleet-selector");

    browser.driver().findElement(By.linkText(devUid)).click();
    browser.awaitText(By.id("agent"), "ingest");
    browser.awaitText(By.id("health"), "StatusOK");
    assertThat(browser.driver().findElement(By.id("agent")).getText()).contains("env", "dev", "AcceptsRemoteConfig");
    assertThat(browser.all(By.xpath("//button[text()='Restart']"))).as("a viewer is not offered a restart").isEmpty();
    browser.screenshot("04-agent");
    assertThat(browser.consoleErrors()).isEmpty();
  }

  @Test
  void theFleetShowsEachCollectorsOwnFiguresFlagsTheOneDroppingDataAndItsPageDrawsThem() throws Exception {
    SimulatedAgent dropping = fleet.agent(Map.of("service.name", "gateway", "env", "prod"), SimulatedAgent.newUid(),
        false).reportingOwnMetrics().start();
    SimulatedAgent steady = fleet.agent(Map.of("service.name", "gateway", "env", "prod"), SimulatedAgent.newUid(),
        false).reportingOwnMetrics().start();
    agents.add(dropping);
    agents.add(steady);
    await().atMost(Duration.ofSeconds(10)).until(() -> dropping.received.stream()
        .anyMatch(m -> m.getConnectionSettings().hasOwnMetrics()) && steady.received.stream()
        .anyMatch(m -> m.getConnectionSettings().hasOwnMetrics()));
    // Six readings a sample apart: the dropping one refuses items from the fourth on, and its queue fills.
    for (int i = 1; i <= 6; i++) {
      assertThat(dropping.sendOwnMetrics(OwnMetricsRequests.reading(i, 0.05 * i * i, (120 + 8 * i) * 1e6, 500L * i * i,
          i < 4 ? 0 : 40L * (i - 3), 480L * i * i, 0, 150L * i, 1000)).statusCode()).isEqualTo(200);
      assertThat(steady.sendOwnMetrics(OwnMetricsRequests.reading(i, 0.05 * i, 60e6, 100L * i, 0, 100L * i, 0, 0,
          1000)).statusCode()).isEqualTo(200);
      Thread.sleep(1_100);
    }

    browser.open(fleet.adminUrl().resolve("/").toString());
    browser.signIn(TestFleet.VIEWER);
    browser.awaitText(By.id("count-dropping"), "1");
    browser.open(fleet.adminUrl().resolve("/#/fleet?sort=-cpu").toString());
    await().atMost(Duration.ofSeconds(10)).until(() -> browser.all(By.cssSelector("#agents tr[data-uid]")).size() == 5);
    List<WebElement> rows = browser.all(By.cssSelector("#agents tr[data-uid]"));
    assertThat(rows.get(0).getAttribute("data-uid")).isEqualTo(dropping.uid());
    assertThat(rows.get(0).getText()).contains("dropping data", "queue filling", "MiB");
    assertThat(rows.get(1).getAttribute("data-uid")).isEqualTo(steady.uid());
    assertThat(rows.get(1).getText()).doesNotContain("dropping data");
    browser.screenshot("05-fleet-own-telemetry");

    browser.driver().findElement(By.cssSelector("#count-dropping")).click();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      List<WebElement> shown = browser.all(By.cssSelector("#agents tr[data-uid]"));
      return shown.size() == 1 && dropping.uid().equals(shown.get(0).getAttribute("data-uid"));
    });
    browser.driver().findElement(By.linkText(dropping.uid())).click();
    browser.awaitText(By.id("own-telemetry"), "dropping data");
    await().atMost(Duration.ofSeconds(10)).until(() -> browser.all(By.cssSelector("#own-telemetry svg.chart polyline"))
        .size() >= 5);
    assertThat(browser.driver().findElement(By.id("own-telemetry")).getText()).contains("otlp/backend", "CPU",
        "Memory (RSS)", "refused");
    browser.screenshot("06-agent-own-telemetry");
    assertThat(browser.consoleErrors()).isEmpty();
  }

  @Test
  void anOperatorRestartsAnAgentAndAnEndedSessionOrAGoneServerIsSaid() {
    AdminClient admin = fleet.admin(TestFleet.ADMIN);
    String token = admin.post("/api/v1/tokens", Map.of("name", "ui-operator", "role", "operator"))
        .body().get("token").asText();
    String uid = agents.get(0).uid();
    browser.open(fleet.adminUrl().resolve("/").toString());
    browser.signIn(token);
    browser.awaitText(By.id("who-role"), "operator");

    browser.open(fleet.adminUrl().resolve("/#/agents/" + uid).toString());
    browser.await(By.xpath("//button[text()='Restart']")).click();
    browser.driver().switchTo().alert().accept();
    browser.awaitText(By.id("agent-notice"), "Restart: sent.");
    await().atMost(Duration.ofSeconds(10)).until(() -> admin.get("/api/v1/agents/" + uid + "/events").body()
        .toString().contains("RESTART_SENT"));
    browser.screenshot("05-agent-operator");
    assertThat(browser.consoleErrors()).isEmpty();

    assertThat(admin.delete("/api/v1/tokens/ui-operator").status()).isBetween(200, 204);
    browser.awaitText(By.id("signin-error"), "Your session has ended");
    assertThat(browser.driver().findElement(By.id("who")).isDisplayed()).as("no one is shown signed in").isFalse();
    browser.screenshot("06-session-ended");

    browser.signIn(TestFleet.VIEWER);
    browser.awaitText(By.id("count-connected"), "3");
    fleet.close();
    browser.awaitText(By.id("banner"), "The server is not answering");
    browser.screenshot("07-server-gone");
  }

  @Test
  void anOperatorSeesAYamlErrorAtItsLineBeforeSavingThenTheNewVersionsDiff() {
    String v1 = "receivers:\n  otlp:\n    protocols: {grpc: {}}\nexporters:\n  debug: {}\n"
        + "service:\n  pipelines:\n    traces: {receivers: [otlp], exporters: [debug]}\n";
    assertThat(fleet.admin(TestFleet.OPERATOR).post("/api/v1/configs/pipeline/versions",
        Map.of("body", v1, "comment", "first")).status()).isEqualTo(201);
    browser.open(fleet.adminUrl().resolve("/").toString());
    browser.signIn(TestFleet.OPERATOR);
    browser.await(By.cssSelector("#nav a[data-section=configs]")).click();
    browser.await(By.linkText("pipeline")).click();
    WebElement editor = browser.await(By.id("config-body"));
    assertThat(editor.getAttribute("value")).isEqualTo(v1);

    browser.type(editor, v1.replace("  debug: {}", "  debug: {verbosity: [detailed}"));
    browser.awaitText(By.id("config-check"), "at line 5, column 31");
    browser.driver().executeScript("document.getElementById('editor').scrollIntoView()");
    browser.screenshot("08-config-yaml-error");

    browser.type(editor, v1.replace("  debug: {}", "  debug: {verbosity: detailed}"));
    browser.awaitText(By.id("config-check"), "Valid YAML.");
    browser.await(By.id("config-comment")).sendKeys("more detail");
    browser.driver().findElement(By.id("config-save")).click();
    browser.awaitText(By.id("versions"), "v2");
    browser.awaitText(By.id("diff-summary"), "1 added, 1 removed");
    assertThat(browser.driver().findElement(By.cssSelector("#diff td.added")).getText())
        .isEqualTo("  debug: {verbosity: detailed}");
    assertThat(browser.driver().findElement(By.cssSelector("#diff td.removed")).getText()).isEqualTo("  debug: {}");
    browser.screenshot("09-config-diff");
    assertThat(fleet.admin(TestFleet.VIEWER).get("/api/v1/configs/pipeline/versions").body()).hasSize(2);

    browser.driver().findElement(By.linkText("← Configs")).click();
    browser.await(By.id("assignment-name")).sendKeys("prod-pipeline");
    browser.type(browser.await(By.id("assignment-selector")), "env=prod");
    browser.awaitText(By.id("assignment-preview"), "2 agents match");
    browser.driver().findElement(By.id("assignment-save")).click();
    browser.awaitText(By.id("assignments"), "prod-pipeline");
    assertThat(browser.driver().findElement(By.id("assignments")).getText()).contains("pipeline@2", "2 agents");
    browser.screenshot("13-assignments");
  }

  @Test
  void anOperatorEditsAConfigWhoseSecretsItCannotReadAndTheSecretsAreKept() {
    String v1 = "exporters:\n  otlphttp:\n    endpoint: https://ingest.example:4318\n"
        + "    headers: {x-api-key: k-live-4242}\nservice:\n  pipelines:\n"
        + "    traces: {receivers: [otlp], exporters: [otlphttp]}\n";
    assertThat(fleet.admin(TestFleet.ADMIN).post("/api/v1/configs/shipping/versions",
        Map.of("body", v1)).status()).isEqualTo(201);
    browser.open(fleet.adminUrl().resolve("/").toString());
    browser.signIn(TestFleet.OPERATOR);
    browser.await(By.cssSelector("#nav a[data-section=configs]")).click();
    browser.await(By.linkText("shipping")).click();
    WebElement editor = browser.await(By.id("config-body"));
    assertThat(editor.getAttribute("value")).contains("x-api-key: <redacted>").doesNotContain("k-live-4242");
    assertThat(browser.await(By.id("config-secrets")).getText()).contains("only admins read");

    browser.type(editor, editor.getAttribute("value").replace("4318", "4319"));
    browser.awaitText(By.id("config-check"), "Valid YAML.");
    browser.driver().findElement(By.id("config-save")).click();
    browser.awaitText(By.id("diff-summary"), "1 added, 1 removed");
    browser.driver().executeScript("document.getElementById('editor').scrollIntoView()");
    browser.screenshot("09c-config-secrets-kept");

    assertThat(fleet.admin(TestFleet.ADMIN).get("/api/v1/configs/shipping/versions/2").body().get("body").asText())
        .isEqualTo(v1.replace("4318", "4319"));

    // The audit log has both versions: who added each, with what before (secrets hidden there too).
    browser.await(By.cssSelector("#nav a[data-section=audit]")).click();
    browser.awaitText(By.id("audit-entries"), "test-operator");
    List<WebElement> rows = browser.all(By.cssSelector("#audit-entries tr[data-audit]"));
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).getText()).contains("test-operator", "operator", "POST /api/v1/configs/{name}/versions",
        "/api/v1/configs/shipping/versions", "201");
    rows.get(0).findElement(By.tagName("summary")).click();
    assertThat(rows.get(0).getText()).contains("\"comment\"", "\"version\": 1", "x-api-key: <redacted>")
        .doesNotContain("k-live-4242");
    browser.screenshot("09d-audit-log");
    browser.type(browser.await(By.id("audit-actor")), "test-admin");
    await().atMost(Duration.ofSeconds(5)).until(() -> browser.all(By.cssSelector("#audit-entries tr[data-audit]"))
        .size() == 1);
  }

  @Test
  void aTwoWaveRolloutSucceedsAndOneOverItsBudgetRollsBackBothShownLive() {
    AdminClient operator = fleet.admin(TestFleet.OPERATOR);
    String good = "receivers: {otlp: {protocols: {grpc: {}}}}\nexporters: {debug: {}}\n"
        + "service: {pipelines: {traces: {receivers: [otlp], exporters: [debug]}}}\n";
    assertThat(operator.post("/api/v1/configs/pipeline/versions", Map.of("body", good)).status()).isEqualTo(201);
    browser.open(fleet.adminUrl().resolve("/").toString());
    browser.signIn(TestFleet.OPERATOR);
    browser.await(By.cssSelector("#nav a[data-section=rollouts]")).click();

    browser.startRollout("env=prod", 2, "1", "50%,100%", "0", "20s");
    browser.awaitText(By.id("rollout-state"), "SUCCEEDED");
    assertThat(browser.all(By.cssSelector("#waves .wave"))).hasSize(2);
    assertThat(browser.driver().findElement(By.cssSelector(".wave[data-wave='2'] .wave-count")).getText())
        .isEqualTo("1/1 done");
    browser.screenshot("10-rollout-succeeded");
    browser.open(fleet.adminUrl().resolve("/#/fleet").toString());
    browser.type(browser.await(By.id("config-filter")), "pipeline@1");
    browser.driver().findElement(By.cssSelector("#filters button[type=submit]")).click();
    browser.awaitText(By.id("range"), "1–2 of 2");
    browser.screenshot("10b-fleet-by-config");

    // Every agent fails a config marked "# fail": the first wave spends the budget of 0.
    assertThat(operator.post("/api/v1/configs/pipeline/versions", Map.of("body", good + "# fail\n")).status())
        .isEqualTo(201);
    browser.await(By.cssSelector("#nav a[data-section=rollouts]")).click();
    browser.startRollout("env=prod", 2, "2", "50%,100%", "0", "20s");
    browser.awaitText(By.id("rollout-state"), "ROLLED_BACK");
    browser.awaitText(By.id("failing"), "FAILED");
    assertThat(browser.driver().findElement(By.id("rollout-reason")).getText()).isNotBlank();
    browser.screenshot("11-rollout-rolled-back");

    // The failing agent's page: both rollouts in its history, the second gone back to pipeline@1.
    browser.driver().findElement(By.cssSelector("#failing a")).click();
    browser.awaitText(By.id("attempts"), "ROLLED_BACK");
    assertThat(browser.driver().findElement(By.id("attempts")).getText())
        .contains("pipeline@2", "pipeline@1", "DONE", "reported FAILED");
    browser.screenshot("11b-agent-rollout-history");
    browser.open(fleet.adminUrl().resolve("/#/rollouts").toString());

    browser.awaitText(By.id("rollout-history"), "ROLLED_BACK");
    assertThat(browser.driver().findElement(By.id("rollout-history")).getText()).contains("SUCCEEDED");
    browser.screenshot("12-rollout-history");
    assertThat(browser.consoleErrors()).isEmpty();
  }
}

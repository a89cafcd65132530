package io.opampfleet.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opampfleet.certs.CertifiedKey;
import io.opampfleet.certs.Pem;
import io.opampfleet.peers.RealCollector;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.fleet.TestFleet;
import io.opampfleet.server.ui.Browser;
import io.opampfleet.supervisor.config.SupervisorConfigLoader;
import java.nio.file.Files;
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

/**
 * The web UI with real agents: three supervisors, each running the real collector, connected to
 * the server over mutual TLS. In Debian's headless chromium: find the dev agent by selector, open
 * it (its real health tree and effective config), write a config version and see the diff, roll it
 * out in two waves to the prod agents and watch it succeed, then roll out one the collector refuses
 * and watch the failure budget roll it back.
 */
class WebUiWithCollectorsIT {
  private static final String GOOD = """
      receivers: {nop: {}}
      exporters: {debug: {}}
      service:
        pipelines: {traces: {receivers: [nop], exporters: [debug]}}
        telemetry: {metrics: {level: none}}
      """;

  @TempDir
  Path dir;
  private TestFleet fleet;
  private final List<Supervisor> supervisors = new ArrayList<>();
  private Browser browser;

  @BeforeEach
  void start() throws Exception {
    fleet = new TestFleet(Files.createDirectories(dir.resolve("server"))).start();
    for (String env : List.of("prod", "prod", "dev")) {
      supervisors.add(supervisor(supervisors.size(), env));
    }
    AdminClient viewer = fleet.admin(TestFleet.VIEWER);
    await().atMost(Duration.ofSeconds(60)).until(() -> viewer.get("/api/v1/fleet").body().get("healthy").asInt() == 3);
    browser = new Browser(1440, 1000);
  }

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    for (Supervisor supervisor : supervisors) {
      supervisor.close();
    }
    fleet.close();
  }

  @Test
  void anOperatorRunsTheRealFleetFromTheBrowser() {
    browser.open(fleet.adminUrl().resolve("/").toString());
    browser.signIn(TestFleet.OPERATOR);
    browser.awaitText(By.id("count-healthy"), "3");

    browser.type(browser.await(By.id("selector")), "env=dev");
    browser.driver().findElement(By.cssSelector("#filters button[type=submit]")).click();
    String devUid = supervisors.get(2).instanceUid().toString();
    await().atMost(Duration.ofSeconds(10)).until(() -> browser.all(By.cssSelector("#agents tr[data-uid]")).size() == 1);
    browser.driver().findElement(By.linkText(devUid)).click();
    browser.awaitText(By.id("health"), "pipeline:traces");
    assertThat(browser.driver().findElement(By.id("agent")).getText()).contains("service.version", "opamp");
    browser.screenshot("c1-real-agent");

    assertThat(fleet.admin(TestFleet.OPERATOR).post("/api/v1/configs/gateway/versions", Map.of("body", GOOD))
        .status()).isEqualTo(201);
    browser.await(By.cssSelector("#nav a[data-section=configs]")).click();
    browser.await(By.linkText("gateway")).click();
    browser.type(browser.await(By.id("config-body")), GOOD.replace("exporters: {debug: {}}",
        "exporters: {debug: {verbosity: detailed}}"));
    browser.awaitText(By.id("config-check"), "Valid YAML.");
    browser.driver().findElement(By.id("config-save")).click();
    browser.awaitText(By.id("diff-summary"), "1 added, 1 removed");
    browser.screenshot("c2-real-config-diff");

    browser.await(By.cssSelector("#nav a[data-section=rollouts]")).click();
    browser.startRollout("env=prod", 2, "2", "50%,100%", "0", "30s");
    browser.awaitText(By.id("rollout-state"), "SUCCEEDED");
    assertThat(browser.driver().findElement(By.cssSelector(".wave[data-wave='2'] .wave-count")).getText())
        .isEqualTo("1/1 done");
    browser.screenshot("c3-real-rollout-succeeded");

    // A receiver the collector does not have: the first wave fails and the budget of 0 rolls it back.
    assertThat(fleet.admin(TestFleet.OPERATOR).post("/api/v1/configs/gateway/versions",
        Map.of("body", GOOD.replace("{nop: {}}", "{no_such_receiver: {}}").replace("[nop]", "[no_such_receiver]")))
        .status()).isEqualTo(201);
    browser.driver().findElement(By.linkText("← Rollouts")).click();
    browser.startRollout("env=prod", 2, "3", "50%,100%", "0", "30s");
    browser.awaitText(By.id("rollout-state"), "ROLLED_BACK");
    browser.awaitText(By.id("failing"), "no_such_receiver");
    browser.screenshot("c4-real-rollout-rolled-back");
    AdminClient viewer = fleet.admin(TestFleet.VIEWER);
    await().atMost(Duration.ofSeconds(30)).until(() -> viewer.get("/api/v1/agents?selector=env%3Dprod").body()
        .get("agents").findValuesAsText("desiredConfig").stream().allMatch("gateway@2"::equals)
        && viewer.get("/api/v1/fleet").body().get("healthy").asInt() == 3);
    assertThat(browser.consoleErrors()).isEmpty();
  }

  private Supervisor supervisor(int index, String env) throws Exception {
    Path home = Files.createDirectories(dir.resolve("agent-" + index));
    CertifiedKey key = fleet.clientKey("agent-" + index);
    Pem.write(home.resolve("agent.crt"), (Object[]) key.chainArray());
    Pem.write(home.resolve("agent.key"), key.privateKey());
    Files.writeString(home.resolve("base.yaml"), "service: {telemetry: {metrics: {level: none}}}\n");
    Path config = Files.writeString(home.resolve("supervisor.yaml"), """
        server:
          endpoint: %s
          tls: {ca_file: %s, cert_file: %s, key_file: %s}
        capabilities: {accepts_remote_config: true, accepts_restart_command: true}
        storage: {directory: %s}
        agent:
          executable: %s
          bootstrap_timeout: 10s
          config_apply_timeout: 10s
          collector_crash_log_snippet_kib: 4
          config_files: [%s]
          description: {identifying_attributes: {env: %s}}
        """.formatted(fleet.opampEndpoint(), dir.resolve("server/ca.pem"), home.resolve("agent.crt"),
        home.resolve("agent.key"), home.resolve("storage"), RealCollector.binary(), home.resolve("base.yaml"), env));
    Supervisor supervisor = new Supervisor(new SupervisorConfigLoader(Map.<String, String>of()::get).load(config).config());
    supervisor.start();
    return supervisor;
  }
}

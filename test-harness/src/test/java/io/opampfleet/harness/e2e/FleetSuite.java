package io.opampfleet.harness.e2e;

import static java.util.stream.Collectors.toList;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.opampfleet.netty.InstanceUid;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.ui.Browser;
import io.opampfleet.simulated.SimulatedAgent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.lifecycle.Startables;

/**
 * The whole system in containers, driven through the admin API as an operator would, and broken
 * on purpose: a fleet server, and supervisors each running the real collector in its own
 * container, over mutual TLS. The fleet is shared by the scenarios; each starts from a fleet that
 * is connected and healthy, and leaves it so. Subclasses choose the server's store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(ContainerLogsOnFailure.class)
@Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
abstract class FleetSuite implements ContainerLogsOnFailure.Containers {
  static final int FLEET_SIZE = 5;
  static final String SELECTOR = "fleet=e2e";
  private static final Duration ROLLOUT_WITHIN = Duration.ofMinutes(3);

  final Network network = Network.newNetwork();
  final FleetPki pki = new FleetPki();
  FleetServerContainer server;
  /** Sorted by instance uid, the order the server forms waves in. */
  final List<SupervisedCollectorContainer> fleet = new ArrayList<>();

  /** The server on the store under test, on this network, not started. */
  abstract FleetServerContainer server(Network network, FleetPki pki);

  @BeforeAll
  void startFleet() {
    server = server(network, pki);
    server.start();
    List<UUID> uids = IntStream.range(0, FLEET_SIZE).mapToObj(i -> UUID.randomUUID())
        .sorted((a, b) -> a.toString().compareTo(b.toString())).toList();
    for (UUID uid : uids) {
      fleet.add(new SupervisedCollectorContainer(server, pki, uid)
          .withNetwork(network)
          .withAttribute("fleet", "e2e")
          .withAttribute("service.name", "e2e-collector"));
    }
    Startables.deepStart(fleet).join();
    awaitFleetHealthy();
  }

  @AfterAll
  void stopFleet() {
    List<Runnable> stops = new ArrayList<>();
    fleet.forEach(collector -> stops.add(collector::stop));
    if (server != null) {
      stops.add(server::stop);
      server.getDependencies().forEach(dependency -> stops.add(dependency::stop));
    }
    stops.add(network::close);
    for (Runnable stop : stops) {
      try {
        stop.run();
      } catch (RuntimeException e) {
        System.err.println("e2e: a container or network could not be removed: " + e);
      }
    }
  }

  @Override
  public Map<String, GenericContainer<?>> containers() {
    Map<String, GenericContainer<?>> all = new LinkedHashMap<>();
    if (server == null) {
      return all;
    }
    all.put("server", server);
    server.getDependencies().forEach(dependency -> all.put("server-store", (GenericContainer<?>) dependency));
    fleet.forEach(collector -> all.put("collector-" + collector.instanceUid(), collector));
    return all;
  }

  @BeforeEach
  void fleetIsConnectedAndHealthy() {
    awaitFleetHealthy();
  }

  @Test
  @Order(1)
  void theFleetConnectsOverMutualTlsAndIsListedWithItsDescriptionAndHealth() throws Exception {
    JsonNode listed = admin().get("/api/v1/agents?selector=fleet%3De2e").body().get("agents");
    assertThat(StreamSupport.stream(listed.spliterator(), false).map(row -> row.get("uid").asText()))
        .containsExactlyInAnyOrderElementsOf(fleet.stream().map(c -> c.instanceUid().toString()).toList());
    for (SupervisedCollectorContainer collector : fleet) {
      JsonNode agent = agent(collector);
      String uid = collector.instanceUid().toString();
      assertThat(agent.get("identifyingAttributes").get("service.instance.id").asText()).isEqualTo(uid);
      assertThat(agent.get("identifyingAttributes").get("service.name").asText()).isEqualTo("e2e-collector");
      // The collector's own description, learnt from it at bootstrap: its version and its container.
      assertThat(agent.get("identifyingAttributes").get("service.version").asText()).isEqualTo(collectorVersion());
      assertThat(agent.get("nonIdentifyingAttributes").get("host.name").asText())
          .isEqualTo(collector.getContainerInfo().getConfig().getHostName());
      assertThat(agent.get("capabilities")).extracting(JsonNode::asText)
          .contains("AcceptsRemoteConfig", "ReportsHealth", "AcceptsOpAMPConnectionSettings");
      JsonNode health = agent.get("health");
      assertThat(health.get("healthy").asBoolean()).isTrue();
      assertThat(health.get("components").get("pipeline:traces").get("healthy").asBoolean()).isTrue();
      assertThat(agent.get("remoteAddress").asText()).startsWith("/" + collector.getContainerInfo()
          .getNetworkSettings().getNetworks().values().iterator().next().getIpAddress() + ":");
      assertThat(agent.get("certificate").get("subject").asText()).startsWith("CN=" + uid + ",");
    }
  }

  @Test
  @Order(2)
  void aFirstRolloutTheNewFleetCannotRunRollsBackToTheLocalConfigsAndTheOneAwayNeverGetsIt() {
    SupervisedCollectorContainer away = fleet.get(FLEET_SIZE - 1);
    Map<SupervisedCollectorContainer, JsonNode> before = snapshot();
    away.signal(away.supervisorPid(), "TERM");
    await("the stopped supervisor offline").atMost(Duration.ofSeconds(30))
        .until(() -> !agent(away).path("connected").asBoolean());
    int version = addVersion("first-port-taken", Configs.portTaken());

    long id = startRollout("first-port-taken", version, "100%", "0", "0s");

    JsonNode rollout = awaitRolloutEnds(id, "ROLLED_BACK");
    assertThat(rollout.get("counts").get("ROLLED_BACK").asInt()).isEqualTo(FLEET_SIZE - 1);
    assertThat(rollout.get("counts").get("PENDING").asInt()).isEqualTo(1);
    await("every collector healthy on the local config it ran before").atMost(Duration.ofMinutes(1))
        .untilAsserted(() -> fleet.stream().filter(collector -> collector != away).forEach(collector -> {
          JsonNode now = agent(collector);
          assertThat(now.get("healthy").asBoolean()).isTrue();
          assertThat(now.get("desiredConfig").isNull()).as("nothing desired for " + collector.instanceUid()).isTrue();
          assertThat(now.get("effectiveConfig")).isEqualTo(before.get(collector).get("effectiveConfig"));
        }));

    away.restartWithCurrentSettings();
    awaitFleetHealthy();
    assertThat(agent(away).get("desiredConfig").isNull()).isTrue();
    assertThat(events(away, "CONFIG_SENT")).noneMatch(event -> event.startsWith("first-port-taken@"));
    // Restarted, its local OpAMP port differs; what the failed version would add is not there.
    assertThat(agent(away).get("healthy").asBoolean()).isTrue();
    assertThat(agent(away).get("effectiveConfig").toString())
        .doesNotContain(String.valueOf(SupervisedCollectorContainer.SUPERVISOR_HEALTH_PORT));
  }

  @Test
  @Order(3)
  void aRolloutInTwoWavesReachesEveryCollectorAndEachRunsTheNewConfig() {
    int version = addVersion("traces-to-file", Configs.tracesToFile("/tmp/traces.json"));

    long id = startRollout("traces-to-file", version, "40%,100%", "0", "1s");

    JsonNode rollout = awaitRolloutEnds(id, "SUCCEEDED");
    assertThat(rollout.get("waveProgress")).extracting(wave -> wave.get("size").asInt()).containsExactly(2, 3);
    assertThat(rollout.get("counts").get("DONE").asInt()).isEqualTo(FLEET_SIZE);
    for (SupervisedCollectorContainer collector : fleet) {
      assertRuns(collector, "traces-to-file@" + version);
      String span = "e2e-span-" + collector.instanceUid();
      await("a span through the port the new config opens").atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> PlainHttp.sendSpan(collector.otlpHttpUrl(), span) == 200);
      await("the span in the file exporter's output").atMost(Duration.ofSeconds(30))
          .until(() -> collector.read("/tmp/traces.json").contains(span));
    }
  }

  @Test
  @Order(4)
  void aConfigThatBreaksTheCollectorFailsTheFirstWaveAndEveryTouchedCollectorGoesBack() {
    Map<SupervisedCollectorContainer, JsonNode> before = snapshot();
    int version = addVersion("port-taken", Configs.portTaken());

    long id = startRollout("port-taken", version, "40%,100%", "0", "0s");

    JsonNode rollout = awaitRolloutEnds(id, "ROLLED_BACK");
    assertThat(rollout.get("waveProgress").get(1).get("counts").get("WAITING").asInt()).isEqualTo(3);
    assertThat(rollout.get("failing")).extracting(failure -> failure.get("uid").asText()).isNotEmpty()
        .isSubsetOf(fleet.get(0).instanceUid().toString(), fleet.get(1).instanceUid().toString());
    assertThat(rollout.get("failing")).anySatisfy(failure -> assertThat(failure.get("message").asText())
        .contains(String.valueOf(SupervisedCollectorContainer.SUPERVISOR_HEALTH_PORT)));
    await("every collector back on its previous config and healthy").atMost(Duration.ofMinutes(1))
        .untilAsserted(() -> before.forEach((collector, was) -> {
          JsonNode now = agent(collector);
          assertThat(now.get("healthy").asBoolean()).isTrue();
          assertThat(now.get("remoteConfig").get("status").asText()).isEqualTo("APPLIED");
          assertThat(now.get("remoteConfig").get("hash")).isEqualTo(was.get("remoteConfig").get("hash"));
          assertThat(now.get("desiredConfig")).isEqualTo(was.get("desiredConfig"));
          assertThat(now.get("effectiveConfig")).isEqualTo(was.get("effectiveConfig"));
        }));
    // The first wave was sent the broken config; the second never was.
    String sent = "port-taken@" + version + " ";
    await("the sends recorded").atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      for (SupervisedCollectorContainer collector : fleet) {
        assertThat(events(collector, "CONFIG_SENT")).as("configs sent to " + collector.instanceUid())
            .filteredOn(event -> event.startsWith(sent)).hasSize(fleet.indexOf(collector) < 2 ? 1 : 0);
      }
    });
  }

  @Test
  @Order(5)
  void theServerRestartedMidRolloutFinishesItAndNoStatusIsLostOrRepeated() {
    int version = addVersion("survives-restart", Configs.tracesToFile("/tmp/restart.json"));
    String label = "survives-restart@" + version;
    long id = startRollout("survives-restart", version, "1,2,100%", "0", "3s");
    await("the second wave under way").atMost(ROLLOUT_WITHIN).pollInterval(Duration.ofMillis(200))
        .until(() -> rollout(id).get("currentWave").asInt() >= 2);
    assertThat(rollout(id).get("state").asText()).isEqualTo("RUNNING");
    long restartedAt = System.currentTimeMillis();

    server.restart();

    JsonNode rollout = awaitRolloutEnds(id, "SUCCEEDED");
    assertThat(rollout.get("counts").get("DONE").asInt()).isEqualTo(FLEET_SIZE);
    awaitFleetHealthy();
    for (SupervisedCollectorContainer collector : fleet) {
      assertRuns(collector, label);
      // Applied before the restart (the first wave) or after: recorded once, neither dropped nor re-recorded
      // when the agent reports it again on its new connection.
      await("the applied status recorded").atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertThat(events(collector, "CONFIG_APPLIED")).as("applied events of " + collector.instanceUid())
              .filteredOn(label::equals).hasSize(1));
    }
    // The first wave's agent applied it before the restart: that record survived it.
    assertThat(eventsSince(fleet.get(0), 0)).filteredOn(event -> event.get("kind").asText().equals("CONFIG_APPLIED")
        && event.get("detail").asText().equals(label)).singleElement()
        .satisfies(event -> assertThat(event.get("at").asLong()).isLessThan(restartedAt));
  }

  @Test
  @Order(6)
  void aSupervisorCutOffTheNetworkMidRolloutCatchesUpOnceItIsBack() {
    SupervisedCollectorContainer cut = fleet.get(FLEET_SIZE - 1);
    int version = addVersion("catches-up", Configs.tracesToFile("/tmp/catch-up.json"));
    String label = "catches-up@" + version;

    long id = startRollout("catches-up", version, "40%,100%", "0", "1s");
    cut.disconnectFrom(network);
    try {
      await("every other collector done while one is cut off").atMost(ROLLOUT_WITHIN)
          .pollInterval(Duration.ofMillis(500))
          .until(() -> rollout(id).get("counts").path("DONE").asInt() == FLEET_SIZE - 1);
      assertThat(events(cut, "CONFIG_APPLIED")).doesNotContain(label);
    } finally {
      cut.reconnectTo(network);
    }

    awaitRolloutEnds(id, "SUCCEEDED");
    assertRuns(cut, label);
    await("the applied status recorded").atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(events(cut, "CONFIG_APPLIED")).filteredOn(label::equals).hasSize(1));
  }

  @Test
  @Order(7)
  void aKilledCollectorIsRestartedAfterItsBackoffAndItsHealthGoesDownThenUp() {
    SupervisedCollectorContainer target = fleet.get(0);
    List<Long> running = target.collectorPids();
    assertThat(running).hasSize(1);
    long killedAt = System.currentTimeMillis();

    target.signal(running.get(0), "KILL");

    long[] replacedAt = new long[1];
    await("a new collector").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(20)).until(() -> {
      List<Long> now = target.collectorPids();
      replacedAt[0] = System.currentTimeMillis();
      return now.size() == 1 && !now.equals(running);
    });
    await("the supervisor's account of the restart").atMost(Duration.ofSeconds(20))
        .until(() -> target.getLogs().contains("restarting it in"));
    long delay = Long.parseLong(lastMatch(target.getLogs(), "restarting it in (\\d+) ms"));
    assertThat(delay).as("the first restart's backoff, less up to a quarter of jitter").isBetween(375L, 500L);
    // Seen no sooner than the backoff after the kill: a restart at once would have shown up well before.
    assertThat(replacedAt[0] - killedAt).isGreaterThanOrEqualTo(delay);
    await("health reported down, then up").atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
      List<JsonNode> health = eventsSince(target, killedAt).stream()
          .filter(event -> List.of("UNHEALTHY", "HEALTHY").contains(event.get("kind").asText())).toList();
      // The new collector may pass through a report or two of its own while its components start
      // (StatusStarting is not healthy), so only the first and the last say what this test is about.
      List<String> seen = health.stream().map(event -> event.get("kind").asText() + ": " + event.get("detail").asText()).toList();
      assertThat(seen).as("health events since the kill").isNotEmpty();
      assertThat(seen.get(0)).as("the first of %s", seen).startsWith("UNHEALTHY: ").contains("exited");
      assertThat(seen.get(seen.size() - 1)).as("the last of %s", seen).startsWith("HEALTHY: ");
    });
  }

  @Test
  @Order(8)
  void aSupervisorKilledWithSigkillLeavesNoCollectorRunning() {
    SupervisedCollectorContainer target = fleet.get(1);
    assertThat(target.collectorPids()).hasSize(1);

    target.signal(target.supervisorPid(), "KILL");

    await("the collector gone with its supervisor").atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(200)).until(() -> target.collectorPids().isEmpty());
    assertThat(target.isRunning()).isTrue();
    await("the container's account of it").atMost(Duration.ofSeconds(20))
        .until(() -> target.getLogs().contains("supervisor exited with code 137"));

    // Started again, as an init system would, it takes its place in the fleet.
    target.restartWithCurrentSettings();
    awaitFleetHealthy();
    assertThat(target.collectorPids()).hasSize(1);
  }

  @Test
  @Order(9)
  void theFleetRotatesItsCertificatesByRequestAndTheOldOnesAreThenRefused() throws Exception {
    Map<SupervisedCollectorContainer, String> before = new LinkedHashMap<>();
    fleet.forEach(collector -> before.put(collector, agent(collector).get("certificate").get("sha256").asText()));

    // Their certificates end within the rotation window: each supervisor asks for a new one (CSR) as it connects.
    ExecutorService restarts = Executors.newFixedThreadPool(FLEET_SIZE);
    try {
      List<Future<?>> restarted = fleet.stream().map(collector -> restarts.submit(
          () -> collector.withRotateBefore(FleetPki.ROTATE_BEFORE).restartWithCurrentSettings())).collect(toList());
      for (Future<?> restart : restarted) {
        restart.get();
      }
    } finally {
      restarts.shutdownNow();
    }

    await("every agent on a certificate the server signed from its request").atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> before.forEach((collector, old) -> {
          JsonNode agent = agent(collector);
          assertThat(agent.get("connected").asBoolean()).isTrue();
          String now = agent.get("certificate").get("sha256").asText();
          assertThat(now).isNotEqualTo(old);
          assertThat(agent.get("certificate").get("subject").asText()).startsWith("CN=" + collector.instanceUid() + ",");
          assertThat(events(collector, "CERTIFICATE_ISSUED"))
              .contains("signed its certificate request: sha256:" + now.substring(0, 16) + "…");
          assertThat(events(collector, "CONNECTION_SETTINGS_APPLIED")).isNotEmpty();
        }));
    for (SupervisedCollectorContainer collector : fleet) {
      try (SimulatedAgent old = SimulatedAgent.builder(InstanceUid.bytes(collector.instanceUid().toString()))
          .labels(Map.of("fleet", "e2e"))
          .overMutualTls(server.opampEndpointFromHost(), collector.initialCertificate(), pki.ca().certificate())
          .build().start()) {
        await("the old certificate refused").atMost(Duration.ofSeconds(20)).until(() -> !old.errors.isEmpty());
        assertThat(old.errors.get(0).getErrorMessage()).contains("bound to another client certificate");
      }
    }
    awaitFleetHealthy();
  }

  @Test
  @Order(10)
  void everyCollectorSendsItsOwnMetricsAndTheOneDroppingDataIsFlaggedOnTheFleetPage() throws Exception {
    // The collectors send every minute (the SDK's default) over mutual TLS, since the offer, through rotations.
    await("every collector's own CPU and memory").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2))
        .untilAsserted(() -> fleet.forEach(collector -> {
          JsonNode latest = ownTelemetry(collector).path("latest");
          assertThat(latest.path("rssBytes").asDouble()).as(collector.instanceUid().toString()).isGreaterThan(1e6);
          assertThat(latest.path("cpuPercent").isNumber()).as(collector.instanceUid().toString()).isTrue();
        }));
    SupervisedCollectorContainer dropping = fleet.get(0);
    int version = addVersion("drops-traces", Configs.tracesDropped());
    AdminClient.Answer pushed = admin().post("/api/v1/agents/" + dropping.instanceUid() + "/config",
        Map.of("config", "drops-traces", "version", version));
    assertThat(pushed.status()).as(pushed.body().toString()).isEqualTo(201);
    await("the pushed config runs").atMost(Duration.ofMinutes(1))
        .until(() -> agent(dropping).path("runsDesiredConfig").asBoolean());
    await("flagged as dropping data by its own metrics").atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(2)).until(() -> {
          PlainHttp.sendSpan(dropping.otlpHttpUrl(), "lost");
          return ownTelemetry(dropping).path("latest").path("droppingData").asBoolean();
        });
    // The fleet's list catches up within seconds: on PostgreSQL it is read from the store at most once a second.
    await("the list filtered to agents dropping data").atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      JsonNode flagged = admin().get("/api/v1/agents?selector=fleet%3De2e&telemetry=dropping").body().get("agents");
      assertThat(StreamSupport.stream(flagged.spliterator(), false).map(row -> row.get("uid").asText()))
          .containsExactly(dropping.instanceUid().toString());
    });

    try (Browser browser = new Browser(1440, 900)) {
      browser.open(server.adminUrl() + "/");
      browser.signIn(server.adminToken());
      browser.awaitText(By.id("count-dropping"), "1");
      browser.open(server.adminUrl() + "/#/fleet?selector=fleet%3De2e&sort=-memory");
      await().atMost(Duration.ofSeconds(20)).until(() -> browser.all(By.cssSelector("#agents tr[data-uid]")).size()
          == FLEET_SIZE && !browser.all(By.cssSelector("#agents tr[data-uid] td.figure")).get(0).getText().equals("—"));
      browser.screenshot("e2e-fleet-own-telemetry");
      for (WebElement row : browser.all(By.cssSelector("#agents tr[data-uid]"))) {
        List<String> figures = row.findElements(By.cssSelector("td.figure")).stream().map(WebElement::getText).toList();
        assertThat(figures.get(0)).as("CPU").endsWith("%");
        assertThat(figures.get(1)).as("memory").endsWith("MiB");
        assertThat(figures.get(2)).as("items in").contains("/s");
        boolean isDropping = row.getAttribute("data-uid").equals(dropping.instanceUid().toString());
        assertThat(row.getText().contains("dropping data")).as(row.getText()).isEqualTo(isDropping);
      }
      assertThat(browser.consoleErrors()).isEmpty();
    }
  }

  JsonNode ownTelemetry(SupervisedCollectorContainer collector) {
    return admin().get("/api/v1/agents/" + collector.instanceUid() + "/telemetry").body();
  }

  /** The version the collector is built at, from the builder's manifest. */
  private static String collectorVersion() throws IOException {
    String manifest = Files.readString(
        Path.of(System.getProperty("fleet.project.dir"), "collector", "builder-config.yaml"));
    Matcher version = Pattern.compile("(?m)^\\s+version:\\s*(\\S+)").matcher(manifest);
    assertThat(version.find()).as("dist version in builder-config.yaml").isTrue();
    return version.group(1);
  }

  void awaitFleetHealthy() {
    await("every collector connected and healthy").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
        .until(() -> fleet.stream().map(this::agent)
            .allMatch(agent -> agent.path("connected").asBoolean() && agent.path("healthy").asBoolean()));
  }

  void assertRuns(SupervisedCollectorContainer collector, String label) {
    JsonNode agent = agent(collector);
    assertThat(agent.get("desiredConfig").asText()).isEqualTo(label);
    assertThat(agent.get("runsDesiredConfig").asBoolean()).as(agent.toString()).isTrue();
    assertThat(agent.get("remoteConfig").get("status").asText()).isEqualTo("APPLIED");
    assertThat(agent.get("healthy").asBoolean()).isTrue();
  }

  private Map<SupervisedCollectorContainer, JsonNode> snapshot() {
    Map<SupervisedCollectorContainer, JsonNode> agents = new LinkedHashMap<>();
    fleet.forEach(collector -> agents.put(collector, agent(collector)));
    return agents;
  }

  /** The details of the agent's events of one kind, oldest first. */
  List<String> events(SupervisedCollectorContainer collector, String kind) {
    return eventsSince(collector, 0).stream().filter(event -> event.get("kind").asText().equals(kind))
        .map(event -> event.get("detail").asText()).toList();
  }

  List<JsonNode> eventsSince(SupervisedCollectorContainer collector, long since) {
    JsonNode events = admin().get("/api/v1/agents/" + collector.instanceUid() + "/events?limit=1000").body();
    List<JsonNode> oldestFirst = new ArrayList<>(StreamSupport.stream(events.spliterator(), false)
        .filter(event -> event.get("at").asLong() >= since).toList());
    Collections.reverse(oldestFirst);
    return oldestFirst;
  }

  private static String lastMatch(String text, String regex) {
    Matcher matcher = Pattern.compile(regex).matcher(text);
    String last = null;
    while (matcher.find()) {
      last = matcher.group(1);
    }
    assertThat(last).as("'" + regex + "' in the logs").isNotNull();
    return last;
  }

  AdminClient admin() {
    return server.admin();
  }

  JsonNode agent(SupervisedCollectorContainer collector) {
    return admin().get("/api/v1/agents/" + collector.instanceUid()).body();
  }

  /** A new version of a config, by its name. */
  int addVersion(String name, String body) {
    AdminClient.Answer answer = admin().post("/api/v1/configs/" + name + "/versions", Map.of("body", body));
    assertThat(answer.status()).as(answer.body().toString()).isEqualTo(201);
    return answer.body().get("version").asInt();
  }

  long startRollout(String config, int version, String waves, String budget, String bake) {
    AdminClient.Answer answer = admin().post("/api/v1/rollouts", Map.of("selector", SELECTOR, "config", config,
        "version", version, "waves", waves, "failureBudget", budget, "bake", bake, "applyTimeout", "2m"));
    assertThat(answer.status()).as(answer.body().toString()).isEqualTo(201);
    return answer.body().get("id").asLong();
  }

  JsonNode rollout(long id) {
    return admin().get("/api/v1/rollouts/" + id).body();
  }

  /** Waits for the rollout to end in this state; fails at once when it ends in another. */
  JsonNode awaitRolloutEnds(long id, String state) {
    await("rollout " + id + " " + state).atMost(ROLLOUT_WITHIN).pollInterval(Duration.ofMillis(500)).until(() -> {
      String now = rollout(id).get("state").asText();
      if (List.of("SUCCEEDED", "FAILED", "ROLLED_BACK", "ABORTED").contains(now) && !now.equals(state)) {
        throw new AssertionError("rollout " + id + " ended " + now + ", not " + state + ": " + rollout(id));
      }
      return now.equals(state);
    });
    return rollout(id);
  }
}

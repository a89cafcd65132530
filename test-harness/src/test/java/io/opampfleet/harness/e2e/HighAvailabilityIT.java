package io.opampfleet.harness.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.fleet.PostgresContainer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;

/**
 * Several servers on one PostgreSQL behind HAProxy, all in containers, with supervised real
 * collectors that reach the servers only through the balancer (TLS passed through, PROXY v2). A
 * rollout started on one server reaches collectors held by the others; the server driving a rollout
 * is killed mid-rollout and another finishes it; its agents move to the others; the database stops
 * for 30 s and the servers go unready, then come back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(ContainerLogsOnFailure.class)
@Timeout(value = 15, unit = java.util.concurrent.TimeUnit.MINUTES)
class HighAvailabilityIT implements ContainerLogsOnFailure.Containers {
  private static final int FLEET_SIZE = 5;
  private static final List<String> NAMES = List.of("a", "b", "c");
  private static final String BODY = """
      receivers:
        otlp:
          protocols:
            http:
              endpoint: 0.0.0.0:4318
      exporters:
        debug: {}
      service:
        pipelines:
          traces:
            receivers: [otlp]
            exporters: [debug]
      """;

  private final Network network = Network.newNetwork();
  private final FleetPki pki = new FleetPki();
  private final PostgresContainer postgres = new PostgresContainer();
  private final GenericContainer<?> balancer = new GenericContainer<>(DockerImageName.parse("local/haproxy:1"))
      .withImagePullPolicy(name -> false)
      .withNetwork(network)
      .withNetworkAliases(FleetServerContainer.ALIAS)
      .withCopyToContainer(Transferable.of(haproxyConfig()), "/etc/haproxy/haproxy.cfg");
  private final Map<String, FleetServerContainer> servers = new LinkedHashMap<>();
  private final List<SupervisedCollectorContainer> fleet = new ArrayList<>();

  @BeforeAll
  void start() {
    balancer.start();
    String balancerAddress = balancer.getContainerInfo().getNetworkSettings().getNetworks().values().iterator().next()
        .getIpAddress();
    for (String name : NAMES) {
      servers.put(name, new FleetServerContainer(pki).withNetwork(network).withPostgres(postgres, "fleet-db")
          .asReplica(name, balancerAddress));
    }
    Startables.deepStart(servers.values()).join();
    for (int i = 0; i < FLEET_SIZE; i++) {
      fleet.add(new SupervisedCollectorContainer(servers.get("a"), pki, UUID.randomUUID()).withNetwork(network)
          .withAttribute("fleet", "ha").withAttribute("service.name", "ha-collector"));
    }
    Startables.deepStart(fleet).join();
    awaitFleetConnected(servers.get("a"));
  }

  @AfterAll
  void stop() {
    List<GenericContainer<?>> all = new ArrayList<>(fleet);
    all.addAll(servers.values());
    all.add(balancer);
    all.add(postgres);
    for (GenericContainer<?> container : all) {
      try {
        container.stop();
      } catch (RuntimeException e) {
        System.err.println("e2e: a container could not be removed: " + e);
      }
    }
    network.close();
  }

  @Override
  public Map<String, GenericContainer<?>> containers() {
    Map<String, GenericContainer<?>> all = new LinkedHashMap<>();
    all.put("haproxy", balancer);
    all.put("postgres", postgres);
    servers.forEach((name, server) -> all.put("server-" + name, server));
    fleet.forEach(collector -> all.put("collector-" + collector.instanceUid(), collector));
    return all;
  }

  @Test
  @Order(1)
  void everyServerShowsTheWholeFleetEachAgentOnTheServerHoldingIt() {
    Map<String, String> seenByA = replicas(servers.get("a"));
    assertThat(seenByA).hasSize(FLEET_SIZE).doesNotContainValue("");
    assertThat(new HashSet<>(seenByA.values())).as("the balancer spreads the collectors: " + seenByA).hasSizeGreaterThan(1);
    assertThat(replicas(servers.get("b"))).isEqualTo(seenByA);
    assertThat(replicas(servers.get("c"))).isEqualTo(seenByA);
    JsonNode agent = agent(servers.get("c"), fleet.get(0));
    assertThat(agent.get("remoteAddress").asText()).as("the collector's own address, from the PROXY header")
        .startsWith("/" + fleet.get(0).getContainerInfo().getNetworkSettings().getNetworks().values().iterator()
            .next().getIpAddress() + ":");
  }

  @Test
  @Order(2)
  void aRolloutStartedOnOneServerReachesCollectorsHeldByTheOthers() {
    FleetServerContainer a = servers.get("a");
    addVersion(a, "ha-pipeline", BODY);
    long id = startRollout(a, "ha-pipeline", 1, "50%,100%", "1s");
    JsonNode ended = awaitEnd(servers.get("b"), id);
    assertThat(ended.get("state").asText()).as(ended.toString()).isEqualTo("SUCCEEDED");
    assertThat(ended.get("counts").get("DONE").asInt()).isEqualTo(FLEET_SIZE);
    for (SupervisedCollectorContainer collector : fleet) {
      JsonNode agent = agent(servers.get("c"), collector);
      assertThat(agent.get("runsDesiredConfig").asBoolean()).as(agent.toString()).isTrue();
    }
  }

  @Test
  @Order(3)
  void whenTheServerDrivingARolloutIsKilledAnotherFinishesItAndItsAgentsMove() {
    FleetServerContainer driver = servers.get("b");
    addVersion(driver, "ha-pipeline", BODY.replace("debug: {}", "debug: {verbosity: basic}"));
    long id = startRollout(driver, "ha-pipeline", 2, "1,2,100%", "8s");
    await().atMost(Duration.ofMinutes(2)).until(() -> rollout(servers.get("a"), id).get("currentWave").asInt() >= 1);

    // The rollout was created on b, so b drives it; and b holds collectors, which must move.
    assertThat(driver.getLogs()).contains("rollout " + id + ": ha-pipeline@2");
    assertThat(replicas(servers.get("a"))).containsValue("b");

    driver.kill();
    long killed = System.nanoTime();
    FleetServerContainer survivor = servers.get("a");
    await().atMost(Duration.ofSeconds(60)).until(() -> servers.get("a").getLogs().contains("taken over from b")
        || servers.get("c").getLogs().contains("taken over from b"));
    long takeover = Duration.ofNanos(System.nanoTime() - killed).toSeconds();
    System.out.printf("e2e: the rollout was taken over %d s after its driver was killed%n", takeover);
    // A lease of 10 s, renewed every 2 s, and a look for rollouts without a driver every second.
    assertThat(takeover).as("takeover within the lease and a few seconds").isLessThanOrEqualTo(20);
    JsonNode ended = awaitEnd(survivor, id);
    System.out.printf("e2e: the rollout ended %d s after its driver was killed%n",
        Duration.ofNanos(System.nanoTime() - killed).toSeconds());
    assertThat(ended.get("state").asText()).as(ended.toString()).isEqualTo("SUCCEEDED");
    for (SupervisedCollectorContainer collector : fleet) {
      JsonNode attempts = survivor.admin().get("/api/v1/agents/" + collector.instanceUid() + "/rollouts").body();
      List<JsonNode> inThisOne = new ArrayList<>();
      attempts.forEach(attempt -> {
        if (attempt.get("rollout").asLong() == id) {
          inThisOne.add(attempt);
        }
      });
      assertThat(inThisOne).hasSize(1);
      assertThat(inThisOne.get(0).get("result").asText()).isEqualTo("DONE");
      // Its APPLIED recorded once, though it may have moved to another server and reported it again.
      List<String> applied = new ArrayList<>();
      survivor.admin().get("/api/v1/agents/" + collector.instanceUid() + "/events?limit=1000").body()
          .forEach(event -> {
            if (event.get("kind").asText().equals("CONFIG_APPLIED")) {
              applied.add(event.get("detail").asText());
            }
          });
      assertThat(applied).as(collector.instanceUid().toString()).containsOnlyOnce("ha-pipeline@2");
    }

    // The killed server's agents came back through the balancer to the others.
    long movedAt = System.nanoTime();
    awaitFleetConnected(survivor);
    assertThat(replicas(survivor)).doesNotContainValue("b").doesNotContainValue("");
    System.out.printf("e2e: every agent connected to a, c: %d s after the rollout ended%n",
        Duration.ofNanos(System.nanoTime() - movedAt).toSeconds());
  }

  @Test
  @Order(4)
  void whileTheDatabaseIsAwayTheServersAreUnreadyAndTheyComeBackWithIt() throws Exception {
    List<FleetServerContainer> alive = List.of(servers.get("a"), servers.get("c"));
    postgres.getDockerClient().stopContainerCmd(postgres.getContainerId()).withTimeout(5).exec();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> alive.stream().allMatch(server -> readyz(server) == 503));
      Thread.sleep(Duration.ofSeconds(30).toMillis());
      assertThat(alive).allSatisfy(server -> assertThat(readyz(server)).isEqualTo(503));
    } finally {
      postgres.getDockerClient().startContainerCmd(postgres.getContainerId()).exec();
    }
    await().atMost(Duration.ofMinutes(1)).until(() -> alive.stream().allMatch(server -> readyz(server) == 200));
    awaitFleetConnected(servers.get("c"));
    for (SupervisedCollectorContainer collector : fleet) {
      JsonNode agent = agent(servers.get("a"), collector);
      assertThat(agent.get("desiredConfig").asText()).isEqualTo("ha-pipeline@2");
      assertThat(agent.get("runsDesiredConfig").asBoolean()).as(agent.toString()).isTrue();
    }
  }

  private void awaitFleetConnected(FleetServerContainer server) {
    await("every collector connected and healthy").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
        .ignoreExceptions().until(() -> fleet.stream().map(collector -> agent(server, collector))
            .allMatch(agent -> agent.path("connected").asBoolean() && agent.path("healthy").asBoolean()));
  }

  /** Which server holds each agent, as this server sees it ("" for none). */
  private Map<String, String> replicas(FleetServerContainer server) {
    Map<String, String> held = new HashMap<>();
    for (SupervisedCollectorContainer collector : fleet) {
      held.put(collector.instanceUid().toString(), agent(server, collector).path("replica").asText(""));
    }
    return held;
  }

  private static JsonNode agent(FleetServerContainer server, SupervisedCollectorContainer collector) {
    return server.admin().get("/api/v1/agents/" + collector.instanceUid()).body();
  }

  private static void addVersion(FleetServerContainer server, String name, String body) {
    AdminClient.Answer answer = server.admin().post("/api/v1/configs/" + name + "/versions", Map.of("body", body));
    assertThat(answer.status()).as(answer.body().toString()).isEqualTo(201);
  }

  private static long startRollout(FleetServerContainer server, String config, int version, String waves,
      String bake) {
    AdminClient.Answer answer = server.admin().post("/api/v1/rollouts", Map.of("selector", "fleet=ha", "config", config,
        "version", version, "waves", waves, "bake", bake, "applyTimeout", "2m"));
    assertThat(answer.status()).as(answer.body().toString()).isEqualTo(201);
    return answer.body().get("id").asLong();
  }

  private static JsonNode rollout(FleetServerContainer server, long id) {
    return server.admin().get("/api/v1/rollouts/" + id).body();
  }

  private static JsonNode awaitEnd(FleetServerContainer server, long id) {
    await("rollout " + id + " ends").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
        .ignoreExceptions().until(() -> List.of("SUCCEEDED", "FAILED", "ROLLED_BACK", "ABORTED")
            .contains(rollout(server, id).get("state").asText()));
    return rollout(server, id);
  }

  private int readyz(FleetServerContainer server) {
    try {
      return HttpClient.newBuilder().sslContext(pki.trust()).connectTimeout(Duration.ofSeconds(2)).build()
          .send(HttpRequest.newBuilder(URI.create(server.adminUrl() + "/readyz")).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception unreachable) {
      return -1;
    }
  }

  /**
   * TLS passed through to the servers, least connections first, a PROXY v2 header on each
   * connection; a server whose /readyz fails (its store is away) gets no new agents.
   */
  private static String haproxyConfig() {
    StringBuilder servers = new StringBuilder();
    for (String name : NAMES) {
      servers.append("  server ").append(name).append(' ').append(FleetServerContainer.ALIAS).append('-').append(name)
          .append(':').append(FleetServerContainer.OPAMP_PORT).append(" send-proxy-v2 check port ")
          .append(FleetServerContainer.ADMIN_PORT).append(" check-ssl verify none\n");
    }
    return """
        resolvers docker
          nameserver dns 127.0.0.11:53
          hold valid 1s
        defaults
          timeout connect 5s
          timeout client 10m
          timeout server 10m
          timeout tunnel 1h
          default-server init-addr none resolvers docker inter 1s fall 2 rise 2
        frontend opamp
          mode tcp
          bind :%d
          default_backend servers
        backend servers
          mode tcp
          balance leastconn
          option httpchk GET /readyz
        %s""".formatted(FleetServerContainer.OPAMP_PORT, servers);
  }
}

package io.opampfleet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import io.opampfleet.netty.InstanceUid;
import io.opampfleet.peers.JdkClients;
import io.opampfleet.peers.PostgresContainer;
import io.opampfleet.proto.AgentCapabilities;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.AnyValue;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.KeyValue;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.fleet.CuttableLink;
import io.opampfleet.server.fleet.RolloutSteps;
import io.opampfleet.server.fleet.TestFleet;
import io.opampfleet.simulated.SimulatedAgent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server whose PostgreSQL stops answering says it is not ready (quickly, without the store),
 * answers no poll it cannot store, keeps answering its operators and its metrics, and recovers when
 * the store is back without losing a status it acknowledged. The store is reached through a link
 * whose far end follows the container across a restart (its host port may change).
 */
class StoreOutageIT {
  private static final int REPORTERS = 200;
  private static final Duration PROMPT = Duration.ofSeconds(2);
  private final PostgresContainer postgres = new PostgresContainer();
  @TempDir
  Path dir;
  private CuttableLink link;
  private TestFleet fleet;
  private volatile int postgresPort;

  @BeforeEach
  void start() throws Exception {
    postgres.start();
    postgresPort = postgres.port();
    link = new CuttableLink(this::postgresPort);
    fleet = new TestFleet(dir, Optional.of(postgres.jdbcUrl(link.port()))).start();
  }

  @AfterEach
  void stop() {
    fleet.close();
    link.close();
    postgres.stop();
  }

  @Test
  void whileTheStoreIsAwayTheServerIsNotReadyAndAcknowledgesNothingThenRecovers() {
    AdminClient anonymous = fleet.admin(null);
    await().atMost(Duration.ofSeconds(10)).until(() -> anonymous.get("/readyz").status() == 200);

    postgres.getDockerClient().pauseContainerCmd(postgres.getContainerId()).exec();
    await().atMost(Duration.ofSeconds(15)).until(() -> anonymous.get("/readyz").status() == 503);
    long asked = System.nanoTime();
    assertThat(anonymous.get("/readyz").body().get("status").asText()).contains("store is not answering");
    assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(PROMPT);
    SimulatedAgent agent = fleet.agent(Map.of("service.name", "during-outage"), SimulatedAgent.newUid(), false);
    agent.start();
    await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> true);
    // Nothing it said is stored yet, so nothing is acknowledged.
    assertThat(agent.received).as("answers during the outage").isEmpty();

    postgres.getDockerClient().unpauseContainerCmd(postgres.getContainerId()).exec();
    await().atMost(Duration.ofSeconds(30)).until(() -> anonymous.get("/readyz").status() == 200);

    // What the agent said during the outage was stored once the store came back: a restart finds it.
    await().atMost(Duration.ofSeconds(30)).until(() -> fleet.admin(TestFleet.VIEWER)
        .get("/api/v1/agents/" + agent.uid()).body().path("connected").asBoolean());
    agent.close();
    fleet.restart();
    assertThat(fleet.admin(TestFleet.VIEWER).get("/api/v1/agents/" + agent.uid()).body()
        .get("labels").toString()).contains("during-outage");
  }

  @Test
  void underLoadTheStorePausedThenStoppedLeavesOperatorsAnsweredQueuesBoundedAndNoAcknowledgedStatusLost()
      throws Exception {
    AdminClient operator = fleet.admin(TestFleet.OPERATOR);
    List<SimulatedAgent> web = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      web.add(fleet.agent(Map.of("service.name", "web-" + i, "tier", "web"), SimulatedAgent.newUid(), false).start());
    }
    Reporters reporters = new Reporters(fleet);
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> reporters.acknowledged.size() == REPORTERS
          && operator.get("/api/v1/agents?connected=true&selector=tier%3Dweb").body().get("total").asInt() == 5);
      RolloutSteps rollouts = new RolloutSteps(operator);
      rollouts.version("web", "receivers: {}\n");
      long rollout = rollouts.start(Map.of("config", "web", "version", 1, "selector", "tier=web",
          "waves", "1,2,100%", "bake", "3s")).get("id").asLong();

      List<Long> depths = new ArrayList<>();
      postgres.getDockerClient().pauseContainerCmd(postgres.getContainerId()).exec();
      answeredPromptlyWhileAway(operator, rollout, depths);
      postgres.getDockerClient().unpauseContainerCmd(postgres.getContainerId()).exec();
      await().atMost(Duration.ofSeconds(30)).until(() -> fleet.admin(null).get("/readyz").status() == 200);

      postgres.getDockerClient().stopContainerCmd(postgres.getContainerId()).withTimeout(5).exec();
      answeredPromptlyWhileAway(operator, rollout, depths);
      postgres.getDockerClient().startContainerCmd(postgres.getContainerId()).exec();
      postgresPort = mappedPort();
      await().atMost(Duration.ofSeconds(60)).until(() -> fleet.admin(null).get("/readyz").status() == 200);

      assertThat(rollouts.awaitEnd(rollout).get("state").asText()).isEqualTo("SUCCEEDED");
      System.out.printf("store outage: %d reports acknowledged, %d not (errors %s), the store's queue at most %d"
          + " changes%n", reporters.answered.get(), reporters.unanswered.get(), reporters.errors,
          depths.stream().mapToLong(Long::longValue).max().orElseThrow());
      // Turned away to come back later (the OpAMP reply, or the listener's 503 with Retry-After), never failed.
      assertThat(reporters.errors.keySet()).isSubsetOf("ServerErrorResponseType_Unavailable", "HTTP 503");
      assertThat(depths).allSatisfy(depth -> assertThat(depth).isLessThanOrEqualTo(2L * REPORTERS));
    } finally {
      reporters.close();
      web.forEach(SimulatedAgent::close);
    }

    // Every status an agent was answered for is in the store, or a later one of its own.
    await().atMost(Duration.ofSeconds(30)).until(() -> queueDepth(operator) == 0);
    fleet.restart();
    AdminClient viewer = fleet.admin(TestFleet.VIEWER);
    // A store just restarted may still drop a connection now and then: each read is tried until it answers.
    reporters.acknowledged.forEach((uid, acknowledged) -> await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      String status = viewer.get("/api/v1/agents/" + uid).body().path("health").path("status").asText();
      assertThat(status).as(uid).startsWith("report-");
      assertThat(Long.parseLong(status.substring("report-".length()))).as(uid).isGreaterThanOrEqualTo(acknowledged);
    }));
  }

  /**
   * For ten seconds once the server says it is not ready: its readiness, an admin read, a rollout's
   * view and its metrics each answer within {@link #PROMPT}; the store's queue depth is kept.
   */
  private void answeredPromptlyWhileAway(AdminClient operator, long rollout, List<Long> depths) throws Exception {
    AdminClient anonymous = fleet.admin(null);
    await().atMost(Duration.ofSeconds(15)).until(() -> anonymous.get("/readyz").status() == 503);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < until) {
      assertThat(prompt(() -> anonymous.get("/readyz").status())).isEqualTo(503);
      assertThat(prompt(() -> operator.get("/api/v1/agents?size=5").status())).isIn(200, 503);
      assertThat(prompt(() -> operator.get("/api/v1/rollouts/" + rollout).status())).isIn(200, 503);
      depths.add(prompt(() -> queueDepth(operator)));
      Thread.sleep(500);
    }
  }

  private static <T> T prompt(java.util.concurrent.Callable<T> call) throws Exception {
    long asked = System.nanoTime();
    T answer = call.call();
    assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(PROMPT);
    return answer;
  }

  private static long queueDepth(AdminClient operator) {
    AdminClient.Answer metrics = operator.get("/metrics");
    assertThat(metrics.status()).isEqualTo(200);
    return metrics.body().asText().lines().filter(line -> line.startsWith("opamp_store_queue_depth "))
        .mapToLong(line -> (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1))).findFirst().orElseThrow();
  }

  private int postgresPort() {
    return postgresPort;
  }

  /** The container's host port now: a restarted container may be given another. */
  private int mappedPort() {
    Ports.Binding[] bindings = postgres.getDockerClient().inspectContainerCmd(postgres.getContainerId()).exec()
        .getNetworkSettings().getPorts().getBindings().get(ExposedPort.tcp(5432));
    return Integer.parseInt(bindings[0].getHostPortSpec());
  }

  /**
   * Agents polling over HTTP as fast as they are answered, each with a health status numbered anew
   * at every poll: a poll answered without an error is one the server acknowledged.
   */
  private static final class Reporters implements AutoCloseable {
    final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    final AtomicLong answered = new AtomicLong();
    final AtomicLong unanswered = new AtomicLong();
    /** Error replies by type: an agent turned away while the store is away is told to come back later. */
    final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
    private final ExecutorService threads = Executors.newFixedThreadPool(16);
    private volatile boolean running = true;

    Reporters(TestFleet fleet) throws Exception {
      HttpClient http = JdkClients.http(JdkClients.tls(fleet.clientKey("reporters"), fleet.ca().certificate()));
      URI endpoint = URI.create(fleet.opampEndpoint().toString().replaceFirst("^wss:", "https:"));
      AtomicInteger next = new AtomicInteger();
      for (int thread = 0; thread < 16; thread++) {
        List<String> uids = new ArrayList<>();
        for (int i = thread; i < REPORTERS; i += 16) {
          uids.add(InstanceUid.text(SimulatedAgent.newUid()));
        }
        threads.execute(() -> report(http, endpoint, uids, next));
      }
    }

    private void report(HttpClient http, URI endpoint, List<String> uids, AtomicInteger next) {
      while (running) {
        for (String uid : uids) {
          long number = next.incrementAndGet();
          AgentToServer poll = AgentToServer.newBuilder().setInstanceUid(InstanceUid.bytes(uid))
              .setCapabilities(AgentCapabilities.AgentCapabilities_ReportsStatus_VALUE
                  | AgentCapabilities.AgentCapabilities_ReportsHealth_VALUE)
              .setAgentDescription(AgentDescription.newBuilder().addIdentifyingAttributes(KeyValue.newBuilder()
                  .setKey("service.name").setValue(AnyValue.newBuilder().setStringValue("reporter"))))
              .setHealth(ComponentHealth.newBuilder().setHealthy(true).setStatus("report-" + number))
              .build();
          try {
            HttpResponse<byte[]> response = JdkClients.post(http, endpoint, poll);
            ServerToAgent reply = response.statusCode() == 200 ? ServerToAgent.parseFrom(response.body()) : null;
            if (reply != null && !reply.hasErrorResponse()) {
              acknowledged.put(uid, number);
              answered.incrementAndGet();
            } else {
              unanswered.incrementAndGet();
              String type = reply == null ? "HTTP " + response.statusCode() : reply.getErrorResponse().getType().name();
              errors.computeIfAbsent(type, key -> new AtomicLong()).incrementAndGet();
            }
          } catch (Exception timedOutOrRefused) {
            unanswered.incrementAndGet();
          }
        }
      }
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      threads.shutdown();
      threads.awaitTermination(30, TimeUnit.SECONDS);
    }
  }
}

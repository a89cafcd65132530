package io.opampfleet.harness.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.opampfleet.peers.PostgresContainer;
import io.opampfleet.server.fleet.AdminClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
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
 * Three servers on one PostgreSQL behind HAProxy, all in containers, with supervised real
 * collectors that reach the servers only through the balancer, which sends a PROXY v2 header on
 * each connection and routes around a server whose /readyz fails. Subclasses choose where TLS
 * ends: at the servers (passed through) or at HAProxy (the client certificate forwarded in a header).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(ContainerLogsOnFailure.class)
@Timeout(value = 15, unit = java.util.concurrent.TimeUnit.MINUTES)
abstract class ReplicatedFleetSuite implements ContainerLogsOnFailure.Containers {
  static final List<String> NAMES = List.of("a", "b", "c");
  static final String SELECTOR = "fleet=ha";
  static final String CERTIFICATE_HEADER = "X-SSL-Client-Cert";
  static final String BODY = """
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

  final Network network = Network.newNetwork();
  final FleetPki pki = new FleetPki();
  final PostgresContainer postgres = new PostgresContainer();
  final Map<String, FleetServerContainer> servers = new LinkedHashMap<>();
  final List<SupervisedCollectorContainer> fleet = new ArrayList<>();
  private final GenericContainer<?> balancer = new GenericContainer<>(DockerImageName.parse("local/haproxy:1"))
      .withImagePullPolicy(name -> false)
      .withNetwork(network)
      .withNetworkAliases(FleetServerContainer.ALIAS);

  private final int fleetSize;
  private final boolean tlsEndsAtTheBalancer;

  /**
   * @param fleetSize how many supervised collectors join the fleet
   * @param tlsEndsAtTheBalancer whether TLS ends at HAProxy, which forwards each agent's certificate
   *     to the servers
   */
  ReplicatedFleetSuite(int fleetSize, boolean tlsEndsAtTheBalancer) {
    this.fleetSize = fleetSize;
    this.tlsEndsAtTheBalancer = tlsEndsAtTheBalancer;
  }

  @BeforeAll
  void start() {
    balancer.withCopyToContainer(Transferable.of(haproxyConfig()), "/etc/haproxy/haproxy.cfg");
    if (tlsEndsAtTheBalancer) {
      balancer.withCopyToContainer(Transferable.of(pki.serverCertPem() + pki.serverKeyPem()), "/etc/haproxy/tls.pem")
          .withCopyToContainer(Transferable.of(pki.caPem()), "/etc/haproxy/ca.pem");
    }
    balancer.start();
    String balancerAddress = addressOf(balancer);
    for (String name : NAMES) {
      FleetServerContainer server = new FleetServerContainer(pki).withNetwork(network)
          .withPostgres(postgres, "fleet-db").asReplica(name, balancerAddress);
      servers.put(name, tlsEndsAtTheBalancer ? server.withCertificateFromBalancer(CERTIFICATE_HEADER) : server);
    }
    Startables.deepStart(servers.values()).join();
    for (int i = 0; i < fleetSize; i++) {
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

  void awaitFleetConnected(FleetServerContainer server) {
    await("every collector connected and healthy").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
        .ignoreExceptions().until(() -> fleet.stream().map(collector -> agent(server, collector))
            .allMatch(agent -> agent.path("connected").asBoolean() && agent.path("healthy").asBoolean()));
  }

  /** Which server holds each agent, as this server sees it ("" for none). */
  Map<String, String> replicas(FleetServerContainer server) {
    Map<String, String> held = new HashMap<>();
    for (SupervisedCollectorContainer collector : fleet) {
      held.put(collector.instanceUid().toString(), agent(server, collector).path("replica").asText(""));
    }
    return held;
  }

  static JsonNode agent(FleetServerContainer server, SupervisedCollectorContainer collector) {
    return server.admin().get("/api/v1/agents/" + collector.instanceUid()).body();
  }

  /** A container's address on the suite's network. */
  static String addressOf(GenericContainer<?> container) {
    return container.getContainerInfo().getNetworkSettings().getNetworks().values().iterator().next().getIpAddress();
  }

  static void addVersion(FleetServerContainer server, String name, String body) {
    AdminClient.Answer answer = server.admin().post("/api/v1/configs/" + name + "/versions", Map.of("body", body));
    assertThat(answer.status()).as(answer.body().toString()).isEqualTo(201);
  }

  static long startRollout(FleetServerContainer server, String config, int version, String waves, String bake) {
    AdminClient.Answer answer = server.admin().post("/api/v1/rollouts", Map.of("selector", SELECTOR, "config", config,
        "version", version, "waves", waves, "bake", bake, "applyTimeout", "2m"));
    assertThat(answer.status()).as(answer.body().toString()).isEqualTo(201);
    return answer.body().get("id").asLong();
  }

  static JsonNode rollout(FleetServerContainer server, long id) {
    return server.admin().get("/api/v1/rollouts/" + id).body();
  }

  static JsonNode awaitEnd(FleetServerContainer server, long id) {
    await("rollout " + id + " ends").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
        .ignoreExceptions().until(() -> List.of("SUCCEEDED", "FAILED", "ROLLED_BACK", "ABORTED")
            .contains(rollout(server, id).get("state").asText()));
    return rollout(server, id);
  }

  /**
   * Least connections first, so a handful of collectors spread over the servers (the README hashes
   * on the OpAMP-Instance-UID header instead, which keeps an HTTP agent's polls on one server);
   * readiness checked on each server's admin listener.
   */
  private String haproxyConfig() {
    StringBuilder backends = new StringBuilder();
    for (String name : NAMES) {
      backends.append("  server ").append(name).append(' ').append(FleetServerContainer.ALIAS).append('-').append(name)
          .append(':').append(FleetServerContainer.OPAMP_PORT).append(" send-proxy-v2 check port ")
          .append(FleetServerContainer.ADMIN_PORT).append(" check-ssl verify none\n");
    }
    String frontend = tlsEndsAtTheBalancer
        ? """
          mode http
          bind :%d ssl crt /etc/haproxy/tls.pem ca-file /etc/haproxy/ca.pem verify required
          http-request set-header %s %%[ssl_c_der,base64]
        """.formatted(FleetServerContainer.OPAMP_PORT, CERTIFICATE_HEADER)
        : """
          mode tcp
          bind :%d
        """.formatted(FleetServerContainer.OPAMP_PORT);
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
        %s  default_backend servers
        backend servers
          mode %s
          balance leastconn
          option httpchk GET /readyz
        %s""".formatted(frontend, tlsEndsAtTheBalancer ? "http" : "tcp", backends);
  }
}

package io.opampfleet.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opampfleet.netty.InstanceUid;
import io.opampfleet.proto.AgentCapabilities;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.AnyValue;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.KeyValue;
import io.opampfleet.proto.ServerToAgent;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Answered" means "stored": agents register and report their health as fast as they can on the
 * default embedded store, the server is killed with SIGKILL mid-stream, and after a restart every
 * agent that got an answer is there, with the last health it was answered for (or a later one).
 */
class AcknowledgedReportsSurviveKillIT {
  private static final int CLIENTS = 16;
  /** The agents of each client that go on reporting once registered. */
  private static final int REPORTING = 20;

  @TempDir
  Path dir;

  @Test
  void everyAgentAnsweredBeforeAKill9IsStoredAfterTheRestart() throws Exception {
    try (ServerProcess servers = new ServerProcess(dir)) {
      Path config = servers.config("storage:\n  data_dir: " + dir.resolve("data") + "\n");
      servers.start(config);
      String opamp = servers.awaitOpampHttp();
      servers.awaitAdmin();
      String token = servers.firstToken();

      Set<String> answered = ConcurrentHashMap.newKeySet();
      Map<String, Long> healthAnswered = new ConcurrentHashMap<>();
      AtomicLong numbers = new AtomicLong();
      ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
      HttpClient http = HttpClient.newHttpClient();
      long stopAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      for (int i = 0; i < CLIENTS; i++) {
        clients.execute(() -> reportUntilRefused(http, opamp, answered, healthAnswered, numbers, stopAt));
      }
      while (answered.size() < 1_000 && System.nanoTime() < stopAt) {
        Thread.sleep(50);
      }
      servers.kill();
      clients.shutdown();
      assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

      servers.start(config);
      String admin = servers.awaitAdmin();
      Set<String> stored = storedAgents(admin, token);

      assertThat(answered).hasSizeGreaterThanOrEqualTo(1_000);
      assertThat(stored).containsAll(answered);
      assertThat(healthAnswered).hasSizeGreaterThan(CLIENTS);
      ObjectMapper json = new ObjectMapper();
      for (Map.Entry<String, Long> health : healthAnswered.entrySet()) {
        String status = json.readTree(ServerProcess.get(admin + "/api/v1/agents/" + health.getKey(), token).body())
            .path("health").path("status").asText();
        assertThat(status).as(health.getKey()).startsWith("report-");
        assertThat(Long.parseLong(status.substring("report-".length()))).as(health.getKey())
            .isGreaterThanOrEqualTo(health.getValue());
      }
      // Nobody is connected to a server that just started, whatever the killed one last wrote.
      assertThat(new ObjectMapper().readTree(ServerProcess.get(admin + "/api/v1/agents?connected=true&size=1", token)
          .body()).get("total").asInt()).isZero();
    }
  }

  /**
   * Registers new agents one after another and, once it has {@link #REPORTING} of them, sends every
   * other message as one of those reporting a health numbered anew, until the server stops answering.
   */
  private static void reportUntilRefused(HttpClient http, String opamp, Set<String> answered,
      Map<String, Long> healthAnswered, AtomicLong numbers, long stopAt) {
    List<String> reporting = new ArrayList<>();
    for (int sent = 0; System.nanoTime() < stopAt; sent++) {
      boolean reports = reporting.size() == REPORTING && sent % 2 == 0;
      String uid = reports ? reporting.get(sent / 2 % REPORTING) : UUID.randomUUID().toString();
      long number = numbers.incrementAndGet();
      AgentToServer report = AgentToServer.newBuilder().setInstanceUid(InstanceUid.bytes(uid))
          .setCapabilities(AgentCapabilities.AgentCapabilities_ReportsStatus_VALUE
              | AgentCapabilities.AgentCapabilities_ReportsHealth_VALUE).setAgentDescription(AgentDescription.newBuilder().addIdentifyingAttributes(
              KeyValue.newBuilder().setKey("service.name").setValue(AnyValue.newBuilder().setStringValue("kill-test"))))
          .setHealth(ComponentHealth.newBuilder().setHealthy(true).setStatus("report-" + number))
          .build();
      try {
        HttpResponse<byte[]> response = ServerProcess.postOpamp(http, opamp, report.toByteArray());
        if (response.statusCode() == 200 && !ServerToAgent.parseFrom(response.body()).hasErrorResponse()) {
          answered.add(uid);
          if (reports) {
            healthAnswered.put(uid, number);
          } else if (reporting.size() < REPORTING) {
            reporting.add(uid);
          }
        }
      } catch (Exception serverGone) {
        return;
      }
    }
  }

  private static Set<String> storedAgents(String admin, String token) throws Exception {
    Set<String> uids = new HashSet<>();
    ObjectMapper json = new ObjectMapper();
    for (int page = 1; ; page++) {
      JsonNode answer = json.readTree(ServerProcess.get(admin + "/api/v1/agents?size=1000&page=" + page, token).body());
      List<JsonNode> rows = json.convertValue(answer.get("agents"), json.getTypeFactory()
          .constructCollectionType(List.class, JsonNode.class));
      rows.forEach(row -> uids.add(row.get("uid").asText()));
      if (rows.size() < 1000) {
        return uids;
      }
    }
  }
}

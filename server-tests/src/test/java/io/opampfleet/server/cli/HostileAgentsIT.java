package io.opampfleet.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.opampfleet.netty.InstanceUid;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.AgentConfigMap;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.AnyValue;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.proto.KeyValue;
import io.opampfleet.proto.ServerErrorResponseType;
import io.opampfleet.proto.ServerToAgent;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probes of an attacker without a token, against the packaged server on the heap its launcher
 * gives it (bin/opamp-server: 1 GiB, the heap the probes once exhausted): uids of
 * any size, oversized bodies and reports over the limits are refused, nothing of them is kept or
 * echoed, and a normal agent is served afterwards.
 */
class HostileAgentsIT {
  private static final int MIB = 1024 * 1024;

  @TempDir
  Path dir;

  @Test
  void hugeUidsBodiesAndReportsAreRefusedAndTheServerGoesOnServingAgents() throws Exception {
    try (ServerProcess servers = new ServerProcess(dir, "-Xmx1g")) {
      servers.start(servers.config("storage:\n  data_dir: " + dir.resolve("data") + "\n"));
      String opamp = servers.awaitOpampHttp();
      String admin = servers.awaitAdmin();
      String token = servers.firstToken();
      HttpClient http = HttpClient.newHttpClient();

      // A 1 GiB heap makes an 8 MiB message limit: a body of 40 MiB is refused before it is gathered.
      for (int i = 0; i < 20; i++) {
        byte[] hugeUid = report(ByteString.copyFrom(new byte[40 * MIB])).toByteArray();
        assertThat(ServerProcess.postOpamp(http, opamp, hugeUid).statusCode()).isEqualTo(413);
      }
      // Uids just under the message limit, 8 at a time: refused, and never echoed back.
      ExecutorService attackers = Executors.newFixedThreadPool(8);
      List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
      byte[] bigUid = report(ByteString.copyFrom(new byte[8 * MIB - 4096])).toByteArray();
      for (int i = 0; i < 200; i++) {
        answers.add(attackers.submit(() -> ServerProcess.postOpamp(http, opamp, bigUid)));
      }
      for (Future<HttpResponse<byte[]>> answer : answers) {
        assertThat(answer.get().statusCode()).isEqualTo(400);
        assertThat(answer.get().body().length).isLessThan(200);
        assertThat(ServerToAgent.parseFrom(answer.get().body()).getErrorResponse().getErrorMessage())
            .isEqualTo("the instance_uid must be 16 bytes (a UUID), not " + (8 * MIB - 4096));
      }
      attackers.shutdown();
      // A report over the attribute limit is refused whole: its agent is not kept.
      AgentDescription.Builder crowded = AgentDescription.newBuilder();
      for (int i = 0; i < 300; i++) {
        crowded.addNonIdentifyingAttributes(KeyValue.newBuilder().setKey("k" + i)
            .setValue(AnyValue.newBuilder().setStringValue("v")));
      }
      AgentToServer overLimit = report(uid()).toBuilder().setAgentDescription(crowded).build();
      ServerToAgent refused = ServerToAgent.parseFrom(
          ServerProcess.postOpamp(http, opamp, overLimit.toByteArray()).body());
      assertThat(refused.getErrorResponse().getErrorMessage())
          .isEqualTo("refused: agent_description has 300 attributes; the limit is 256");

      ByteString normal = uid();
      HttpResponse<byte[]> served = ServerProcess.postOpamp(http, opamp, report(normal).toByteArray());
      assertThat(served.statusCode()).isEqualTo(200);
      assertThat(ServerToAgent.parseFrom(served.body()).getInstanceUid()).isEqualTo(normal);
      String agents = ServerProcess.get(admin + "/api/v1/agents", token).body();
      assertThat(new ObjectMapper().readTree(agents).get("total").asInt()).isEqualTo(1);
      assertThat(agents).contains(InstanceUid.text(normal));
      assertThat(ServerProcess.get(admin + "/metrics", token).body()).contains("opamp_messages_refused_total 1\n");
      assertThat(servers.stderr()).doesNotContain("OutOfMemoryError");
    }
  }

  @Test
  void madeUpAgentsStopAtTheCeilingOfAllAgentsReportedStateWhileKnownAgentsAreServed() throws Exception {
    try (ServerProcess servers = new ServerProcess(dir, "-Xmx1g")) {
      servers.start(servers.config("storage:\n  data_dir: " + dir.resolve("data") + "\n"
          + "agents:\n  max_reported_bytes: " + 8 * MIB + "\n"));
      String opamp = servers.awaitOpampHttp();
      String admin = servers.awaitAdmin();
      String token = servers.firstToken();
      HttpClient http = HttpClient.newHttpClient();
      ByteString known = uid();
      assertThat(ServerProcess.postOpamp(http, opamp, report(known).toByteArray()).statusCode()).isEqualTo(200);

      // Each made-up agent reports an effective config just under its limit (1 MiB): new agents take nine
      // tenths of the 8 MiB, where seven fit.
      AgentToServer.Builder madeUp = report(uid()).toBuilder().setEffectiveConfig(EffectiveConfig.newBuilder()
          .setConfigMap(AgentConfigMap.newBuilder().putConfigMap("collector.yaml", AgentConfigFile.newBuilder()
              .setBody(ByteString.copyFrom(new byte[1_000_000])).build())));
      int kept = 0;
      ServerToAgent refused = null;
      for (int i = 0; i < 20 && refused == null; i++) {
        ServerToAgent answer = ServerToAgent.parseFrom(ServerProcess.postOpamp(http, opamp,
            madeUp.setInstanceUid(uid()).build().toByteArray()).body());
        if (answer.hasErrorResponse()) {
          refused = answer;
        } else {
          kept++;
        }
      }
      assertThat(kept).isEqualTo(7);
      assertThat(refused).isNotNull();
      assertThat(refused.getErrorResponse().getType())
          .isEqualTo(ServerErrorResponseType.ServerErrorResponseType_Unavailable);
      assertThat(refused.getErrorResponse().getErrorMessage())
          .isEqualTo("the server holds as much of its agents' state as it may; try again later");

      // The agent the server knows goes on reporting, its health included.
      AgentToServer healthy = report(known).toBuilder().setSequenceNum(1)
          .setHealth(ComponentHealth.newBuilder().setHealthy(true).setStatus("running")).build();
      HttpResponse<byte[]> served = ServerProcess.postOpamp(http, opamp, healthy.toByteArray());
      assertThat(ServerToAgent.parseFrom(served.body()).hasErrorResponse()).isFalse();
      String agents = ServerProcess.get(admin + "/api/v1/agents", token).body();
      assertThat(new ObjectMapper().readTree(agents).get("total").asInt()).isEqualTo(1 + kept);
      String metrics = ServerProcess.get(admin + "/metrics", token).body();
      assertThat(metrics).contains("opamp_messages_refused_total 1\n");
      assertThat(metrics).containsPattern("opamp_reported_bytes_held 7[0-9]{6}\n");
    }
  }

  @Test
  void anAgentReportingAnotherLargeConfigAgainAndAgainIsRefusedOnceWhatTheStoreKeepsOfTheOldOnesFillsTheCeiling()
      throws Exception {
    try (ServerProcess servers = new ServerProcess(dir, "-Xmx1g")) {
      servers.start(servers.config("storage:\n  data_dir: " + dir.resolve("data") + "\n"
          + "agents:\n  max_reported_bytes: " + 8 * MIB + "\n"));
      String opamp = servers.awaitOpampHttp();
      HttpClient http = HttpClient.newHttpClient();
      ByteString rotating = uid();
      ByteString other = uid();
      assertThat(ServerProcess.postOpamp(http, opamp, report(other).toByteArray()).statusCode()).isEqualTo(200);

      // Each report holds as much as the one before, and leaves the store a body of 1 MB it keeps a while.
      int kept = 0;
      ServerToAgent refused = null;
      for (int i = 0; i < 30 && refused == null; i++) {
        ServerToAgent answer = ServerToAgent.parseFrom(ServerProcess.postOpamp(http, opamp, report(rotating).toBuilder()
            .setSequenceNum(i).setEffectiveConfig(megabyteConfig(i)).build().toByteArray()).body());
        if (answer.hasErrorResponse()) {
          refused = answer;
        } else {
          kept++;
        }
      }
      // Its first config, the first replaced (free: a rollout replaces each agent's once) and seven more fill
      // the 8 MiB.
      assertThat(kept).isEqualTo(9);
      assertThat(refused.getErrorResponse().getType())
          .isEqualTo(ServerErrorResponseType.ServerErrorResponseType_Unavailable);
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThat(servers.stderr()).contains("large parts agents replaced count for 13 minutes"));

      // Reports that replace nothing pass, its own and another agent's.
      for (ByteString agent : List.of(rotating, other)) {
        AgentToServer healthy = report(agent).toBuilder().setSequenceNum(100)
            .setHealth(ComponentHealth.newBuilder().setHealthy(true).setStatus("running")).build();
        assertThat(ServerToAgent.parseFrom(ServerProcess.postOpamp(http, opamp, healthy.toByteArray()).body())
            .hasErrorResponse()).isFalse();
      }
    }
  }

  /** An effective config of about 1 MB, one of its own for each {@code n}. */
  private static EffectiveConfig megabyteConfig(int n) {
    byte[] body = new byte[1_000_000];
    body[0] = (byte) n;
    return EffectiveConfig.newBuilder().setConfigMap(AgentConfigMap.newBuilder().putConfigMap("collector.yaml",
        AgentConfigFile.newBuilder().setBody(ByteString.copyFrom(body)).build())).build();
  }

  @Test
  void aFloodOfHalfSentAdminRequestsIsCutOffAndTheServerGoesOnServing() throws Exception {
    try (ServerProcess servers = new ServerProcess(dir, "-Xmx1g")) {
      servers.start(servers.config("opamp:\n  listen: 127.0.0.1:0\nadmin:\n  listen: 127.0.0.1:0\n"
          + "  request_timeout: 2s\nstorage:\n  data_dir: " + dir.resolve("data") + "\n"));
      String opamp = servers.awaitOpampHttp();
      URI admin = URI.create(servers.awaitAdmin());
      List<Socket> flood = new ArrayList<>();
      try {
        // 300 requests from one address whose headers never end: those past the 100 one address may hold
        // are closed at once, the rest once the request timeout is over.
        for (int i = 0; i < 300; i++) {
          Socket socket = new Socket(admin.getHost(), admin.getPort());
          socket.setSoTimeout(10_000);
          socket.getOutputStream().write("GET /api/v1/agents HTTP/1.1\r\nHost: fleet\r\n"
              .getBytes(StandardCharsets.US_ASCII));
          flood.add(socket);
        }
        // Meanwhile a client from another address is answered, and an agent is served.
        try (Socket other = new Socket()) {
          other.bind(new InetSocketAddress("127.0.0.2", 0));
          other.connect(new InetSocketAddress(admin.getHost(), admin.getPort()), 5_000);
          other.setSoTimeout(5_000);
          other.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: fleet\r\nConnection: close\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
          assertThat(new String(other.getInputStream().readNBytes(15), StandardCharsets.US_ASCII))
              .isEqualTo("HTTP/1.1 200 OK");
        }
        ByteString agent = uid();
        assertThat(ServerProcess.postOpamp(HttpClient.newHttpClient(), opamp, report(agent).toByteArray())
            .statusCode()).isEqualTo(200);
        long start = System.nanoTime();
        for (Socket socket : flood) {
          // Whatever it is told first (503 for those over the cap, 408 or nothing at the deadline), it is closed.
          socket.getInputStream().readAllBytes();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
      } finally {
        for (Socket socket : flood) {
          socket.close();
        }
      }
      assertThat(servers.stderr()).doesNotContain("OutOfMemoryError");
    }
  }

  private static AgentToServer report(ByteString uid) {
    return AgentToServer.newBuilder().setInstanceUid(uid).setCapabilities(1).build();
  }

  private static ByteString uid() {
    return InstanceUid.bytes(UUID.randomUUID().toString());
  }
}

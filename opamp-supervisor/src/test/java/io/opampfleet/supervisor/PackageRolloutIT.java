package io.opampfleet.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.opampfleet.peers.RealCollector;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.fleet.RolloutSteps;
import io.opampfleet.server.fleet.TestFleet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Collector upgrades rolled out across supervised real collectors: an upgrade reaches every
 * collector wave by wave; one that cannot run on a collector of the second wave brings every touched
 * collector back to the version it had, each running healthy from the executable it had.
 */
class PackageRolloutIT {
  @TempDir
  Path dir;
  private TestFleet fleet;
  private AdminClient operator;
  private RolloutSteps rollouts;
  private PackagedCollectors collectors;
  private final List<Supervisor> supervisors = new ArrayList<>();
  /** The supervisors' names, in their uids' order: the order waves take them in. */
  private final List<String> byWave = new ArrayList<>();
  private final Map<String, String> uids = new java.util.HashMap<>();

  @BeforeEach
  void start() throws Exception {
    fleet = new TestFleet(dir.resolve("server")).start();
    operator = fleet.admin(TestFleet.OPERATOR);
    rollouts = new RolloutSteps(operator);
    collectors = new PackagedCollectors(dir, fleet);
    for (String name : List.of("one", "two")) {
      Supervisor supervisor = collectors.supervisor(name);
      supervisors.add(supervisor);
      supervisor.start();
      uids.put(name, supervisor.instanceUid().toString());
    }
    byWave.addAll(uids.keySet().stream().sorted(Comparator.comparing(uids::get)).toList());
    await().atMost(Duration.ofSeconds(60)).until(() -> byWave.stream().allMatch(this::healthy));
  }

  @AfterEach
  void stop() throws Exception {
    for (Supervisor supervisor : supervisors) {
      supervisor.close();
    }
    fleet.close();
  }

  @Test
  void anUpgradeReachesEveryCollectorAndOneThatFailsInTheSecondWaveBringsEveryTouchedOneBack() throws Exception {
    byte[] original = Files.readAllBytes(RealCollector.binary());
    byte[] upgraded = PackagedCollectors.concat(original, "\n# 2.0.0\n".getBytes(StandardCharsets.UTF_8));
    collectors.upload("1.0.0", original);
    collectors.upload("2.0.0", upgraded);

    JsonNode upgrade = rollouts.awaitEnd(rollouts.start(Map.of("waves", "1,100%", "failureBudget", "0",
        "applyTimeout", "90s", "package", Map.of("name", "otelcol", "version", "2.0.0", "from", "1.0.0")))
        .get("id").asLong());

    assertThat(upgrade.get("state").asText()).as(upgrade.toString()).isEqualTo("SUCCEEDED");
    for (String name : byWave) {
      assertThat(Files.readAllBytes(collectors.executable(name))).isEqualTo(upgraded);
      assertThat(packageStatus(name).get("agentHasVersion").asText()).isEqualTo("2.0.0");
    }

    // 3.0.0 runs the collector on the first wave's host and cannot start on the second's.
    String second = byWave.get(1);
    byte[] fragile = ("#!/bin/sh\ncase \"$*\" in *" + collectors.storage(second) + "*) echo 'cannot run here' >&2;"
        + " exit 1;; esac\nexec " + RealCollector.binary() + " \"$@\"\n").getBytes(StandardCharsets.UTF_8);
    collectors.upload("3.0.0", fragile);
    JsonNode failed = rollouts.awaitEnd(rollouts.start(Map.of("waves", "1,100%", "failureBudget", "0",
        "applyTimeout", "90s", "package", Map.of("name", "otelcol", "version", "3.0.0"))).get("id").asLong());

    assertThat(failed.get("state").asText()).as(failed.toString()).isEqualTo("ROLLED_BACK");
    assertThat(failed.get("reason").asText()).contains("agent " + uids.get(second) + " otelcol@3.0.0 failed to install");
    assertThat(failed.get("counts").get("ROLLED_BACK").asInt()).isEqualTo(2);
    for (String name : byWave) {
      assertThat(Files.readAllBytes(collectors.executable(name))).as(name).isEqualTo(upgraded);
      assertThat(packageStatus(name).get("agentHasVersion").asText()).isEqualTo("2.0.0");
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> byWave.stream().allMatch(this::healthy));
    JsonNode history = operator.get("/api/v1/agents/" + uids.get(byWave.get(0)) + "/rollouts").body();
    assertThat(history.get(0).get("offered").asText()).isEqualTo("package otelcol@3.0.0");
    assertThat(history.get(0).get("wentBackTo").asText()).isEqualTo("package otelcol@2.0.0");
  }

  private JsonNode packageStatus(String name) {
    return operator.get("/api/v1/agents/" + uids.get(name)).body().get("packages").get(0);
  }

  private boolean healthy(String name) {
    AdminClient.Answer answer = operator.get("/api/v1/agents/" + uids.get(name));
    return answer.status() == 200 && answer.body().get("connected").asBoolean()
        && answer.body().get("healthy").asBoolean();
  }
}

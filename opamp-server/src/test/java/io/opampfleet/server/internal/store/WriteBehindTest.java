package io.opampfleet.server.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.AgentConfigMap;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.ComponentDetails;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.proto.RemoteConfigStatus;
import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.server.internal.configs.ConfigVersion;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.AgentEvent;
import io.opampfleet.server.internal.inventory.AgentSnapshot;
import io.opampfleet.server.internal.inventory.Inventory;
import io.opampfleet.server.internal.inventory.PolledLink;
import io.opampfleet.server.internal.inventory.Reports;
import io.opampfleet.server.internal.packages.HostedPackage;
import io.opampfleet.server.settings.ServerSettings.Storage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteBehindTest {
  @TempDir
  Path dir;
  private Database database;
  private WriteBehind writes;

  @BeforeEach
  void open() {
    database = Database.open(new Storage(dir, Optional.empty(), "", "", "test"));
    writes = new WriteBehind(database, "test");
  }

  @AfterEach
  void close() {
    writes.close();
    database.close();
  }

  @Test
  void aWriterThatFellBehindWritesTheBatchesWaitingForItInOneTransaction() throws Exception {
    database.answering(false);
    // The writer holds the first change while the store is away; the rest wait behind it.
    CompletableFuture<Void> first = writes.event(new AgentEvent("first", 0, AgentEvent.Kind.CONNECTED, ""));
    await().atMost(Duration.ofSeconds(10)).until(() -> writes.queued() == 0);
    List<CompletableFuture<Void>> waiting = new ArrayList<>();
    for (int i = 0; i < 12_000; i++) {
      waiting.add(writes.event(new AgentEvent("agent-" + i, 0, AgentEvent.Kind.CONNECTED, "")));
    }
    // Three batches of at most 5,000 each; the first change is still unwritten.
    assertThat(writes.queued()).isEqualTo(12_000);
    assertThat(first).isNotDone();

    database.answering(true);
    CompletableFuture.allOf(waiting.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

    assertThat(first).isDone();
    assertThat(writes.rowsWritten()).isEqualTo(12_001);
    // The first change alone, then the three batches that waited for it together.
    assertThat(writes.batches()).isEqualTo(2);
    assertThat(new EventLog(database, System::currentTimeMillis).recent("agent-11999", 10)).hasSize(1);
  }

  @Test
  void everythingWrittenSoFarIsAFutureThatCompletesWhileWaitingBatchesAreWrittenTogether() throws Exception {
    database.answering(false);
    writes.event(new AgentEvent("first", 0, AgentEvent.Kind.CONNECTED, ""));
    await().atMost(Duration.ofSeconds(10)).until(() -> writes.queued() == 0);
    for (int i = 0; i < 15_000; i++) {
      writes.event(new AgentEvent("agent-" + i, 0, AgentEvent.Kind.CONNECTED, ""));
    }

    database.answering(true);
    // Asked all along, so also while the batches that waited are written as one and nothing else waits.
    List<CompletableFuture<Void>> asked = new ArrayList<>();
    while (writes.rowsWritten() < 15_001) {
      asked.add(writes.writtenSoFar());
      java.util.concurrent.locks.LockSupport.parkNanos(100_000);
    }

    CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    assertThat(writes.batches()).isEqualTo(2);
  }

  @Test
  void aRowRefusedAmongBatchesWrittenTogetherSendsOnlyItsOwnBatchRowByRow() throws Exception {
    database.answering(false);
    writes.event(new AgentEvent("first", 0, AgentEvent.Kind.CONNECTED, ""));
    await().atMost(Duration.ofSeconds(10)).until(() -> writes.queued() == 0);
    List<CompletableFuture<Void>> events = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      events.add(writes.event(new AgentEvent("agent-" + i, 0, AgentEvent.Kind.CONNECTED, "")));
    }
    Agent refused = new Agent("00000000-0000-0000-0000-000000000002");
    // The column holds 64 characters: the store refuses this row for its content.
    refused.bindCertificate("CN=x", "f".repeat(65));
    CompletableFuture<Void> refusedWrite = writes.agent(refused);
    for (int i = 0; i < 10; i++) {
      events.add(writes.event(new AgentEvent("late-" + i, 0, AgentEvent.Kind.CONNECTED, "")));
    }

    database.answering(true);

    CompletableFuture.allOf(events.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    assertThatThrownBy(() -> refusedWrite.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .hasMessageContaining("the store refused the change of " + refused.uid());
    assertThat(writes.rowsRefused()).isEqualTo(1);
    assertThat(writes.rowsWritten()).isEqualTo(1 + 10_000 + 10);
    // The first change, then the two full batches each in a transaction; the third row by row.
    assertThat(writes.batches()).isEqualTo(3);
  }

  @Test
  void aFloodOfChangesIsCommittedAFewThousandAtATimeInTheOrderTheyCame() throws Exception {
    int events = 50_001;
    List<CompletableFuture<Void>> written = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      written.add(writes.event(new AgentEvent("agent-" + i, i, AgentEvent.Kind.CONNECTED, "")));
    }

    written.get(events - 1).get(60, TimeUnit.SECONDS);
    // Batches are written in order: the first change was stored by the time the last one is.
    assertThat(written.get(0)).isDone();
    CompletableFuture.allOf(written.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    assertThat(writes.rowsWritten()).isEqualTo(events);
    // At most 20,000 changes a transaction, so the first are stored while the rest wait.
    assertThat(writes.batches()).isGreaterThanOrEqualTo((events + 19_999) / 20_000);
  }

  @Test
  void whileTheStoreIsAwayTheQueueSaysItIsFullAtItsCeilingOfEventsAndEmptiesWhenTheStoreIsBack() throws Exception {
    database.answering(false);
    String detail = "d".repeat(2_000);
    List<CompletableFuture<Void>> written = new ArrayList<>();
    // Rows of agents are kept once each; events are what grows. Each agent once, so no hourly budget is met.
    while (!writes.full() && written.size() < 20_000) {
      written.add(writes.event(new AgentEvent("agent-" + written.size(), 0, AgentEvent.Kind.UNHEALTHY, detail)));
    }

    assertThat(writes.full()).isTrue();
    // About 16 million characters, the batch the writer holds while it retries included.
    assertThat(written.size()).isBetween(7_000, 9_000);
    assertThat(written).noneMatch(CompletableFuture::isDone);

    database.answering(true);

    CompletableFuture.allOf(written.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    assertThat(writes.full()).isFalse();
    assertThat(writes.queued()).isZero();
  }

  @Test
  void anAgentsEventsOfAnHourAreKeptUpToItsBudgetAndOneThatSaysTheRestAreNot() throws Exception {
    long at = Instant.parse("2026-12-06T10:00:00Z").toEpochMilli();
    List<CompletableFuture<Void>> written = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      AgentEvent.Kind kind = i % 2 == 0 ? AgentEvent.Kind.UNHEALTHY : AgentEvent.Kind.HEALTHY;
      written.add(writes.event(new AgentEvent("flapping", at + i * 1_000L, kind, "")));
    }
    written.add(writes.event(new AgentEvent("quiet", at, AgentEvent.Kind.CONNECTED, "")));

    CompletableFuture.allOf(written.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    assertThat(writes.rowsWritten()).isEqualTo(EventBudget.PER_HOUR + 1 + 1);
    assertThat(writes.eventsLimited()).isEqualTo(500 - EventBudget.PER_HOUR - 1);
    List<AgentEvent> kept = new EventLog(database, System::currentTimeMillis).recent("flapping", 1_000);
    assertThat(kept).hasSize(EventBudget.PER_HOUR + 1);
    assertThat(kept).filteredOn(event -> event.kind() == AgentEvent.Kind.EVENTS_LIMITED).singleElement()
        .satisfies(event -> assertThat(event.detail()).startsWith("more than 120 events this hour"));
  }

  @Test
  void writtenSoFarWaitsForEveryChangeQueuedEvenWhenTheLatestJoinedAnEarlierBatch() throws Exception {
    database.answering(false);
    // The writer holds the first batch while the store is away; the rest wait in order behind it.
    writes.event(new AgentEvent("first", 0, AgentEvent.Kind.CONNECTED, ""));
    // Taken before anything else is queued: otherwise the next changes join it in the writer's hands.
    await().atMost(Duration.ofSeconds(10)).until(() -> writes.queued() == 0);
    Agent early = new Agent("00000000-0000-0000-0000-000000000001");
    Agent late = new Agent("00000000-0000-0000-0000-000000000002");
    writes.agent(early);
    for (int i = 0; i < 4_999; i++) {
      writes.event(new AgentEvent("agent-" + i, 0, AgentEvent.Kind.CONNECTED, ""));
    }
    writes.agent(late);
    // Kept in the earlier batch that holds its row already: its own future is that batch's.
    CompletableFuture<Void> earlyAgain = writes.agent(early);
    CompletableFuture<Void> all = writes.writtenSoFar();
    assertThat(all).isNotDone();

    database.answering(true);
    all.get(30, TimeUnit.SECONDS);

    assertThat(earlyAgain).isDone();
    List<String> stored = AgentRows.loadAll(database, (name, version) -> (ConfigVersion) null, replica -> false)
        .stream().map(AgentSnapshot::uid).toList();
    assertThat(stored).containsExactlyInAnyOrder(early.uid(), late.uid());
    assertThat(writes.writtenSoFar()).isDone();
  }

  @Test
  void aReportsEventsAreCommittedWithTheAgentsRowNeverBeforeIt() throws Exception {
    Agent agent = new Agent("00000000-0000-0000-0000-000000000001");
    database.answering(false);
    // An idle writer takes what comes at once: the row and its events in its hands together, nothing
    // left behind for a later transaction (a server killed between two would keep the events alone).
    CompletableFuture<Void> written = writes.agent(agent, List.of(
        new AgentEvent(agent.uid(), 0, AgentEvent.Kind.CONNECTED, "ws"),
        new AgentEvent(agent.uid(), 1, AgentEvent.Kind.CONFIG_APPLIED, "app@2")));
    await().atMost(Duration.ofSeconds(10)).until(() -> writes.queued() == 0);
    assertThat(written).isNotDone();

    database.answering(true);
    written.get(30, TimeUnit.SECONDS);
    assertThat(writes.batches()).isEqualTo(1);
    assertThat(writes.rowsWritten()).isEqualTo(3);
    assertThat(new EventLog(database, System::currentTimeMillis).recent(agent.uid(), 10)).extracting(AgentEvent::kind)
        .containsExactly(AgentEvent.Kind.CONFIG_APPLIED, AgentEvent.Kind.CONNECTED);
  }

  @Test
  void anAgentsRowIsWrittenAsItWasWhenQueuedWithItsEventsNotWithALaterReportsWhoseEventsComeAfter()
      throws Exception {
    Reports reports = new Reports(new Inventory());
    Agent agent = new Agent("00000000-0000-0000-0000-000000000001");
    database.answering(false);
    // The writer holds a change while the store is away; the agent's report waits behind it.
    writes.event(new AgentEvent("first", 0, AgentEvent.Kind.CONNECTED, ""));
    await().atMost(Duration.ofSeconds(10)).until(() -> writes.queued() == 0);
    ComponentHealth starting = ComponentHealth.newBuilder().setHealthy(false).setStatus("starting").build();
    List<AgentEvent> events = reports.apply(agent, AgentToServer.newBuilder().setHealth(starting).build(),
        "127.0.0.1:1", 1_000);
    CompletableFuture<Void> written = writes.agent(agent, events);
    // The next report is in memory, its events not queued yet: a server killed after the write below
    // and before theirs would keep this report's state without them, and never make them again.
    reports.apply(agent, AgentToServer.newBuilder().setHealth(starting.toBuilder().setHealthy(true)
        .setStatus("running")).build(), "127.0.0.1:1", 2_000);

    database.answering(true);
    written.get(30, TimeUnit.SECONDS);

    AgentSnapshot stored = AgentRows.loadAll(database, (name, version) -> null, replica -> false).get(0);
    assertThat(stored.health()).isEqualTo(starting);
    assertThat(stored.lastSeen()).isEqualTo(1_000);
  }

  @Test
  void aRowQueuedWhileTheAgentWasConnectedHereIsWrittenNotHeldHereOnceItsLinkEnded() throws Exception {
    Reports reports = new Reports(new Inventory());
    Agent agent = new Agent("00000000-0000-0000-0000-000000000001");
    PolledLink link = new PolledLink();
    reports.connected(agent, link, 1_000);
    database.answering(false);
    writes.event(new AgentEvent("first", 0, AgentEvent.Kind.CONNECTED, ""));
    await().atMost(Duration.ofSeconds(10)).until(() -> writes.queued() == 0);
    CompletableFuture<Void> written = writes.agent(agent, reports.apply(agent, AgentToServer.newBuilder()
        .setHealth(ComponentHealth.newBuilder().setHealthy(true)).build(), "10.0.0.1:1", 1_000));
    // Its link ends before the row is written (handed over to another server, say): the row must not
    // say this server holds it, or it would take the row back from the server that does.
    reports.disconnected(agent, link, 2_000, "taken over");

    database.answering(true);
    written.get(30, TimeUnit.SECONDS);

    try (Connection connection = database.connection(); Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery("SELECT connected FROM agents")) {
      assertThat(rows.next()).isTrue();
      assertThat(rows.getBoolean(1)).isFalse();
    }
  }

  @Test
  void aRowTheStoreRefusesFailsItsOwnChangeAndNoOther() throws Exception {
    Agent good = new Agent("00000000-0000-0000-0000-000000000001");
    Agent refused = new Agent("00000000-0000-0000-0000-000000000002");
    // The column holds 64 characters: the store refuses this row for its content.
    refused.bindCertificate("CN=x", "f".repeat(65));

    CompletableFuture<Void> goodWrite = writes.agent(good);
    CompletableFuture<Void> refusedWrite = writes.agent(refused);

    goodWrite.get(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> refusedWrite.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .hasMessageContaining("the store refused the change of " + refused.uid());
    assertThat(writes.rowsRefused()).isEqualTo(1);
    List<String> stored = AgentRows.loadAll(database, (name, version) -> (ConfigVersion) null, replica -> false).stream()
        .map(snapshot -> snapshot.uid()).toList();
    assertThat(stored).containsExactly(good.uid());
  }

  @Test
  void aStoredConfigTheAgentHasNotSpokenSinceIsOnItsWayAndOnceItHasItIsDrift() throws Exception {
    Agent agent = new Agent("00000000-0000-0000-0000-000000000001");
    Reports reports = new Reports(new Inventory());
    AgentToServer runsOld = AgentToServer.newBuilder().setRemoteConfigStatus(RemoteConfigStatus.newBuilder()
        .setLastRemoteConfigHash(ByteString.copyFrom(HexFormat.of().parseHex("aa".repeat(32))))
        .setStatus(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED)).build();
    long before = System.currentTimeMillis() - 1;
    reports.apply(agent, runsOld, "127.0.0.1:1", before);
    writes.agent(agent).get(10, TimeUnit.SECONDS);
    ConfigVersion wanted = new ConfigVersion("web", 2, "receivers: {}", "bb".repeat(32), "ops", "", Instant.EPOCH);
    agent.desire(wanted);
    writes.desired(agent).get(10, TimeUnit.SECONDS);

    // Read as another server sharing the store reads it: the agent has not had its chance yet.
    AgentSnapshot sent = AgentRows.loadAll(database, (name, version) -> wanted, replica -> false).get(0);
    assertThat(sent.desiredInFlight()).isTrue();
    assertThat(sent.drift()).isEmpty();

    reports.apply(agent, runsOld, "127.0.0.1:1", System.currentTimeMillis() + 1);
    writes.agent(agent).get(10, TimeUnit.SECONDS);
    AgentSnapshot spoke = AgentRows.loadAll(database, (name, version) -> wanted, replica -> false).get(0);
    assertThat(spoke.drift()).contains("runs another config than web@2");
  }

  @Test
  void aDesiredConfigStoredBeforeTheAgentsFirstReportIsItsOnceThatIsStored() throws Exception {
    Agent agent = new Agent("00000000-0000-0000-0000-000000000001");
    ConfigVersion wanted = new ConfigVersion("web", 2, "receivers: {}", "bb".repeat(32), "ops", "", Instant.EPOCH);
    agent.desire(wanted);
    writes.desired(agent).get(10, TimeUnit.SECONDS);
    // Nothing the agent reported is stored yet: the store knows no such agent.
    assertThat(AgentRows.loadAll(database, (name, version) -> wanted, replica -> false)).isEmpty();

    new Reports(new Inventory()).apply(agent, AgentToServer.getDefaultInstance(), "127.0.0.1:1",
        System.currentTimeMillis());
    writes.agent(agent).get(10, TimeUnit.SECONDS);
    AgentSnapshot stored = AgentRows.loadAll(database, (name, version) -> wanted, replica -> false).get(0);
    assertThat(stored.desired()).isEqualTo(wanted);
  }

  @Test
  void agentsSilentSinceATimeAreForgottenWithWhatTheFleetWantedOfThem() throws Exception {
    Reports reports = new Reports(new Inventory());
    Agent silent = new Agent("00000000-0000-0000-0000-000000000001");
    Agent recent = new Agent("00000000-0000-0000-0000-000000000002");
    reports.apply(silent, AgentToServer.newBuilder().setEffectiveConfig(effectiveConfig("receivers: {}")).build(),
        "127.0.0.1:1", 1_000);
    reports.apply(recent, AgentToServer.getDefaultInstance(), "127.0.0.1:2", 5_000);
    ConfigVersion wanted = new ConfigVersion("web", 2, "receivers: {}", "bb".repeat(32), "ops", "", Instant.EPOCH);
    silent.desire(wanted);
    writes.agent(silent).get(10, TimeUnit.SECONDS);
    writes.agent(recent).get(10, TimeUnit.SECONDS);
    writes.desired(silent).get(10, TimeUnit.SECONDS);
    PackageRepository packages = new PackageRepository(database);
    packages.add(new HostedPackage("otelcol", "1.0", false, "00".repeat(32), null, 1, "token", Instant.EPOCH));
    writes.offer(new PackageRepository.Offered(silent.uid(), "otelcol", "1.0")).get(10, TimeUnit.SECONDS);

    assertThat(AgentRows.forgetSilentSince(database, 3_000)).containsExactly(silent.uid());
    assertThat(packages.offered()).isEmpty();
    assertThat(partsWrittenBy()).isEmpty();

    assertThat(AgentRows.loadAll(database, (name, version) -> wanted, replica -> false))
        .extracting(AgentSnapshot::uid).containsExactly(recent.uid());
    // Back under the same uid, it is a new agent: nothing is wanted of it yet.
    Agent back = new Agent(silent.uid());
    reports.apply(back, AgentToServer.getDefaultInstance(), "127.0.0.1:1", 9_000);
    writes.agent(back).get(10, TimeUnit.SECONDS);
    assertThat(AgentRows.loadAll(database, (name, version) -> wanted, replica -> false))
        .filteredOn(agent -> agent.uid().equals(silent.uid())).singleElement()
        .satisfies(agent -> assertThat(agent.desired()).isNull());

    // A desired state written for an agent whose row was gone (another server still had it in hand) goes too.
    Agent orphan = new Agent("00000000-0000-0000-0000-000000000003");
    orphan.desire(wanted);
    writes.desired(orphan).get(10, TimeUnit.SECONDS);
    AgentRows.forgetSilentSince(database, System.currentTimeMillis() + 60_000);
    reports.apply(orphan, AgentToServer.getDefaultInstance(), "127.0.0.1:3", System.currentTimeMillis());
    writes.agent(orphan).get(10, TimeUnit.SECONDS);
    assertThat(AgentRows.loadAll(database, (name, version) -> wanted, replica -> false)).singleElement()
        .satisfies(agent -> assertThat(agent.desired()).isNull());
  }

  @Test
  void anAgentsLargePartsAreWrittenWhenTheyChangeNotWithEveryReport() throws Exception {
    Reports reports = new Reports(new Inventory());
    Agent agent = new Agent("00000000-0000-0000-0000-000000000001");
    AgentToServer fullState = fullState();
    reports.apply(agent, fullState, "127.0.0.1:1", 1_000);
    writes.agent(agent).get(10, TimeUnit.SECONDS);
    assertThat(partsWrittenBy()).containsOnly(entry("effective_config", "test"), entry("available_components", "test"));
    try (Connection connection = database.connection(); Statement statement = connection.createStatement()) {
      statement.executeUpdate("UPDATE agent_parts SET written_by = 'before'");
    }

    // A status report, and the same parts again (a full state, as when the server asks for one).
    reports.apply(agent, AgentToServer.newBuilder().setHealth(ComponentHealth.newBuilder().setHealthy(false)).build(),
        "127.0.0.1:1", 2_000);
    reports.apply(agent, fullState, "127.0.0.1:1", 3_000);
    writes.agent(agent).get(10, TimeUnit.SECONDS);
    assertThat(partsWrittenBy()).containsOnly(entry("effective_config", "before"),
        entry("available_components", "before"));

    reports.apply(agent, AgentToServer.newBuilder().setEffectiveConfig(effectiveConfig("receivers: {}")).build(),
        "127.0.0.1:1", 4_000);
    writes.agent(agent).get(10, TimeUnit.SECONDS);
    assertThat(partsWrittenBy()).containsOnly(entry("effective_config", "test"),
        entry("available_components", "before"));
    AgentSnapshot stored = AgentRows.loadAll(database, (name, version) -> null, replica -> false).get(0);
    assertThat(stored.effectiveConfig()).isEqualTo(effectiveConfig("receivers: {}"));
    assertThat(stored.availableComponents().getHash().toStringUtf8()).isEqualTo("components");
    assertThat(stored.health().getHealthy()).isFalse();
    assertThat(stored.lastSeen()).isEqualTo(4_000);
  }

  @Test
  void anAgentTheStoreLostIsWrittenWholeThoughAWriteBegunBeforeEndsAfter() throws Exception {
    Agent agent = new Agent("00000000-0000-0000-0000-000000000001");
    new Reports(new Inventory()).apply(agent, fullState(), "127.0.0.1:1", 1_000);
    writes.agent(agent).get(10, TimeUnit.SECONDS);
    Agent.Stored before = agent.lastStored();
    try (Connection connection = database.connection(); Statement statement = connection.createStatement()) {
      statement.executeUpdate("DELETE FROM agent_parts");
    }

    agent.unstored();
    agent.stored(before, agent.snapshot());
    writes.agent(agent).get(10, TimeUnit.SECONDS);

    assertThat(partsWrittenBy()).containsOnly(entry("effective_config", "test"), entry("available_components", "test"));
  }

  @Test
  void agentsReadFromTheStoreShareOneListOfTheComponentsTheyReportedAlike() throws Exception {
    Reports reports = new Reports(new Inventory());
    for (String uid : List.of("00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002")) {
      Agent agent = new Agent(uid);
      reports.apply(agent, fullState(), "127.0.0.1:1", 1_000);
      writes.agent(agent).get(10, TimeUnit.SECONDS);
    }

    List<AgentSnapshot> stored = AgentRows.loadAll(database, (name, version) -> null, replica -> false);

    assertThat(stored).hasSize(2);
    assertThat(stored.get(1).availableComponents()).isSameAs(stored.get(0).availableComponents())
        .isEqualTo(fullState().getAvailableComponents());
  }

  @Test
  void partsAgentsReportAlikeAreStoredOnceAndABodyNoAgentHoldsGoesAfterItsTime() throws Exception {
    Reports reports = new Reports(new Inventory());
    List<Agent> agents = new ArrayList<>();
    for (String uid : List.of("00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002")) {
      Agent agent = new Agent(uid);
      // Parsed apart, as two connections' messages are: equal, not the same objects.
      reports.apply(agent, AgentToServer.parseFrom(fullState().toByteArray()), "127.0.0.1:1", 1_000);
      writes.agent(agent).get(10, TimeUnit.SECONDS);
      agents.add(agent);
    }
    assertThat(count("SELECT COUNT(*) FROM agent_parts")).isEqualTo(4);
    assertThat(count("SELECT COUNT(*) FROM part_bodies")).isEqualTo(2);

    // One agent moves to another config: the old body is still the other's.
    reports.apply(agents.get(0), AgentToServer.newBuilder().setEffectiveConfig(effectiveConfig("receivers: {}"))
        .build(), "127.0.0.1:1", 2_000);
    writes.agent(agents.get(0)).get(10, TimeUnit.SECONDS);
    assertThat(count("SELECT COUNT(*) FROM part_bodies")).isEqualTo(3);
    long later = System.currentTimeMillis() + 60_000;
    assertThat(PartBodies.deleteUnreferenced(database, later)).isZero();

    // The other moves too: its old config's body is no agent's now, and goes once it is old enough.
    reports.apply(agents.get(1), AgentToServer.newBuilder().setEffectiveConfig(effectiveConfig("receivers: {}"))
        .build(), "127.0.0.1:1", 2_000);
    writes.agent(agents.get(1)).get(10, TimeUnit.SECONDS);
    assertThat(PartBodies.deleteUnreferenced(database, System.currentTimeMillis() - 60_000)).isZero();
    assertThat(PartBodies.deleteUnreferenced(database, later)).isEqualTo(1);

    List<AgentSnapshot> read = AgentRows.loadAll(database, (name, version) -> null, replica -> false);
    assertThat(read).hasSize(2).allSatisfy(agent -> {
      assertThat(agent.effectiveConfig()).isEqualTo(effectiveConfig("receivers: {}"));
      assertThat(agent.availableComponents()).isEqualTo(fullState().getAvailableComponents());
    });
    // Read and parsed once for both.
    assertThat(read.get(1).effectiveConfig()).isSameAs(read.get(0).effectiveConfig());
  }

  @Test
  void theStoreCountsTheAgentsNotConnectedToAServerAndEachBodyTheyReportedOnce() throws Exception {
    Reports reports = new Reports(new Inventory());
    ComponentHealth health = ComponentHealth.newBuilder().setHealthy(true).setStatus("running").build();
    List<String> uids = List.of("00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002");
    for (String uid : uids) {
      Agent agent = new Agent(uid);
      reports.apply(agent, fullState().toBuilder().setHealth(health).build(), "127.0.0.1:1", 1_000);
      writes.agent(agent).get(10, TimeUnit.SECONDS);
    }
    long bodies = fullState().getEffectiveConfig().getSerializedSize()
        + fullState().getAvailableComponents().getSerializedSize();

    // Both gone: each its own health, their parts' bodies once.
    assertThat(AgentRows.notConnectedTo(database, "test"))
        .isEqualTo(new AgentRows.StoredReports(2, 2L * health.getSerializedSize() + bodies));

    // One is connected to this server (its memory counts it); the other still refers to the same bodies.
    try (Connection connection = database.connection(); Statement statement = connection.createStatement()) {
      statement.executeUpdate("UPDATE agents SET connected = TRUE, held_by = 'test' WHERE instance_uid = '"
          + uids.get(0) + "'");
      statement.executeUpdate("UPDATE agents SET connected = TRUE, held_by = 'other' WHERE instance_uid = '"
          + uids.get(1) + "'");
    }
    assertThat(AgentRows.notConnectedTo(database, "test"))
        .isEqualTo(new AgentRows.StoredReports(1, health.getSerializedSize() + bodies));
    assertThat(AgentRows.notConnectedTo(database, "other"))
        .isEqualTo(new AgentRows.StoredReports(1, health.getSerializedSize() + bodies));
  }

  @Test
  void theStoreCountsTheBodiesNoAgentRefersToAnyMore() throws Exception {
    Reports reports = new Reports(new Inventory());
    Agent agent = new Agent("00000000-0000-0000-0000-000000000001");
    for (String yaml : List.of("receivers: {first: {}}", "receivers: {second: {}}")) {
      reports.apply(agent, AgentToServer.newBuilder().setEffectiveConfig(effectiveConfig(yaml)).build(), "127.0.0.1:1",
          1_000);
      writes.agent(agent).get(10, TimeUnit.SECONDS);
    }
    try (Connection connection = database.connection(); Statement statement = connection.createStatement()) {
      statement.executeUpdate("UPDATE agents SET connected = TRUE, held_by = 'test'");
    }

    // The agent is this server's to count; the body of the config it left is the store's.
    assertThat(AgentRows.notConnectedTo(database, "test"))
        .isEqualTo(new AgentRows.StoredReports(0, effectiveConfig("receivers: {first: {}}").getSerializedSize()));
  }

  @Test
  void aBodyTheStoreHoldsIsMadeNewAgainWhenAnotherAgentRefersToItAndEntriesInAnotherOrderAreTheSameBody()
      throws Exception {
    Reports reports = new Reports(new Inventory());
    Agent first = new Agent("00000000-0000-0000-0000-000000000001");
    reports.apply(first, AgentToServer.newBuilder().setEffectiveConfig(twoFiles("a.yaml", "b.yaml")).build(),
        "127.0.0.1:1", 1_000);
    writes.agent(first).get(10, TimeUnit.SECONDS);
    try (Connection connection = database.connection(); Statement statement = connection.createStatement()) {
      statement.executeUpdate("UPDATE part_bodies SET stored_at = 0");
    }

    Agent second = new Agent("00000000-0000-0000-0000-000000000002");
    reports.apply(second, AgentToServer.parseFrom(AgentToServer.newBuilder()
        .setEffectiveConfig(twoFiles("b.yaml", "a.yaml")).build().toByteArray()), "127.0.0.1:1", 1_000);
    writes.agent(second).get(10, TimeUnit.SECONDS);

    assertThat(count("SELECT COUNT(*) FROM part_bodies")).isEqualTo(1);
    assertThat(count("SELECT MIN(stored_at) FROM part_bodies")).isGreaterThan(System.currentTimeMillis() - 60_000);
    assertThat(PartBodies.deleteUnreferenced(database, System.currentTimeMillis() - 60_000)).isZero();
  }

  /** An effective config of two files, put in this order (which the message keeps when encoded). */
  private static EffectiveConfig twoFiles(String one, String other) {
    return EffectiveConfig.newBuilder().setConfigMap(AgentConfigMap.newBuilder()
        .putConfigMap(one, AgentConfigFile.newBuilder().setBody(ByteString.copyFromUtf8(one)).build())
        .putConfigMap(other, AgentConfigFile.newBuilder().setBody(ByteString.copyFromUtf8(other)).build())).build();
  }

  private long count(String query) throws Exception {
    try (Connection connection = database.connection(); Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery(query)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /** What a collector reports in full: an effective config and its available components. */
  private static AgentToServer fullState() {
    return AgentToServer.newBuilder().setEffectiveConfig(effectiveConfig("receivers: {otlp: {}}"))
        .setAvailableComponents(AvailableComponents.newBuilder().setHash(ByteString.copyFromUtf8("components"))
            .putComponents("receivers", ComponentDetails.getDefaultInstance()))
        .build();
  }

  private static EffectiveConfig effectiveConfig(String yaml) {
    return EffectiveConfig.newBuilder().setConfigMap(AgentConfigMap.newBuilder().putConfigMap("",
        AgentConfigFile.newBuilder().setBody(ByteString.copyFromUtf8(yaml)).build())).build();
  }

  /** Each stored part and the server that wrote it last. */
  private Map<String, String> partsWrittenBy() throws Exception {
    Map<String, String> parts = new HashMap<>();
    try (Connection connection = database.connection(); Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery("SELECT part, written_by FROM agent_parts")) {
      while (rows.next()) {
        parts.put(rows.getString(1), rows.getString(2));
      }
    }
    return parts;
  }

  @Test
  void aPackageOfferIsStoredAndALaterVersionReplacesIt() throws Exception {
    PackageRepository packages = new PackageRepository(database);
    for (String version : List.of("1.0", "2.0")) {
      packages.add(new HostedPackage("otelcol", version, false, "00".repeat(32), null, 1, "token-" + version,
          Instant.EPOCH));
    }
    writes.offer(new PackageRepository.Offered("00000000-0000-0000-0000-000000000001", "otelcol", "1.0"))
        .get(10, TimeUnit.SECONDS);
    writes.offer(new PackageRepository.Offered("00000000-0000-0000-0000-000000000001", "otelcol", "2.0"))
        .get(10, TimeUnit.SECONDS);

    assertThat(packages.offered()).containsExactly(
        new PackageRepository.Offered("00000000-0000-0000-0000-000000000001", "otelcol", "2.0"));
  }

  @Test
  void aRowTheServerCannotBindIsRefusedNotRetriedForEver() throws Exception {
    Agent good = new Agent("00000000-0000-0000-0000-000000000001");
    // No kind: binding the row fails before the store sees it, with no SQL error to wait out.
    AgentEvent unbindable = new AgentEvent("00000000-0000-0000-0000-000000000003", 1, null, "?");

    CompletableFuture<Void> goodWrite = writes.agent(good);
    CompletableFuture<Void> refusedWrite = writes.event(unbindable);

    goodWrite.get(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> refusedWrite.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
    assertThat(writes.rowsRefused()).isEqualTo(1);
  }
}

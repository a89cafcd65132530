package io.opampfleet.server.internal.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.opampfleet.proto.AgentCapabilities;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.AnyValue;
import io.opampfleet.proto.KeyValue;
import io.opampfleet.proto.RemoteConfigStatus;
import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.server.internal.configs.ConfigVersion;
import io.opampfleet.server.internal.hosting.PackageOffers;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.AgentSnapshot;
import io.opampfleet.server.internal.inventory.Inventory;
import io.opampfleet.server.internal.inventory.Reports;
import io.opampfleet.server.internal.packages.HostedPackage;
import io.opampfleet.server.internal.selector.LabelSelector;
import io.opampfleet.server.internal.store.ConfigRepository;
import io.opampfleet.server.internal.store.Database;
import io.opampfleet.server.internal.store.PackageRepository;
import io.opampfleet.server.internal.store.RolloutRepository;
import io.opampfleet.server.internal.store.WriteBehind;
import io.opampfleet.server.settings.ServerSettings.Storage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine on a real store. A rollout is stored as it begins before any config goes out. A server
 * whose presence in the shared store lapsed (its engine's thread held, or the store out of reach
 * past the lease) may find another server drove its rollouts meanwhile: it must not take one more
 * step of those, and must go on with those nobody took.
 */
class RolloutEngineTest {
  private static final List<String> AGENTS = List.of("00000000-0000-0000-0000-000000000001",
      "00000000-0000-0000-0000-000000000002");

  @TempDir
  Path dir;
  private Database database;
  private WriteBehind writes;
  private RolloutEngine engine;
  private final Inventory inventory = new Inventory();
  private final Presence presence = new Presence();
  private final List<String> sent = new CopyOnWriteArrayList<>();
  /** Each agent's attempt row as the store had it when its config was sent. */
  private final Map<String, String> storedWhenSent = new ConcurrentHashMap<>();
  private ConfigVersion v2;
  private ConfigRepository configs;
  private PackageRepository packages;

  @BeforeEach
  void start() {
    database = Database.open(new Storage(dir, Optional.empty(), "", "", "a"));
    writes = new WriteBehind(database, "a");
    configs = new ConfigRepository(database);
    ConfigVersion v1 = configs.addVersion("app", "receivers: {nop: {}}\n", "test", "");
    v2 = configs.addVersion("app", "receivers: {otlp: {}}\n", "test", "");
    for (String uid : AGENTS) {
      inventory.restore(connectedRunning(uid, v1));
      writes.agent(inventory.find(uid).orElseThrow());
    }
    packages = new PackageRepository(database);
    engine = startedEngine();
  }

  /** An engine on the store, resuming what it holds, as a server starting does. */
  private RolloutEngine startedEngine() {
    RolloutEngine started = new RolloutEngine(inventory, inventory, configs, new RolloutRepository(database,
        RolloutState.unfinished()), writes, new RecordingSender(), packages,
        new PackageOffers(packages, writes, () -> "https://localhost"), System::currentTimeMillis, presence);
    started.start();
    return started;
  }

  @AfterEach
  void stop() {
    engine.close();
    writes.close();
    database.close();
  }

  @Test
  void aRolloutIsStoredAsItBeginsBeforeAnyConfigGoesOut() {
    engine.create(twoWaves(), null, "test", false);
    await().until(() -> sent.equals(List.of(AGENTS.get(0))));

    // On its way, with what it ran before (a restart rolls it back to that), and in the store already.
    assertThat(storedWhenSent).containsExactly(Map.entry(AGENTS.get(0), "APPLYING app@1"));
  }

  @Test
  void restartedMidWaveARefusalFromBeforeTheWaveIsStillNotCountedAndTheVersionGoesOutAgain() {
    // An earlier rollout of the same version: the first agent refused it, and says so still.
    reports(AGENTS.get(0), RemoteConfigStatuses.RemoteConfigStatuses_FAILED, "cannot start: port in use");
    long id = engine.create(twoWaves(), null, "test", false).id();
    await().until(() -> sent.equals(List.of(AGENTS.get(0))));

    engine.close();
    engine = startedEngine();

    // Not failed on the refusal from before (with a budget of 0 the rollout would roll back), and sent again.
    await().until(() -> sent.equals(List.of(AGENTS.get(0), AGENTS.get(0))));
    assertThat(inventory.find(AGENTS.get(0)).orElseThrow().desired()).isEqualTo(v2);
    await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5))
        .until(() -> engine.view(id).orElseThrow().state() == RolloutState.RUNNING);
    assertThat(attemptRow(AGENTS.get(0))).startsWith("APPLYING");

    // A new refusal counts.
    reports(AGENTS.get(0), RemoteConfigStatuses.RemoteConfigStatuses_FAILED, "cannot start: out of memory");
    await().until(() -> engine.view(id).orElseThrow().state() != RolloutState.RUNNING);
  }

  @Test
  void aRolloutsNextWaveIsStoredAndShownOnlyOnceTheProgressThatEndedTheLastIsStored() throws Exception {
    long id = engine.create(twoWaves(), null, "test", false).id();
    await().until(() -> sent.equals(List.of(AGENTS.get(0))));
    int firstWave = engine.view(id).orElseThrow().currentWave();

    try (Connection holder = database.connection()) {
      // Another transaction holds the first agent's attempt row: the store writer waits on it.
      hold(holder, "UPDATE rollout_agents SET state = state WHERE instance_uid = ?", AGENTS.get(0));
      reportsApplied(AGENTS.get(0));
      await().until(() -> sent.equals(AGENTS));
      Thread.sleep(300);

      // The second wave went out, but neither the store nor the API says so before the first agent's
      // end is stored: a successor would find the first wave still on its way, as the API shows it.
      assertThat(attemptRow(AGENTS.get(0))).startsWith("APPLYING");
      assertThat(storedWave(id)).isEqualTo(0);
      assertThat(engine.view(id).orElseThrow().currentWave()).isEqualTo(firstWave);
      holder.rollback();
    }

    await().until(() -> storedWave(id) == 1);
    assertThat(attemptRow(AGENTS.get(0))).doesNotStartWith("APPLYING");
    await().until(() -> engine.view(id).orElseThrow().currentWave() == firstWave + 1);
  }

  @Test
  void aRolloutShowsItsEndOnlyOnceTheEndIsStoredAndItsAgentsAreFree() throws Exception {
    long id = engine.create(twoWaves(), null, "test", false).id();
    await().until(() -> sent.equals(List.of(AGENTS.get(0))));
    reportsApplied(AGENTS.get(0));
    await().until(() -> sent.equals(AGENTS) && storedWave(id) == 1);

    try (Connection progressHolder = database.connection(); Connection endHolder = database.connection()) {
      // One transaction holds the last agent's attempt row, another the rollout's own row.
      hold(progressHolder, "UPDATE rollout_agents SET state = state WHERE instance_uid = ?", AGENTS.get(1));
      hold(endHolder, "UPDATE rollouts SET state = state WHERE id = ?", id);
      reportsApplied(AGENTS.get(1));
      Thread.sleep(300);
      assertThat(engine.view(id).orElseThrow().state()).isEqualTo(RolloutState.RUNNING);

      // The progress that ends the rollout is stored, its end is not: the API must not say SUCCEEDED
      // yet, since the agents are still held and a rollout started now over them would be refused.
      progressHolder.rollback();
      await().until(() -> !attemptRow(AGENTS.get(1)).startsWith("APPLYING"));
      Thread.sleep(300);
      assertThat(engine.view(id).orElseThrow().state()).isEqualTo(RolloutState.RUNNING);
      assertThat(engine.drives(AGENTS.get(1))).isTrue();
      endHolder.rollback();
    }

    await().until(() -> engine.view(id).orElseThrow().state() == RolloutState.SUCCEEDED);
    assertThat(stored(id, "state")).isEqualTo("SUCCEEDED");
    assertThat(AGENTS).noneMatch(engine::drives);
  }

  @Test
  void aRolloutAnotherServerTookDuringTheLapseGetsNoFurtherStepFromThisOne() throws Exception {
    engine.create(twoWaves(), null, "test", false);
    await().until(() -> sent.equals(List.of(AGENTS.get(0))));

    // Past the lease, server b claimed the rollout; this server's presence is then renewed.
    setDriver("b");
    presence.lapses = 1;
    reportsApplied(AGENTS.get(0));

    await().until(() -> !engine.drives(AGENTS.get(1)));
    Thread.sleep(1_500);
    assertThat(sent).containsExactly(AGENTS.get(0));
  }

  @Test
  void aRolloutNobodyTookDuringTheLapseGoesOnHere() {
    engine.create(twoWaves(), null, "test", false);
    await().until(() -> sent.equals(List.of(AGENTS.get(0))));

    presence.lapses = 1;
    reportsApplied(AGENTS.get(0));

    await().until(() -> sent.equals(AGENTS));
    assertThat(engine.drives(AGENTS.get(1))).isTrue();
  }

  private RolloutPlan twoWaves() {
    return new RolloutPlan(LabelSelector.parse("app=web"), "app", 2, WavePlan.parse("1,1"), Duration.ZERO,
        FailureBudget.parse("0"), Duration.ofMinutes(1), List.of());
  }

  private void reportsApplied(String uid) {
    reports(uid, RemoteConfigStatuses.RemoteConfigStatuses_APPLIED, "");
  }

  private void reports(String uid, RemoteConfigStatuses status, String error) {
    Agent agent = inventory.find(uid).orElseThrow();
    new Reports(inventory).apply(agent, AgentToServer.newBuilder().setRemoteConfigStatus(RemoteConfigStatus.newBuilder()
        .setLastRemoteConfigHash(ByteString.copyFrom(HexFormat.of().parseHex(v2.sha256())))
        .setStatus(status).setErrorMessage(error)).build(), "127.0.0.1:1", System.currentTimeMillis());
    inventory.changed(agent);
  }

  /** The agent's attempt row in the store: its state and what it ran before; "none" when there is none. */
  private String attemptRow(String uid) {
    try (Connection connection = database.connection();
         PreparedStatement select = connection.prepareStatement(
             "SELECT state, previous_config, previous_version FROM rollout_agents WHERE instance_uid = ?")) {
      select.setString(1, uid);
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? row.getString(1) + " " + row.getString(2) + "@" + row.getInt(3) : "none";
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Takes the row's lock in {@code holder}'s open transaction, which keeps it until rolled back. */
  private static void hold(Connection holder, String update, Object key) throws SQLException {
    holder.setAutoCommit(false);
    try (PreparedStatement hold = holder.prepareStatement(update)) {
      hold.setObject(1, key);
      assertThat(hold.executeUpdate()).isEqualTo(1);
    }
  }

  /** A column of the rollout's own row as the store has it. */
  private String stored(long id, String column) {
    try (Connection connection = database.connection();
         PreparedStatement select = connection.prepareStatement("SELECT " + column + " FROM rollouts WHERE id = ?")) {
      select.setLong(1, id);
      try (ResultSet row = select.executeQuery()) {
        assertThat(row.next()).isTrue();
        return row.getString(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private int storedWave(long id) {
    return Integer.parseInt(stored(id, "current_wave"));
  }

  private void setDriver(String driver) throws Exception {
    try (Connection connection = database.connection();
         PreparedStatement update = connection.prepareStatement("UPDATE rollouts SET driver = ?")) {
      update.setString(1, driver);
      update.executeUpdate();
      connection.commit();
    }
  }

  /** An agent another server holds, connected and running {@code version} as wanted. */
  private static AgentSnapshot connectedRunning(String uid, ConfigVersion version) {
    AgentDescription description = AgentDescription.newBuilder().addIdentifyingAttributes(KeyValue.newBuilder()
        .setKey("app").setValue(AnyValue.newBuilder().setStringValue("web"))).build();
    RemoteConfigStatus status = RemoteConfigStatus.newBuilder()
        .setLastRemoteConfigHash(ByteString.copyFrom(HexFormat.of().parseHex(version.sha256())))
        .setStatus(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED).build();
    long capabilities = AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig_VALUE
        | AgentCapabilities.AgentCapabilities_ReportsRemoteConfig_VALUE;
    return new AgentSnapshot(uid, description, Map.of(), capabilities, null, null, status, null, null, true, "b", 1,
        1, 1, "",
        "", "", "", version, false, false, 0);
  }

  /** This server's presence as the test sets it; server b is alive. */
  private static final class Presence implements Replicas {
    volatile long lapses;

    @Override
    public String name() {
      return "a";
    }

    @Override
    public boolean present() {
      return true;
    }

    @Override
    public long lapses() {
      return lapses;
    }

    @Override
    public boolean aliveElsewhere(String replica) {
      return replica.equals("b");
    }
  }

  /** What the engine sends, by agent, in order; the desired config changes as a real sender's does. */
  private final class RecordingSender implements ConfigSender {
    @Override
    public void send(Agent agent, ConfigVersion version, String why, long now) {
      storedWhenSent.put(agent.uid(), attemptRow(agent.uid()));
      agent.desire(version);
      sent.add(agent.uid());
    }

    @Override
    public void returnToLocal(Agent agent, String why, long now) {
      agent.desireLocal();
      sent.add(agent.uid());
    }

    @Override
    public void offer(Agent agent, HostedPackage hosted, String why, long now) {}

    @Override
    public void adopt(Agent agent, ConfigVersion version, boolean local) {}
  }
}

package io.opampfleet.server.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opampfleet.peers.PostgresContainer;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.AgentEvent;
import io.opampfleet.server.internal.inventory.Inventory;
import io.opampfleet.server.internal.inventory.Reports;
import io.opampfleet.server.settings.ServerSettings.Storage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The store's writer on a real PostgreSQL (in the writer's package, for its test hooks): what the
 * other servers sharing the store are told.
 */
class WriteBehindOnPostgresIT {
  private static final PostgresContainer postgres = new PostgresContainer();

  @TempDir
  Path dir;

  @BeforeAll
  static void startPostgres() {
    postgres.start();
  }

  @AfterAll
  static void stopPostgres() {
    postgres.stop();
  }

  @Test
  void eachReportThatChangesAnAgentIsToldToTheOtherServersOneMadeWhileAnEarlierWaitedForTheStoreToo()
      throws Exception {
    postgres.emptyDatabase();
    String uid = "00000000-0000-0000-0000-000000000001";
    try (Database database = Database.open(new Storage(dir, Optional.of(postgres.jdbcUrl()), postgres.username(),
             postgres.password(), "a"));
         WriteBehind writes = new WriteBehind(database, "a");
         Connection listener = DriverManager.getConnection(postgres.jdbcUrl(), postgres.username(),
             postgres.password())) {
      try (Statement listen = listener.createStatement()) {
        listen.execute("LISTEN " + WriteBehind.REPORTED_CHANNEL);
      }
      Reports reports = new Reports(new Inventory());
      Agent agent = new Agent(uid);
      database.answering(false);
      // The writer holds a change while the store is away; the agent's first report waits behind it.
      writes.event(new AgentEvent("first", 0, AgentEvent.Kind.CONNECTED, ""));
      await().atMost(Duration.ofSeconds(10)).until(() -> writes.queued() == 0);
      CompletableFuture<Void> first = writes.agent(agent, reports.apply(agent, health(false), "10.0.0.1:1", 1_000));
      // The second is made before the first is written, and queued after.
      List<AgentEvent> second = reports.apply(agent, health(true), "10.0.0.1:1", 2_000);

      database.answering(true);
      first.get(30, TimeUnit.SECONDS);
      writes.agent(agent, second).get(30, TimeUnit.SECONDS);

      // Once for each: the others read the agent's row again after its second report too.
      assertThat(told(listener, 2)).containsExactly(uid, uid);
    }
  }

  private static AgentToServer health(boolean healthy) {
    return AgentToServer.newBuilder().setHealth(ComponentHealth.newBuilder().setHealthy(healthy)
        .setStatus(healthy ? "running" : "starting")).build();
  }

  /** The uids told on the channel, until {@code count} came or 5 s passed. */
  private static List<String> told(Connection listener, int count) throws Exception {
    List<String> uids = new ArrayList<>();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (uids.size() < count && System.nanoTime() < end) {
      PGNotification[] notifications = listener.unwrap(PGConnection.class).getNotifications(200);
      if (notifications != null) {
        for (PGNotification notification : notifications) {
          uids.add(notification.getParameter());
        }
      }
    }
    return uids;
  }
}

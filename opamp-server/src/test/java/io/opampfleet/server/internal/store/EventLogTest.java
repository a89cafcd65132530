package io.opampfleet.server.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.opampfleet.server.internal.inventory.AgentEvent;
import io.opampfleet.server.settings.ServerSettings.Storage;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogTest {
  @TempDir
  Path dir;
  private Database database;
  private EventLog events;

  @BeforeEach
  void open() {
    database = Database.open(new Storage(dir, Optional.empty(), "", "", "a"));
    events = new EventLog(database, 10);
  }

  @AfterEach
  void close() {
    database.close();
  }

  @Test
  void eventsPastTheRetentionAreDeletedOldestFirstOverAsManyRoundsAsTheyTake() {
    for (int i = 0; i < 25; i++) {
      stored("a", 1_000 + i);
    }
    for (int i = 0; i < 3; i++) {
      stored("a", 5_000 + i);
    }

    assertThat(events.prune(5_000)).isEqualTo(25);

    assertThat(events.recent("a", 100)).extracting(AgentEvent::at).containsExactly(5_002L, 5_001L, 5_000L);
    assertThat(events.prune(5_000)).isZero();
  }

  @Test
  void anEventWithinTheRetentionIsKeptAndAnOlderOneStoredAfterItWaitsForIt() {
    stored("a", 1_000);
    stored("b", 9_000);
    stored("a", 2_000);

    assertThat(events.prune(5_000)).isEqualTo(1);

    assertThat(events.recent("a", 10)).extracting(AgentEvent::at).containsExactly(2_000L);
    assertThat(events.recent("b", 10)).extracting(AgentEvent::at).containsExactly(9_000L);
    assertThat(events.prune(10_000)).isEqualTo(2);
  }

  @Test
  void anEmptyHistoryPrunesNothing() {
    assertThat(events.prune(Long.MAX_VALUE)).isZero();
  }

  private void stored(String uid, long at) {
    new Sql(database).update("INSERT INTO agent_events (instance_uid, at, kind, detail) VALUES (?, ?, ?, ?)",
        uid, at, AgentEvent.Kind.CONNECTED.name(), "");
  }
}

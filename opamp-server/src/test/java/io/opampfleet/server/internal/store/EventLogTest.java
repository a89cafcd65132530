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
  private static final long NOW = 6_000;
  @TempDir
  Path dir;
  private Database database;
  private EventLog events;

  @BeforeEach
  void open() {
    database = Database.open(new Storage(dir, Optional.empty(), "", "", "a"));
    events = new EventLog(database, () -> NOW, 10);
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
  void eventsWithinTheRetentionAreKeptWhereverTheyStandAndDoNotStopTheWalk() {
    // A server whose clock ran ahead, then events of the right time, then ones held while the store was away.
    stored("ahead", 99_000);
    for (int i = 0; i < 15; i++) {
      stored("a", 1_000 + i);
    }
    stored("b", 9_000);
    for (int i = 0; i < 15; i++) {
      stored("a", 2_000 + i);
    }

    assertThat(events.prune(5_000)).isEqualTo(30);

    assertThat(events.recent("ahead", 10)).extracting(AgentEvent::at).containsExactly(99_000L);
    assertThat(events.recent("b", 10)).extracting(AgentEvent::at).containsExactly(9_000L);
    assertThat(events.recent("a", 10)).isEmpty();
  }

  @Test
  void anOldEventStoredAfterAWholeChunkOfNewerOnesGoesWhenTheyDo() {
    for (int i = 0; i < 10; i++) {
      stored("a", 9_000 + i);
    }
    stored("late", 1_000);

    assertThat(events.prune(5_000)).isZero();
    assertThat(events.prune(10_000)).isEqualTo(11);
  }

  @Test
  void aWholeChunkFromAServerWhoseClockRanAheadIsWalkedPast() {
    for (int i = 0; i < 10; i++) {
      stored("ahead", 99_000 + i);
    }
    for (int i = 0; i < 5; i++) {
      stored("a", 1_000 + i);
    }

    assertThat(events.prune(5_000)).isEqualTo(5);
    assertThat(events.recent("ahead", 20)).hasSize(10);
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

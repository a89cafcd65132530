package io.opampfleet.server.internal.replicas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opampfleet.server.internal.inventory.Inventory;
import io.opampfleet.server.internal.inventory.ReportedStateBudget;
import io.opampfleet.server.internal.store.Database;
import io.opampfleet.server.settings.ServerSettings.Storage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoredReportsCountTest {
  @TempDir
  Path dir;

  @Test
  void tellsHowLongAgoACountLastSucceededSoAStoreThatCannotBeCountedShows() throws Exception {
    AtomicLong nanos = new AtomicLong(1_000);
    ReportedStateBudget budget = ReportedStateBudget.sharingStore(1 << 20, new Inventory(), nanos::get);
    try (Database database = Database.open(new Storage(dir, Optional.empty(), "", "", "test"))) {
      StoredReportsCount count = new StoredReportsCount(database, "test", budget, nanos::get);
      nanos.addAndGet(Duration.ofSeconds(3).toNanos());
      // None yet: as old as the server.
      assertThat(count.secondsSinceCounted()).isEqualTo(3);

      count.count();
      assertThat(count.secondsSinceCounted()).isZero();

      nanos.addAndGet(Duration.ofSeconds(12).toNanos());
      try (Connection connection = database.connection(); Statement statement = connection.createStatement()) {
        statement.execute("DROP TABLE agent_parts");
      }
      assertThatThrownBy(count::count).isInstanceOf(RuntimeException.class);
      assertThat(count.secondsSinceCounted()).isEqualTo(12);
    }
  }
}

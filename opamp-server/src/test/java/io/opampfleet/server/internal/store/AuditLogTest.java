package io.opampfleet.server.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.opampfleet.server.settings.ServerSettings.Storage;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
  @TempDir
  Path dir;
  private Database database;
  private AuditLog auditLog;

  @BeforeEach
  void open() {
    database = Database.open(new Storage(dir, Optional.empty(), "", "", "a"));
    auditLog = new AuditLog(database);
  }

  @AfterEach
  void close() {
    database.close();
  }

  @Test
  void entriesPastTheRetentionAreDroppedAndTheRestKept() {
    auditLog.append(entry(1_000, "/api/v1/assignments/old"));
    auditLog.append(entry(5_000, "/api/v1/assignments/new"));

    assertThat(auditLog.prune(5_000)).isEqualTo(1);

    assertThat(auditLog.find(new AuditLog.Filter("", "", 0, 0, 10))).extracting(AuditLog.Entry::object)
        .containsExactly("/api/v1/assignments/new");
  }

  @Test
  void anObjectMatchesItselfAndWhatIsBelowItWithItsCharactersTakenLiterally() {
    auditLog.append(entry(1_000, "/api/v1/configs/a_b/versions"));
    auditLog.append(entry(2_000, "/api/v1/configs/axb/versions"));

    assertThat(auditLog.find(new AuditLog.Filter("", "/api/v1/configs/a_b", 0, 0, 10)))
        .extracting(AuditLog.Entry::object).containsExactly("/api/v1/configs/a_b/versions");
    assertThat(auditLog.find(new AuditLog.Filter("", "/api/v1/configs/a_b/versions", 0, 0, 10))).hasSize(1);
  }

  @Test
  void oneActorsPageIsItsNewestEntriesThoseOfTheSameTimeLastAddedFirst() {
    auditLog.append(entry(1_000, "ci", "/a"));
    auditLog.append(entry(3_000, "ci", "/b"));
    auditLog.append(entry(2_000, "ops", "/c"));
    auditLog.append(entry(3_000, "ci", "/d"));
    auditLog.append(entry(2_000, "ci", "/e"));
    auditLog.append(entry(4_000, "ops", "/f"));

    assertThat(auditLog.find(new AuditLog.Filter("ci", "", 0, 0, 3))).extracting(AuditLog.Entry::object)
        .containsExactly("/d", "/b", "/e");
    assertThat(auditLog.find(new AuditLog.Filter("ci", "", 0, 3_000, 10))).extracting(AuditLog.Entry::object)
        .containsExactly("/e", "/a");
    assertThat(auditLog.find(new AuditLog.Filter("", "", 0, 0, 3))).extracting(AuditLog.Entry::object)
        .containsExactly("/f", "/d", "/b");
  }

  private static AuditLog.Entry entry(long at, String object) {
    return entry(at, "ops", object);
  }

  private static AuditLog.Entry entry(long at, String actor, String object) {
    return new AuditLog.Entry(0, at, actor, "operator", "PUT /x", object, 200, null, null, "{}");
  }
}

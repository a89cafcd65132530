package io.opampfleet.server.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.opampfleet.server.internal.configs.ConfigVersion;
import io.opampfleet.server.settings.ServerSettings.Storage;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigRepositoryTest {
  @TempDir
  Path dir;
  private Database database;
  private ConfigRepository configs;

  @BeforeEach
  void open() {
    database = Database.open(new Storage(dir, Optional.empty(), "", "", "test"));
    configs = new ConfigRepository(database);
  }

  @AfterEach
  void close() {
    database.close();
  }

  @Test
  void theLatestVersionsAreReadAloneAndAListingCarriesNoBodies() {
    for (int i = 1; i <= 12; i++) {
      configs.addVersion("web", "receivers: {otlp: {}}  # " + i + "\n", "ops", "v" + i);
    }
    configs.addVersion("other", "receivers: {}\n", "ops", "");
    configs.addVersion("alpha", "receivers: {}  # 1\n", "ops", "");
    configs.addVersion("alpha", "receivers: {}  # 2\n", "ops", "");

    ConfigVersion latest = configs.latest("web").orElseThrow();
    assertThat(latest.version()).isEqualTo(12);
    assertThat(latest.body()).isEqualTo("receivers: {otlp: {}}  # 12\n");
    assertThat(configs.latest("none")).isEmpty();

    assertThat(configs.versionsWithoutBodies("web")).hasSize(12)
        .allSatisfy(version -> assertThat(version.body()).isEmpty())
        .extracting(ConfigVersion::comment).startsWith("v1", "v2").endsWith("v12");
    assertThat(configs.versionsWithoutBodies("web").get(11).sha256()).isEqualTo(latest.sha256());

    assertThat(configs.latestVersions()).extracting(ConfigVersion::name, ConfigVersion::version, ConfigVersion::body)
        .containsExactly(tuple("alpha", 2, "receivers: {}  # 2\n"), tuple("other", 1, "receivers: {}\n"),
            tuple("web", 12, latest.body()));
  }
}

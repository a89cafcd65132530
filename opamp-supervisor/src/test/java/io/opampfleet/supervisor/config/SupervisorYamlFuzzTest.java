package io.opampfleet.supervisor.config;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.opampfleet.strictyaml.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * supervisor.yaml as anyone may write it: it loads, or is refused with a {@link ConfigException}
 * naming the key and the reason; nothing else escapes. In the test command it replays its committed
 * inputs; {@code scripts/fuzz} fuzzes it.
 */
class SupervisorYamlFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void supervisorYaml(FuzzedDataProvider data) throws IOException {
    Path file = Files.createTempFile("supervisor-", ".yaml");
    try {
      Files.writeString(file, data.consumeRemainingAsString());
      new SupervisorConfigLoader(name -> "value").load(file);
    } catch (ConfigException refused) {
      // Said why.
    } finally {
      Files.deleteIfExists(file);
    }
  }
}

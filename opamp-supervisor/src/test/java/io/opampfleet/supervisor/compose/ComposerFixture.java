package io.opampfleet.supervisor.compose;

import io.opampfleet.supervisor.config.SupervisorConfig;
import io.opampfleet.supervisor.config.SupervisorConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** supervisor.yaml files for composer tests, loaded through the real loader. */
public final class ComposerFixture {
  private ComposerFixture() {}

  /** {@code capabilities}: the capabilities mapping's inside; empty means accepts_remote_config only. */
  public static SupervisorConfig config(Path dir, Path executable, String agentKeys, String capabilities) throws IOException {
    return config(dir, executable, agentKeys, capabilities, "{endpoint: ws://127.0.0.1:4320/v1/opamp}");
  }

  /** {@code server}: the server mapping, in flow style. */
  public static SupervisorConfig config(Path dir, Path executable, String agentKeys, String capabilities, String server)
      throws IOException {
    Path file = Files.writeString(Files.createTempFile(dir, "supervisor", ".yaml"), """
        server: %s
        capabilities: {%s}
        agent:
          executable: %s
        %s""".formatted(server, capabilities.isEmpty() ? "accepts_remote_config: true" : capabilities, executable,
        agentKeys.indent(2)));
    return new SupervisorConfigLoader(Map.<String, String>of()::get).load(file).config();
  }
}

package io.opampfleet.supervisor.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.opampfleet.proto.OpAMPConnectionSettings;
import io.opampfleet.supervisor.compose.ComposerFixture;
import io.opampfleet.supervisor.config.SupervisorConfig.Server;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An offer the supervisor took is where it connects after a restart, until supervisor.yaml points elsewhere. */
class ConnectionOfferTest {
  private static final OpAMPConnectionSettings MOVED = OpAMPConnectionSettings.newBuilder()
      .setDestinationEndpoint("wss://fleet-b.example:4320/v1/opamp").build();

  @TempDir Path dir;

  @Test
  void aKeptOfferIsUsedWhileTheConfiguredEndpointIsTheOneItWasTakenUnder() throws Exception {
    Server configured = server("wss://fleet-a.example:4320/v1/opamp");
    ConnectionOffer.keep(dir, MOVED, Optional.empty(), configured.endpoint());

    assertThat(ConnectionOffer.current(configured, dir).endpoint()).isEqualTo(URI.create(MOVED.getDestinationEndpoint()));
  }

  @Test
  void anOperatorWhoPointsTheSupervisorElsewhereIsFollowedAndTheOfferSetAside() throws Exception {
    ConnectionOffer.keep(dir, MOVED, Optional.empty(), URI.create("wss://fleet-a.example:4320/v1/opamp"));
    Server edited = server("wss://fleet-c.example:4320/v1/opamp");

    assertThat(ConnectionOffer.current(edited, dir).endpoint()).isEqualTo(edited.endpoint());
    assertThat(dir.resolve(ConnectionOffer.SETTINGS_FILE)).doesNotExist();
    assertThat(ConnectionOffer.current(edited, dir).endpoint()).as("and at the next start").isEqualTo(edited.endpoint());
  }

  private Server server(String endpoint) throws Exception {
    Files.writeString(dir.resolve("otelcol"), "");
    return ComposerFixture.config(dir, dir.resolve("otelcol"), "", "", "{endpoint: " + endpoint + "}").server();
  }
}

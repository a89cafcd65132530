package io.opampfleet.supervisor.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.opampfleet.supervisor.config.SupervisorConfig.Server;
import io.opampfleet.supervisor.config.SupervisorConfig.Tls;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsFilesTest {
  @TempDir
  Path storage;

  @Test
  void anOfferedCertificateHeldInlineIsWrittenOwnerOnlyAndFilesStayAsTheyAre() throws Exception {
    Tls tls = new Tls(false, false, "/pki/ca.crt", "", "", "CERT PEM", "", "KEY PEM", "", "", "", Duration.ZERO, false,
        Duration.ZERO);
    Server server = new Server(URI.create("wss://fleet:4320/v1/opamp"), Map.of(), tls, "");

    Tls files = TlsFiles.of(server, storage).tls();

    assertThat(files.caFile()).isEqualTo("/pki/ca.crt");
    assertThat(Path.of(files.certFile())).hasContent("CERT PEM").hasParent(storage);
    assertThat(Path.of(files.keyFile())).hasContent("KEY PEM");
    assertThat(Files.getPosixFilePermissions(Path.of(files.keyFile())))
        .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    assertThat(files.certPem()).isEmpty();
    assertThat(files.keyPem()).isEmpty();

    // A rotated certificate gets a file of its own, so the collector's config changes; the old one goes.
    Tls rotated = new Tls(false, false, "/pki/ca.crt", "", "", "NEW CERT", "", "NEW KEY", "", "", "", Duration.ZERO,
        false, Duration.ZERO);
    Tls next = TlsFiles.of(new Server(server.endpoint(), Map.of(), rotated, ""), storage).tls();
    assertThat(next.certFile()).isNotEqualTo(files.certFile());
    assertThat(Path.of(next.certFile())).hasContent("NEW CERT");
    assertThat(Path.of(files.certFile())).doesNotExist();
  }
}

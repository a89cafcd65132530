package io.opampfleet.server.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opampfleet.strictyaml.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerSettingsLoaderTest {
  @TempDir
  Path dir;

  private final ServerSettingsLoader loader = new ServerSettingsLoader(Map.of("DATA", "/var/lib/fleet")::get);

  @Test
  void withNoFileItServesOnLoopbackWithDataInDotData() {
    ServerSettings settings = loader.defaults();

    assertThat(settings.opamp().address().getPort()).isEqualTo(4320);
    assertThat(settings.opamp().loopback()).isTrue();
    assertThat(settings.admin().address().getPort()).isEqualTo(4321);
    assertThat(settings.storage().dataDir()).isEqualTo(Path.of("./data"));
    assertThat(settings.storage().jdbcUrl()).isEmpty();
    assertThat(settings.storage().replicaName()).matches("[A-Za-z0-9._-]+-[0-9a-f]{4}")
        .isNotEqualTo(loader.defaults().storage().replicaName());
    assertThat(settings.eventRetention()).isEqualTo(Duration.ofDays(7));
    assertThat(settings.logFormat()).isEqualTo("text");
  }

  @Test
  void theDefaultMessageLimitIsSizedToTheHeapWithinTheSpecificationsBound() {
    int mib = 1024 * 1024;
    assertThat(new ServerSettingsLoader(name -> null, 1024L * mib).defaults().opamp().limits().maxBytes())
        .isEqualTo(8 * mib);
    assertThat(new ServerSettingsLoader(name -> null, 64L * mib).defaults().opamp().limits().maxBytes())
        .isEqualTo(512 * 1024);
    assertThat(new ServerSettingsLoader(name -> null, 16L * mib).defaults().opamp().limits().maxBytes())
        .isEqualTo(256 * 1024);
    assertThat(new ServerSettingsLoader(name -> null, 32L * 1024 * mib).defaults().opamp().limits().maxBytes())
        .isEqualTo(64 * mib);
  }

  @Test
  void agentsSilentForThirtyDaysAreForgottenUnlessSetOtherwise() throws IOException {
    assertThat(loader.defaults().agents().forgetAfter()).isEqualTo(Duration.ofDays(30));
    assertThat(loader.load(file("agents:\n  forget_after: 48h\n")).agents().forgetAfter())
        .isEqualTo(Duration.ofHours(48));
    assertThatThrownBy(() -> loader.load(file("agents:\n  forget_after: 5m\n")))
        .hasMessageContaining("agents::forget_after").hasMessageContaining("must be at least 1h, not 5 minutes");
  }

  @Test
  void theCeilingOfAllAgentsReportedStateIsAQuarterOfTheHeapUnlessSet() throws IOException {
    long gib = 1024L * 1024 * 1024;
    assertThat(new ServerSettingsLoader(name -> null, gib).defaults().agents().maxReportedBytes())
        .isEqualTo(gib / 4);
    assertThat(new ServerSettingsLoader(name -> null, 16 * gib).load(file("agents:\n  max_reported_bytes: 8589934592\n"))
        .agents().maxReportedBytes()).isEqualTo(8 * gib);
    assertThatThrownBy(() -> loader.load(file("agents:\n  max_reported_bytes: 1000\n")))
        .hasMessageContaining("agents::max_reported_bytes").hasMessageContaining("must be between 1048576");
  }

  @Test
  void listenerLimitsAreSettingsAndEventStreamsBelongToTheAdminListener() throws IOException {
    ServerSettings settings = loader.load(file("opamp:\n  max_message_bytes: 2097152\n  max_connections: 500\n"
        + "admin:\n  max_body_bytes: 65536\n  max_connections_per_address: 4\n  request_timeout: 5s\n"
        + "  idle_timeout: 20s\n  max_event_streams: 3\n  max_package_bytes: 104857600\n"));

    assertThat(settings.opamp().limits().maxBytes()).isEqualTo(2097152);
    assertThat(settings.opamp().limits().maxConnections()).isEqualTo(500);
    assertThat(settings.admin().limits()).isEqualTo(new ServerSettings.Limits(65536, 104857600, 1000, 4,
        Duration.ofSeconds(5), Duration.ofSeconds(20), 3, 0));
    assertThatThrownBy(() -> loader.load(file("opamp:\n  max_event_streams: 3\n")))
        .hasMessageContaining("opamp::max_event_streams: unknown key");
    assertThatThrownBy(() -> loader.load(file("opamp:\n  max_package_bytes: 3\n")))
        .hasMessageContaining("opamp::max_package_bytes: unknown key");
    // Package files: a quarter of the heap, 512 MiB at most.
    int mib = 1024 * 1024;
    assertThat(new ServerSettingsLoader(name -> null, 1024L * mib).defaults().admin().limits().maxPackageBytes())
        .isEqualTo(256 * mib);
    assertThat(new ServerSettingsLoader(name -> null, 8192L * mib).defaults().admin().limits().maxPackageBytes())
        .isEqualTo(512 * mib);
    assertThatThrownBy(() -> loader.load(file("admin:\n  max_connections: 0\n")))
        .hasMessageContaining("admin::max_connections: must be between 1 and");
  }

  @Test
  void whereAgentsPresentCertificatesEachMustNameItsUidUnlessTurnedOff() throws IOException {
    String mutualTls = "opamp:\n  tls: {cert_file: s.crt, key_file: s.key, client_ca_file: ca.crt}\n";
    String balancer = "opamp:\n  insecure: true\n  balancers: {addresses: [10.0.0.0/8], client_certificate_header:"
        + " X-SSL-Client-Cert}\n";

    assertThat(loader.load(file(mutualTls)).agents().requireUidInCertificate()).isTrue();
    assertThat(loader.load(file(balancer)).agents().requireUidInCertificate()).isTrue();
    assertThat(loader.load(file(mutualTls + "agents: {require_uid_in_certificate: false}\n")).agents()
        .requireUidInCertificate()).isFalse();
    assertThat(loader.defaults().agents().requireUidInCertificate()).isFalse();
  }

  @Test
  void theKeysWhoseValuesOnlyAdminsReadAreRegularExpressions() throws IOException {
    assertThat(loader.defaults().secretKeys()).containsExactly(ServerSettings.DEFAULT_SECRET_KEYS);
    assertThat(loader.load(file("redaction:\n  secret_keys: ['(?i)dsn', '.*_pass']\n")).secretKeys())
        .containsExactly("(?i)dsn", ".*_pass");
    assertThatThrownBy(() -> loader.load(file("redaction:\n  secret_keys: ['(token']\n")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("redaction::secret_keys")
        .hasMessageContaining("'(token' is not a regular expression");
  }

  @Test
  void ownTelemetryGoesToTheServerByDefaultOrToTheOperatorsEndpointsAndABadUrlIsNamed() throws IOException {
    ServerSettings.OwnTelemetry defaults = loader.defaults().ownTelemetry();
    assertThat(defaults.toServer()).isTrue();
    assertThat(defaults.external()).isEmpty();
    assertThat(defaults.window()).isEqualTo(java.time.Duration.ofHours(1));
    assertThat(defaults.samples()).isEqualTo(60);

    ServerSettings.OwnTelemetry external = loader.load(file("own_telemetry:\n  to_server: false\n  external:\n"
        + "    endpoint: https://otel.example:4318/v1/metrics\n    logs_endpoint: https://otel.example:4318/v1/logs\n"
        + "    headers: {X-Api-Key: k}\n  window: 30m\n  samples: 30\n")).ownTelemetry();
    assertThat(external.offered()).isTrue();
    assertThat(external.external().orElseThrow().logsEndpoint()).hasValue(
        java.net.URI.create("https://otel.example:4318/v1/logs"));
    assertThat(external.external().get().tracesEndpoint()).isEmpty();
    assertThat(external.external().get().headers()).containsEntry("X-Api-Key", "k");
    assertThat(loader.load(file("own_telemetry: {to_server: false}\n")).ownTelemetry().offered()).isFalse();
    assertThatThrownBy(() -> loader.load(file("own_telemetry:\n  external: {endpoint: 'otel:4318'}\n")))
        .hasMessageContaining("own_telemetry::external::endpoint").hasMessageContaining("not an http or https URL");
    assertThatThrownBy(() -> loader.load(file("own_telemetry: {samples: 1}\n")))
        .hasMessageContaining("own_telemetry::samples");
    // A request over the agents' listener's limit would be refused there, before its endpoint counts it.
    assertThatThrownBy(() -> loader.load(file("opamp:\n  max_message_bytes: 65536\n"
        + "own_telemetry: {max_request_bytes: 131072}\n")))
        .hasMessageContaining("own_telemetry::max_request_bytes").hasMessageContaining("opamp::max_message_bytes (65536)");
    assertThat(loader.load(file("opamp:\n  max_message_bytes: 65536\n")).ownTelemetry().maxRequestBytes())
        .isEqualTo(65536);
  }

  @Test
  void environmentVariablesAreExpanded() throws IOException {
    ServerSettings settings = loader.load(file("storage:\n  data_dir: ${DATA}/h2\nevents:\n  retention: 36h\n"
        + "audit:\n  retention: 720h\n"));

    assertThat(settings.storage().dataDir()).isEqualTo(Path.of("/var/lib/fleet/h2"));
    assertThat(settings.eventRetention()).isEqualTo(Duration.ofHours(36));
    assertThat(settings.auditRetention()).isEqualTo(Duration.ofDays(30));
    assertThat(loader.defaults().auditRetention()).isEqualTo(Duration.ofDays(365));
  }

  @Test
  void anUnknownKeyIsNamedWithItsPath() throws IOException {
    Path file = file("opamp:\n  listen: 127.0.0.1:4320\n  lisen: 0.0.0.0:1\n");

    assertThatThrownBy(() -> loader.load(file)).isInstanceOf(ConfigException.class)
        .hasMessage(file + ": opamp::lisen: unknown key; the keys here are balancers, idle_timeout, insecure, listen, "
            + "max_connections, max_connections_per_address, max_message_bytes, max_new_connections_per_second, "
            + "request_timeout, tls");
  }

  @Test
  void aListenerReachableFromOtherMachinesNeedsTlsOrInsecure() throws IOException {
    Path open = file("opamp:\n  listen: 0.0.0.0:4320\n");
    assertThatThrownBy(() -> loader.load(open)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("opamp::listen: 0.0.0.0:4320 is reachable from other machines but has no tls");

    ServerSettings insecure = loader.load(file("opamp:\n  listen: 0.0.0.0:4320\n  insecure: true\n"));
    assertThat(insecure.opamp().insecure()).isTrue();
  }

  @Test
  void tokensNeedARoleAndAHash() throws IOException {
    Path badRole = file("auth:\n  tokens:\n    - name: ci\n      role: root\n      sha256: " + "a".repeat(64) + "\n");
    assertThatThrownBy(() -> loader.load(badRole)).hasMessageContaining("role: 'root' is not viewer, operator or admin");

    Path badHash = file("auth:\n  tokens:\n    - name: ci\n      role: viewer\n      sha256: abc\n");
    assertThatThrownBy(() -> loader.load(badHash)).hasMessageContaining("sha256: must be the 64 hex digits");
  }

  @Test
  void onlyPostgresqlUrlsAreAccepted() throws IOException {
    Path file = file("storage:\n  jdbc_url: jdbc:mysql://db/fleet\n");

    assertThatThrownBy(() -> loader.load(file)).hasMessageContaining("storage::jdbc_url")
        .hasMessageContaining("is not a PostgreSQL URL");
  }

  @Test
  void aReplicaNameIsShortPlainText() throws IOException {
    assertThat(loader.load(file("storage:\n  replica_name: eu-1.a\n")).storage().replicaName()).isEqualTo("eu-1.a");
    Path file = file("storage:\n  replica_name: 'a b'\n");

    assertThatThrownBy(() -> loader.load(file)).hasMessageContaining("storage::replica_name: 'a b' is not 1 to 64");
  }

  @Test
  void balancersAreNamedByAddressBeforeTheirHeadersAreTaken() throws IOException {
    ServerSettings behind = loader.load(file("opamp:\n  balancers:\n    addresses: [10.0.0.0/8, 192.0.2.7]\n"
        + "    proxy_protocol: true\n    client_certificate_header: X-SSL-Client-Cert\n"));
    assertThat(behind.opamp().balancers().addresses()).containsExactly("10.0.0.0/8", "192.0.2.7");
    assertThat(behind.opamp().balancers().proxyProtocol()).isTrue();
    assertThat(behind.opamp().balancers().clientCertificateHeader()).isEqualTo("X-SSL-Client-Cert");

    Path nameless = file("opamp:\n  balancers:\n    proxy_protocol: true\n");
    assertThatThrownBy(() -> loader.load(nameless)).hasMessageContaining("opamp::balancers::addresses: name the");
    Path badRange = file("opamp:\n  balancers:\n    addresses: [lb.example.com]\n");
    assertThatThrownBy(() -> loader.load(badRange)).hasMessageContaining("'lb.example.com' is not an address range");
  }

  @Test
  void invalidYamlIsReportedWithItsPosition() throws IOException {
    Path file = file("opamp:\n  listen: [127.0.0.1\n");

    assertThatThrownBy(() -> loader.load(file)).hasMessageStartingWith(file + ": not valid YAML at line ");
  }

  private Path file(String yaml) throws IOException {
    Path file = dir.resolve("server.yaml");
    Files.writeString(file, yaml);
    return file;
  }
}

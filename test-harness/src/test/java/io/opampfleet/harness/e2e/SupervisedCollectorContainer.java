package io.opampfleet.harness.e2e;

import static org.awaitility.Awaitility.await;

import io.opampfleet.certs.CertifiedKey;
import io.opampfleet.certs.Pem;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * A supervisor running the real collector, in its own container, connected to the fleet server
 * over mutual TLS with a certificate naming its instance uid. Ready once the supervisor's own
 * {@code /health} answers 200 (it has its state and a config to run). The container stays up when
 * the supervisor is killed, so what it left running can be looked for.
 */
public final class SupervisedCollectorContainer extends GenericContainer<SupervisedCollectorContainer> {
  /** The OTLP/HTTP port the tests' collector configs open. */
  public static final int OTLP_HTTP_PORT = 4318;
  /** The supervisor's own health endpoint: a port a collector config cannot take. */
  public static final int SUPERVISOR_HEALTH_PORT = 13180;
  static final String COLLECTOR = "otelcol-fleet";
  private static final String CONFIG = "/etc/fleet/supervisor.yaml";

  private final FleetServerContainer server;
  private final FleetPki pki;
  private final UUID instanceUid;
  private final CertifiedKey certificate;
  private final Map<String, String> attributes = new LinkedHashMap<>();
  private String rotateBefore = "";

  public SupervisedCollectorContainer(FleetServerContainer server, FleetPki pki, UUID instanceUid) {
    super(DockerImageName.parse(FleetImages.supervisor()));
    this.server = server;
    this.pki = pki;
    this.instanceUid = instanceUid;
    this.certificate = pki.client(instanceUid.toString());
    withImagePullPolicy(name -> false);
    withExposedPorts(OTLP_HTTP_PORT, SUPERVISOR_HEALTH_PORT);
    waitingFor(Wait.forHttp("/health").forPort(SUPERVISOR_HEALTH_PORT).forStatusCode(200)
        .withStartupTimeout(Duration.ofMinutes(2)));
  }

  /** An identifying attribute of the agent (labels for selectors). */
  public SupervisedCollectorContainer withAttribute(String name, String value) {
    attributes.put(name, value);
    return this;
  }

  /** Makes the supervisor ask the server for a new certificate (by CSR) when its own ends within this. */
  public SupervisedCollectorContainer withRotateBefore(String goDuration) {
    this.rotateBefore = goDuration;
    return this;
  }

  @Override
  protected void configure() {
    withCopyToContainer(Transferable.of(pki.caPem()), "/etc/fleet/pki/ca.crt");
    withCopyToContainer(Transferable.of(Pem.encode((Object[]) certificate.chainArray())), "/etc/fleet/pki/agent.crt");
    withCopyToContainer(Transferable.of(Pem.encode(certificate.privateKey()).getBytes(StandardCharsets.US_ASCII), 0600),
        "/etc/fleet/pki/agent.key");
    withCopyToContainer(Transferable.of(supervisorYaml()), CONFIG);
  }

  private String supervisorYaml() {
    String attributeLines = attributes.entrySet().stream()
        .map(e -> "      " + e.getKey() + ": " + e.getValue()).collect(Collectors.joining("\n"));
    return """
        server:
          endpoint: %s
          tls:
            ca_file: /etc/fleet/pki/ca.crt
            cert_file: /etc/fleet/pki/agent.crt
            key_file: /etc/fleet/pki/agent.key%s
        capabilities:
          accepts_remote_config: true
          reports_remote_config: true
          reports_effective_config: true
          reports_health: true
          accepts_restart_command: true
          accepts_opamp_connection_settings: true
          reports_own_metrics: true
        storage:
          directory: /var/lib/supervisor
        healthcheck:
          endpoint: 0.0.0.0:%d
        agent:
          executable: /usr/local/bin/%s
          instance_id: %s
          bootstrap_timeout: 20s
          config_apply_timeout: 15s
          collector_crash_log_snippet_kib: 2
          description:
            identifying_attributes:
        %s
        """.formatted(server.opampEndpoint(), rotateBefore.isEmpty() ? "" : "\n    rotate_before: " + rotateBefore,
        SUPERVISOR_HEALTH_PORT, COLLECTOR, instanceUid, attributeLines);
  }

  public UUID instanceUid() {
    return instanceUid;
  }

  /** The client certificate it started with. */
  public CertifiedKey initialCertificate() {
    return certificate;
  }

  /** Where a test on this machine sends OTLP/HTTP to the collector, when its config opens that port. */
  public URI otlpHttpUrl() {
    return URI.create("http://" + getHost() + ":" + MappedPort.now(this, OTLP_HTTP_PORT));
  }

  /** The process ids of the collectors running (not zombies) in the container. */
  public List<Long> collectorPids() {
    return pidsNamed(COLLECTOR);
  }

  /** The supervisor's process id (its JVM). */
  public long supervisorPid() {
    List<Long> java = pidsNamed("java");
    if (java.size() != 1) {
      throw new IllegalStateException("expected one supervisor JVM, found " + java);
    }
    return java.get(0);
  }

  /** Sends a signal (KILL, TERM...) to a process in the container. */
  public void signal(long pid, String signal) {
    ExecResult result = exec("kill", "-" + signal, Long.toString(pid));
    if (result.getExitCode() != 0) {
      throw new IllegalStateException("kill -" + signal + " " + pid + ": " + result.getStderr());
    }
  }

  /** The file's text in the container, or "" when it is not there. */
  public String read(String path) {
    ExecResult result = exec("sh", "-c", "cat " + path + " 2>/dev/null || true");
    return result.getStdout();
  }

  /** Cuts the container off the network, as a pulled cable does: no reset, packets just go nowhere. */
  public void disconnectFrom(Network network) {
    getDockerClient().disconnectFromNetworkCmd().withContainerId(getContainerId())
        .withNetworkId(network.getId()).exec();
  }

  public void reconnectTo(Network network) {
    getDockerClient().connectToNetworkCmd().withContainerId(getContainerId()).withNetworkId(network.getId()).exec();
  }

  /** Restarts the whole container (its supervisor stopped by SIGTERM) with the current settings. */
  public void restartWithCurrentSettings() {
    copyFileToContainer(Transferable.of(supervisorYaml()), CONFIG);
    getDockerClient().restartContainerCmd(getContainerId()).withTimeout(30).exec();
    URI health = URI.create("http://" + getHost() + ":" + MappedPort.now(this, SUPERVISOR_HEALTH_PORT) + "/health");
    await("the supervisor's /health after a restart").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(300))
        .until(() -> PlainHttp.status(health) == 200);
  }

  private List<Long> pidsNamed(String name) {
    // No ps in the image: /proc says each process's name and state (Z: a zombie, not running).
    ExecResult result = exec("sh", "-c",
        "for s in /proc/[0-9]*/stat; do cat \"$s\" 2>/dev/null; echo; done");
    return Arrays.stream(result.getStdout().split("\n"))
        .map(String::trim)
        .filter(line -> line.contains("(" + name + ")") && !line.contains(") Z "))
        .map(line -> Long.parseLong(line.substring(0, line.indexOf(' '))))
        .toList();
  }

  private ExecResult exec(String... command) {
    try {
      return execInContainer(command);
    } catch (IOException e) {
      throw new IllegalStateException("docker exec " + String.join(" ", command) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}

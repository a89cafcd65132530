package io.opampfleet.harness.e2e;

import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import io.opampfleet.peers.PostgresContainer;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.internal.configs.ConfigVersion;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * The fleet server in a container: OpAMP over mutual TLS for agents on the container network, the
 * admin API over TLS, a token of the admin role made for this run, and its data on a named volume
 * that outlives the container. Ready once the admin API answers that token.
 */
public final class FleetServerContainer extends GenericContainer<FleetServerContainer> {
  /** The server's name on the container network, in its certificate too. */
  public static final String ALIAS = "fleet-server";
  static final int OPAMP_PORT = 4320;
  static final int ADMIN_PORT = 4321;
  private static final Duration READY_WITHIN = Duration.ofMinutes(2);

  private final FleetPki pki;
  private final String adminToken = token();
  private String volume;
  private String jdbcUrl;
  private String replicaName;
  private String balancer;
  private String certificateHeader;
  private AdminClient admin;

  public FleetServerContainer(FleetPki pki) {
    super(DockerImageName.parse(FleetImages.server()));
    this.pki = pki;
    withImagePullPolicy(name -> false);
    withNetworkAliases(ALIAS);
    withExposedPorts(OPAMP_PORT, ADMIN_PORT);
    waitingFor(Wait.forHttps("/api/v1/whoami").forPort(ADMIN_PORT).allowInsecure()
        .withHeader("Authorization", "Bearer " + adminToken).forStatusCode(200).withStartupTimeout(READY_WITHIN));
  }

  private static String token() {
    byte[] token = new byte[16];
    new SecureRandom().nextBytes(token);
    return HexFormat.of().formatHex(token);
  }

  /** Keeps the store (and hosted packages) on this docker volume, made when missing. */
  public FleetServerContainer withDataVolume(String name) {
    this.volume = name;
    return withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withBinds(new Bind(name, new Volume("/data"))));
  }

  /**
   * Keeps the store in this PostgreSQL instead of the embedded one: it joins this server's network
   * (set the network first) under {@code alias}, and starts before the server.
   */
  public FleetServerContainer withPostgres(PostgresContainer postgres, String alias) {
    postgres.withNetwork(getNetwork()).withNetworkAliases(alias);
    this.jdbcUrl = "jdbc:postgresql://" + alias + ":5432/fleet";
    dependsOn(postgres);
    return withEnv("FLEET_DB_PASSWORD", postgres.password());
  }

  /**
   * One of several servers sharing the store, behind a balancer: named {@code name}, reached on the
   * network as {@code fleet-server-<name>} (agents reach the balancer as {@link #ALIAS}), taking PROXY
   * headers from the balancer's address only.
   */
  public FleetServerContainer asReplica(String name, String balancerAddress) {
    this.replicaName = name;
    this.balancer = balancerAddress;
    setNetworkAliases(new ArrayList<>(List.of(ALIAS + "-" + name)));
    return this;
  }

  /**
   * TLS ends at the balancer: the OpAMP listener speaks clear text and takes each agent's
   * certificate from this header, sent by the balancer's address only.
   */
  public FleetServerContainer withCertificateFromBalancer(String header) {
    this.certificateHeader = header;
    return this;
  }

  /** SIGKILL: no shutdown, no lease ended, no rollout let go. */
  public void kill() {
    getDockerClient().killContainerCmd(getContainerId()).exec();
  }

  @Override
  protected void configure() {
    withCopyToContainer(Transferable.of(pki.caPem()), "/etc/fleet/pki/ca.crt");
    withCopyToContainer(Transferable.of(pki.caKeyPem().getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0600), "/etc/fleet/pki/ca.key");
    withCopyToContainer(Transferable.of(pki.serverCertPem()), "/etc/fleet/pki/server.crt");
    withCopyToContainer(Transferable.of(pki.serverKeyPem().getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0600), "/etc/fleet/pki/server.key");
    withCopyToContainer(Transferable.of(serverYaml()), "/etc/fleet/server.yaml");
  }

  private String serverYaml() {
    String store = jdbcUrl == null ? "" : """
          jdbc_url: %s
          username: fleet
          password: ${FLEET_DB_PASSWORD}
        """.formatted(jdbcUrl);
    String replica = replicaName == null ? "" : """
          replica_name: %s
        """.formatted(replicaName);
    String balancers = balancer == null ? "" : """
          balancers: {addresses: [%s/32], proxy_protocol: true%s}
        """.formatted(balancer, certificateHeader == null ? "" : ", client_certificate_header: " + certificateHeader);
    String tls = certificateHeader == null
        ? "tls: {cert_file: /etc/fleet/pki/server.crt, key_file: /etc/fleet/pki/server.key, client_ca_file: /etc/fleet/pki/ca.crt}"
        : "insecure: true";
    return """
        opamp:
          listen: 0.0.0.0:%d
          %s
        %sadmin:
          listen: 0.0.0.0:%d
          tls: {cert_file: /etc/fleet/pki/server.crt, key_file: /etc/fleet/pki/server.key}
        agents:
          require_uid_in_certificate: true
          endpoint: %s
        auth:
          tokens:
            - {name: e2e, role: admin, sha256: %s}
        storage:
          data_dir: /data
        %s%ssigning:
          ca_cert_file: /etc/fleet/pki/ca.crt
          ca_key_file: /etc/fleet/pki/ca.key
          validity: %s
        """.formatted(OPAMP_PORT, tls, balancers, ADMIN_PORT, opampEndpoint(), ConfigVersion.sha256(adminToken), store,
        replica, FleetPki.SIGNED_VALIDITY);
  }

  /** Where agents on the container network connect. */
  public URI opampEndpoint() {
    return URI.create("wss://" + ALIAS + ":" + OPAMP_PORT + "/v1/opamp");
  }

  /** Where a test on this machine connects as an agent, through the mapped port. */
  public URI opampEndpointFromHost() {
    return URI.create("wss://localhost:" + MappedPort.now(this, OPAMP_PORT) + "/v1/opamp");
  }

  public URI adminUrl() {
    // IPv4, where the mapped port is: the engine may map IPv6 to another host port, and a browser tries
    // localhost's ::1 first (it reached a mutual-TLS listener there and failed its handshake).
    return URI.create("https://127.0.0.1:" + MappedPort.now(this, ADMIN_PORT));
  }

  public String adminToken() {
    return adminToken;
  }

  /** The admin API with this run's admin token, at the port mapped now. */
  public synchronized AdminClient admin() {
    if (admin == null) {
      admin = new AdminClient(adminUrl(), adminToken, pki.trust());
    }
    return admin;
  }

  /**
   * Stops the server as an operator would (SIGTERM), starts the same container again on the same
   * volume, and waits until its admin API answers.
   */
  public void restart() {
    getDockerClient().restartContainerCmd(getContainerId()).withTimeout(30).exec();
    synchronized (this) {
      admin = null;
    }
    await("the server back after its restart").atMost(READY_WITHIN).pollInterval(Duration.ofMillis(500))
        .ignoreExceptions().until(() -> admin().get("/api/v1/whoami").status() == 200);
  }

  @Override
  public void stop() {
    super.stop();
    if (volume != null) {
      getDockerClient().removeVolumeCmd(volume).exec();
    }
  }
}

package io.opampfleet.supervisor.upstream;

import com.google.protobuf.ByteString;
import io.opampfleet.netty.InstanceUid;
import io.opampfleet.netty.client.ClientCallbacks;
import io.opampfleet.netty.client.OpampClient;
import io.opampfleet.proto.ConnectionSettingsRequest;
import io.opampfleet.proto.ConnectionSettingsStatus;
import io.opampfleet.proto.ConnectionSettingsStatuses;
import io.opampfleet.proto.OpAMPConnectionSettings;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.strictyaml.ConfigException;
import io.opampfleet.strictyaml.GoDuration;
import io.opampfleet.supervisor.config.SupervisorConfig.Server;
import io.opampfleet.supervisor.config.SupervisorConfig;
import io.opampfleet.supervisor.loop.LoopStep;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The supervisor's session with its OpAMP server: the client on the settings in use, OpAMP
 * connection settings the server offers tried without stopping the rest (kept when they connect,
 * left when their time is up first), and certificate rotation by request when the certificate in
 * use nears its end. The server's other messages go to the {@link Listener}.
 */
public final class UpstreamSession {
  private static final Logger log = LoggerFactory.getLogger(UpstreamSession.class);
  /** How long offered connection settings have to connect before the old ones come back. */
  private static final Duration CONNECTION_TRIAL = Duration.ofSeconds(30);

  /** What the supervisor does with the session's news; called on the client's callback executor. */
  public interface Listener {
    /** Connected (again): the first connection ends the startup fallback. */
    void connected();

    /** A message from the server; OpAMP connection settings in it are the session's own business. */
    void message(ServerToAgent message);

    /** Offered settings connected and are kept: what depends on the server's settings may change (on the loop). */
    void settingsKept(Server now) throws Exception;
  }

  private record Offer(OpAMPConnectionSettings offer, ByteString hash) {}

  /** Offered settings being tried: kept when they connect, left when their time is up first. */
  private record Trial(Server next, OpAMPConnectionSettings offer, ByteString hash, OpampClient candidate) {}

  private final SupervisorConfig config;
  /** The agent's uid: the server may give it a new one (agent_identification), which clients made later use. */
  private volatile UUID instanceUid;
  private final Path storage;
  private final Reported reported;
  private final ScheduledExecutorService loop;
  private final Executor callbacks;
  private final Listener listener;
  private final CertificateRotation rotation;
  private final OpampClient first;
  private final Duration trialTime;
  private volatile Server server;
  /**
   * The last offer taken in hand: refused (it would be again), being tried or kept; null after a trial
   * failed, as the same settings may connect the next time. On the loop only.
   */
  private Offer lastOffer;
  /** The trial under way, if any; read and written on the loop only. */
  private Trial trial;
  /** The check due when the certificate in use enters its rotation window, on a connection that lasts. */
  private ScheduledFuture<?> rotationCheck;

  /**
   * Makes the client for {@code server} (its TLS settings are checked here), to be started by
   * {@link #start}.
   */
  public UpstreamSession(SupervisorConfig config, UUID instanceUid, Path storage, Server server, Reported reported,
      ScheduledExecutorService loop, Executor callbacks, Listener listener) {
    this(config, instanceUid, storage, server, reported, loop, callbacks, listener, CONNECTION_TRIAL);
  }

  /** {@code trialTime}: how long offered settings have to connect (tests wait less than a supervisor). */
  UpstreamSession(SupervisorConfig config, UUID instanceUid, Path storage, Server server, Reported reported,
      ScheduledExecutorService loop, Executor callbacks, Listener listener, Duration trialTime) {
    this.trialTime = trialTime;
    this.config = config;
    this.instanceUid = instanceUid;
    this.storage = storage;
    this.server = server;
    this.reported = reported;
    this.loop = loop;
    this.callbacks = callbacks;
    this.listener = listener;
    this.rotation = config.capabilities().acceptsOpampConnectionSettings() && !server.tls().rotateBefore().isZero()
        ? new CertificateRotation(server.tls().rotateBefore()) : null;
    this.first = client(server, () -> { });
  }

  /** Reports go through this session's client from now on, and it connects. */
  public void start() {
    reported.switchTo(first);
    first.start();
  }

  /** The settings in use. */
  public Server server() {
    return server;
  }

  /**
   * New OpAMP connection settings from the server: tried, then kept. The supervisor connects with
   * them; when that works within the wait it keeps them (in the storage directory too), otherwise
   * it goes back to the settings it had. The loop goes on meanwhile, and a newer offer replaces a
   * trial under way. Runs on the loop.
   */
  public void offered(OpAMPConnectionSettings offer, ByteString hash) {
    // The server may send the settings again with each message: those refused, being tried or kept are
    // not taken again (the spec has it send them when the hash the agent reports differs).
    if (lastOffer != null && !hash.isEmpty() && hash.equals(lastOffer.hash()) && offer.equals(lastOffer.offer())) {
      log.debug("the offered connection settings are those in hand; nothing to do");
      return;
    }
    lastOffer = new Offer(offer, hash);
    Server next;
    try {
      next = ConnectionOffer.apply(server, offer, rotation == null ? null : rotation.requestKeyPem().orElse(null));
    } catch (IllegalArgumentException | ConfigException e) {
      status(hash, ConnectionSettingsStatuses.ConnectionSettingsStatuses_FAILED,
          "refused the offered connection settings: " + e.getMessage());
      return;
    }
    status(hash, ConnectionSettingsStatuses.ConnectionSettingsStatuses_APPLYING, "");
    if (rotation != null) {
      rotation.obtained(next.tls());
    }
    Trial[] started = new Trial[1];
    OpampClient candidate;
    try {
      candidate = client(next, () -> loop.execute(LoopStep.guarded(() -> trialConnected(started[0]))));
    } catch (IllegalArgumentException | ConfigException e) {
      // An endpoint the client cannot take (not ws, wss, http or https, or no host) included.
      status(hash, ConnectionSettingsStatuses.ConnectionSettingsStatuses_FAILED,
          "refused the offered connection settings: " + e.getMessage());
      return;
    }
    stopQuietly(reported.client());
    reported.switchTo(candidate);
    started[0] = new Trial(next, offer, hash, candidate);
    trial = started[0];
    candidate.start();
    loop.schedule(LoopStep.guarded(() -> trialTimedOut(started[0])), trialTime.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Says goodbye to the server, waiting a few seconds at most. */
  public void close() {
    if (reported.client() != null) {
      stopQuietly(reported.client());
    }
  }

  private OpampClient client(Server settings, Runnable connected) {
    Map<String, String> headers = new LinkedHashMap<>();
    settings.headers().forEach((name, values) -> headers.put(name, String.join(", ", values)));
    OpampClient.Builder builder = OpampClient.builder()
        .endpoint(settings.endpoint())
        .instanceUid(InstanceUid.bytes(instanceUid))
        .capabilities(config.capabilities().bits())
        .headers(() -> headers)
        .callbackExecutor(callbacks)
        .callbacks(new ClientCallbacks() {
          @Override
          public void onConnect() {
            connected.run();
            listener.connected();
            if (rotation != null) {
              checkRotation(settings);
            }
          }

          @Override
          public void onMessage(ServerToAgent message) {
            InstanceUid.uuid(message.getAgentIdentification().getNewInstanceUid()).ifPresent(uid -> instanceUid = uid);
            listener.message(message);
            if (message.hasConnectionSettings() && message.getConnectionSettings().hasOpamp()
                && config.capabilities().acceptsOpampConnectionSettings()) {
              loop.execute(LoopStep.guarded(() -> offered(message.getConnectionSettings().getOpamp(),
                  message.getConnectionSettings().getHash())));
            }
          }
        });
    String scheme = settings.endpoint().getScheme();
    if (scheme.equals("wss") || scheme.equals("https")) {
      builder.tls(UpstreamTls.context(settings.tls()));
    }
    return builder.build();
  }

  private void trialConnected(Trial connected) throws Exception {
    if (connected != trial) {
      return;
    }
    trial = null;
    server = connected.next();
    ConnectionOffer.keep(storage, connected.offer(), rotation == null ? Optional.empty() : rotation.requestKeyPem(),
        config.server().endpoint());
    log.info("connected with the offered settings to {}{}", server.endpoint(),
        connected.offer().hasCertificate() ? " and a new client certificate" : "");
    status(connected.hash(), ConnectionSettingsStatuses.ConnectionSettingsStatuses_APPLIED, "");
    listener.settingsKept(server);
  }

  private void trialTimedOut(Trial expired) {
    if (expired != trial) {
      return;
    }
    trial = null;
    lastOffer = null;
    log.warn("the offered settings did not connect to {} within {}; back to {}", expired.next().endpoint(),
        GoDuration.format(trialTime), server.endpoint());
    status(expired.hash(), ConnectionSettingsStatuses.ConnectionSettingsStatuses_FAILED, "the offered settings"
        + " did not connect to " + expired.next().endpoint() + " within " + GoDuration.format(trialTime)
        + "; back to " + server.endpoint());
    stopQuietly(expired.candidate());
    OpampClient restored = client(server, () -> { });
    reported.switchTo(restored);
    restored.start();
  }

  /**
   * Asks for a new certificate when the one in use ends within rotate_before; otherwise checks
   * again when it will, since a connection can outlast the time left.
   */
  private synchronized void checkRotation(Server settings) {
    if (rotationCheck != null) {
      rotationCheck.cancel(false);
    }
    Instant now = Instant.now();
    Optional<ConnectionSettingsRequest> request = rotation.due(settings.tls(), instanceUid.toString(), now);
    if (request.isPresent()) {
      log.info("asking the server for a new client certificate: the current one ends within {}",
          settings.tls().rotateBefore());
      reported.client().requestConnectionSettings(request.get());
      return;
    }
    rotation.windowOpensIn(settings.tls(), now).ifPresent(wait -> rotationCheck = loop.schedule(
        LoopStep.guarded(() -> checkRotation(settings)), wait.toMillis() + 1, TimeUnit.MILLISECONDS));
  }

  private void status(ByteString hash, ConnectionSettingsStatuses status, String error) {
    if (!error.isEmpty()) {
      log.warn("{}", error);
    }
    reported.connectionSettingsStatus(ConnectionSettingsStatus.newBuilder().setLastConnectionSettingsHash(hash)
        .setStatus(status).setErrorMessage(error).build());
  }

  private static void stopQuietly(OpampClient client) {
    client.stop().orTimeout(5, TimeUnit.SECONDS).exceptionally(failure -> null).join();
  }
}

package io.opampfleet.netty.client;

import io.opampfleet.netty.Backoff;
import com.google.protobuf.ByteString;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import io.opampfleet.netty.client.internal.ClientContext;
import io.opampfleet.netty.client.internal.ClientState;
import io.opampfleet.netty.client.internal.HttpTransport;
import io.opampfleet.netty.client.internal.SerialExecutor;
import io.opampfleet.netty.client.internal.TransportBase;
import io.opampfleet.netty.client.internal.WebSocketTransport;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.ConnectionSettingsRequest;
import io.opampfleet.proto.ConnectionSettingsStatus;
import io.opampfleet.proto.CustomCapabilities;
import io.opampfleet.proto.CustomMessage;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.proto.PackageStatuses;
import io.opampfleet.proto.RemoteConfigStatus;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * An OpAMP client (the agent's side) over WebSocket ({@code ws}, {@code wss}) or HTTP polling
 * ({@code http}, {@code https}). The agent sets its status parts; the client sends what changed,
 * everything when the server asks, heartbeats, and reconnects with backoff. Many clients can share
 * one event loop group, and each keeps little state.
 *
 * <pre>{@code
 * OpampClient client = OpampClient.builder()
 *     .endpoint(URI.create("wss://opamp.example:4320/v1/opamp"))
 *     .tls(TlsContexts.preferred().mutualTlsClient(agentKey, caCertificate))
 *     .instanceUid(uid)
 *     .callbacks(callbacks)
 *     .build();
 * client.setAgentDescription(description);
 * client.start();
 * }</pre>
 */
public final class OpampClient {
  private final ClientState state;
  private final TransportBase transport;
  private final EventLoopGroup ownedGroup;
  private volatile boolean stopped;

  private OpampClient(ClientState state, TransportBase transport, EventLoopGroup ownedGroup) {
    this.state = state;
    this.transport = transport;
    this.ownedGroup = ownedGroup;
  }

  public static Builder builder() {
    return new Builder();
  }

  public void start() {
    transport.start();
  }

  /** Says goodbye with agent_disconnect and closes; completes when the connection is closed. */
  public CompletableFuture<Void> stop() {
    this.stopped = true;
    CompletableFuture<Void> stopped = transport.stop();
    if (ownedGroup == null) {
      return stopped;
    }
    return stopped.whenComplete((ok, failure) -> ownedGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS));
  }

  public ByteString instanceUid() {
    return state.instanceUid();
  }

  public void setAgentDescription(AgentDescription description) {
    set(AgentToServer.AGENT_DESCRIPTION_FIELD_NUMBER, description);
  }

  public void setHealth(ComponentHealth health) {
    set(AgentToServer.HEALTH_FIELD_NUMBER, health);
  }

  public void setEffectiveConfig(EffectiveConfig config) {
    set(AgentToServer.EFFECTIVE_CONFIG_FIELD_NUMBER, config);
  }

  public void setRemoteConfigStatus(RemoteConfigStatus status) {
    set(AgentToServer.REMOTE_CONFIG_STATUS_FIELD_NUMBER, status);
  }

  public void setPackageStatuses(PackageStatuses statuses) {
    set(AgentToServer.PACKAGE_STATUSES_FIELD_NUMBER, statuses);
  }

  public void setCustomCapabilities(CustomCapabilities capabilities) {
    set(AgentToServer.CUSTOM_CAPABILITIES_FIELD_NUMBER, capabilities);
  }

  public void setAvailableComponents(AvailableComponents components) {
    set(AgentToServer.AVAILABLE_COMPONENTS_FIELD_NUMBER, components);
  }

  public void setConnectionSettingsStatus(ConnectionSettingsStatus status) {
    set(AgentToServer.CONNECTION_SETTINGS_STATUS_FIELD_NUMBER, status);
  }

  public void setCapabilities(long capabilities) {
    state.setCapabilities(capabilities);
    wake();
  }

  /** Asks the server for connection settings, such as a certificate for a CSR. */
  public void requestConnectionSettings(ConnectionSettingsRequest request) {
    state.sendOnce(AgentToServer.CONNECTION_SETTINGS_REQUEST_FIELD_NUMBER, request);
    wake();
  }

  /**
   * Sends a custom message with the next message to the server, after those queued before it; false
   * when too many wait already (the server is not reached), and this one is not sent.
   */
  public boolean sendCustomMessage(CustomMessage message) {
    if (!state.sendCustomMessage(message)) {
      return false;
    }
    wake();
    return true;
  }

  /**
   * Takes the custom messages this client has not had answered yet (it is stopping, another takes its
   * place): they go with the other client instead.
   */
  public List<CustomMessage> takeCustomMessages() {
    return state.takeCustomMessages();
  }

  private void set(int field, com.google.protobuf.Message part) {
    if (state.set(field, part)) {
      wake();
    }
  }

  /** After stop, status changes are kept but nothing is sent: the goodbye was the last message. */
  private void wake() {
    if (!stopped) {
      try {
        transport.wake();
      } catch (java.util.concurrent.RejectedExecutionException stopping) {
        // The event loop is shutting down with the client.
      }
    }
  }

  public static final class Builder {
    private URI endpoint;
    private EventLoopGroup group;
    private SslContext tls;
    private Supplier<Map<String, String>> headers = Map::of;
    private ByteString instanceUid;
    private long capabilities;
    private long flags;
    private ClientCallbacks callbacks = new ClientCallbacks() {};
    private Executor callbackExecutor = Runnable::run;
    private Backoff backoff = Backoff.defaults();
    private int maxMessageBytes = 64 * 1024 * 1024;
    private Duration pollingInterval = Duration.ofSeconds(30);
    private Duration pingAfter = Duration.ofSeconds(30);
    private Duration heartbeatInterval = Duration.ofSeconds(30);
    private InetAddress localAddress;

    private Builder() {}

    /** The server's URL: {@code ws}, {@code wss}, {@code http} or {@code https}. */
    public Builder endpoint(URI endpoint) {
      String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase();
      if (!scheme.matches("wss?|https?") || endpoint.getHost() == null) {
        throw new IllegalArgumentException("an OpAMP endpoint is a ws, wss, http or https URL with a host, not " + endpoint);
      }
      this.endpoint = endpoint;
      return this;
    }

    /**
     * The source address to connect from, for many clients on one machine: each address has its
     * own range of ephemeral ports (about 28,000 on Linux).
     */
    public Builder localAddress(InetAddress address) {
      this.localAddress = Objects.requireNonNull(address);
      return this;
    }

    /** Shares an event loop group with other clients; the client will not shut it down. */
    public Builder eventLoopGroup(EventLoopGroup group) {
      this.group = Objects.requireNonNull(group);
      return this;
    }

    /** TLS for wss and https; mutual TLS when the context presents a certificate. */
    public Builder tls(SslContext tls) {
      if (tls.isServer()) {
        throw new IllegalArgumentException("the OpAMP client needs a client SslContext");
      }
      this.tls = tls;
      return this;
    }

    /** Headers for every connection or request (an auth token, say), asked for again each time. */
    public Builder headers(Supplier<Map<String, String>> headers) {
      this.headers = Objects.requireNonNull(headers);
      return this;
    }

    /** The agent's 16-byte instance uid (a UUID v7 by preference). */
    public Builder instanceUid(ByteString uid) {
      if (uid.size() != 16) {
        throw new IllegalArgumentException("an instance uid is 16 bytes, not " + uid.size());
      }
      this.instanceUid = uid;
      return this;
    }

    /** AgentCapabilities bits; ReportsStatus is always added. */
    public Builder capabilities(long capabilities) {
      this.capabilities = capabilities;
      return this;
    }

    /** AgentToServerFlags, such as RequestInstanceUid, until the server answers them. */
    public Builder flags(long flags) {
      this.flags = flags;
      return this;
    }

    public Builder callbacks(ClientCallbacks callbacks) {
      this.callbacks = Objects.requireNonNull(callbacks);
      return this;
    }

    /** Runs the callbacks (one at a time, in order) off the event loop. */
    public Builder callbackExecutor(Executor executor) {
      this.callbackExecutor = Objects.requireNonNull(executor);
      return this;
    }

    public Builder backoff(Backoff backoff) {
      this.backoff = Objects.requireNonNull(backoff);
      return this;
    }

    public Builder maxMessageBytes(int bytes) {
      this.maxMessageBytes = bytes;
      return this;
    }

    /** How often an HTTP client polls while the server has set no heartbeat interval. */
    public Builder pollingInterval(Duration interval) {
      this.pollingInterval = interval;
      return this;
    }

    /**
     * How long a WebSocket may hear nothing from the server before the client pings it; with no
     * answer in as long again, the connection is closed and made anew.
     */
    public Builder pingAfter(Duration quiet) {
      if (quiet.isNegative() || quiet.isZero()) {
        throw new IllegalArgumentException("pingAfter must be above zero");
      }
      this.pingAfter = quiet;
      return this;
    }

    /** The heartbeat interval until the server sets one; with the ReportsHeartbeat capability only. */
    public Builder heartbeatInterval(Duration interval) {
      this.heartbeatInterval = interval;
      return this;
    }

    public OpampClient build() {
      Objects.requireNonNull(endpoint, "an endpoint is needed");
      Objects.requireNonNull(instanceUid, "an instance uid is needed");
      boolean secure = ClientContext.isSecure(endpoint);
      if (secure && tls == null) {
        throw new IllegalArgumentException(endpoint.getScheme() + " needs a TLS context: call tls(...)");
      }
      EventLoopGroup owned = group == null ? new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()) : null;
      ClientState state = new ClientState(instanceUid, capabilities, heartbeatInterval);
      state.setFlags(flags);
      ClientContext context = new ClientContext(endpoint, localAddress, owned != null ? owned : group, secure ? tls : null, headers,
          state, callbacks, new SerialExecutor(callbackExecutor), backoff, maxMessageBytes, pollingInterval,
          pingAfter);
      TransportBase transport = endpoint.getScheme().toLowerCase().startsWith("ws")
          ? new WebSocketTransport(context)
          : new HttpTransport(context);
      return new OpampClient(state, transport, owned);
    }
  }
}

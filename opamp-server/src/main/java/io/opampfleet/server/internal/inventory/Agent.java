package io.opampfleet.server.internal.inventory;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.netty.server.Transport;
import io.opampfleet.proto.AgentCapabilities;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.AnyValue;
import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.proto.KeyValue;
import io.opampfleet.proto.PackageStatuses;
import io.opampfleet.proto.RemoteConfigStatus;
import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.server.internal.configs.ConfigVersion;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One agent as the server knows it: what it last reported, where it is connected, which
 * certificate it is bound to, and the config version the server wants it to run. Fields change
 * under the agent's own lock; readers take a {@link #snapshot()}.
 */
public final class Agent {
  private static final int FIRST_RESEND = 3;
  private static final int LAST_RESEND = 96;

  private final String uid;
  private AgentDescription description = AgentDescription.getDefaultInstance();
  private Map<String, String> labels = Map.of();
  private long capabilities;
  private ComponentHealth health;
  private EffectiveConfig effectiveConfig;
  private RemoteConfigStatus remoteConfigStatus;
  /**
   * The server decided on a version the agent reports it refused (a rollout of it again, after the
   * host was mended): it goes out once all the same, since the agent may run it now.
   */
  private boolean retryRefused;
  /** When it last replaced its large parts for free (System.nanoTime; 0: never), see {@link #replacementFree}. */
  private long freeReplacementAt;
  private String reportedHash = "";
  private PackageStatuses packageStatuses;
  private AvailableComponents availableComponents;
  /**
   * {@link HeldSize} of each part, counted for this agent even when shared with others (an effective
   * config); components are counted where they are shared.
   */
  private long descriptionBytes;
  private long healthBytes;
  private long effectiveConfigBytes;
  private long remoteConfigStatusBytes;
  private long packageStatusesBytes;
  private boolean connected;
  /** The server holding its connection (this one, or another sharing the store), or the last that did. */
  private String heldBy = "";
  private long connectedSince;
  private long lastSeen;
  private String remoteAddress = "";
  private String certificateSubject = "";
  private String certificateSha256 = "";
  private String pendingCertificateSha256 = "";
  private ConfigVersion desired;
  /** The server decided the agent runs its local config (a rollback of its first rollout): no assignment takes it. */
  private boolean desiresLocal;

  // Kept for this process only: the live link and what was sent over it.
  private AgentConnection connection;
  private long lastSequence = -1;
  /** The longest gap between two messages of an agent that polls over HTTP, on its current link; 0 otherwise. */
  private long pollMillis;
  private long lastMessageOnLink;
  private String sentHash = "";
  /** Messages since the desired config was sent over this link (see {@link #answerLost}). */
  private int messagesSinceSent;
  /** How many messages after it was sent the desired config goes again: 3, doubling with each resend. */
  private int resendAfter = FIRST_RESEND;
  /**
   * The desired config has not had its chance yet: it is not sent, or the agent has not spoken since
   * it was. Until then a report of another config is not drift (an HTTP agent's poll that fetches a
   * new config still reports the old one). After a restart, what was stored is judged as it is.
   */
  private boolean desiredInFlight;
  private long assignmentsChecked = -1;
  /** The component list an assignment last waited for (see {@link #awaitComponents}). */
  private ByteString componentsAwaited;
  /** Something other than the time of its last message changed since the store last took the agent. */
  private boolean news;
  /** How many such changes there have been, as the store counts them. */
  private long revision;
  /**
   * The agent as this server last wrote it to the store or read it from there (null: not since its
   * connection here began, or the store forgot it): the writer writes a large part only when the agent
   * holds another object for it. Reports keep a part's object while its content is the same.
   */
  private AgentSnapshot lastStored;
  /** Counts the times {@link #lastStored} was dropped: a write begun before must not bring it back. */
  private long storedEpoch;
  /** When this server last used the agent ({@link System#nanoTime}): one it does not hold is let go when idle. */
  private volatile long touchedNanos = System.nanoTime();

  public Agent(String uid) {
    this.uid = uid;
  }

  public String uid() {
    return uid;
  }

  void touch() {
    touchedNanos = System.nanoTime();
  }

  long touchedNanos() {
    return touchedNanos;
  }

  public synchronized AgentSnapshot snapshot() {
    return new AgentSnapshot(uid, description, labels, capabilities, health, effectiveConfig, remoteConfigStatus,
        packageStatuses, availableComponents, connected, heldBy, revision, connectedSince, lastSeen, remoteAddress,
        certificateSubject, certificateSha256, pendingCertificateSha256, desired, desiresLocal, desiredInFlight, pollMillis);
  }

  /**
   * Restores what the store kept (not over a connection held here): the agent is connected when the
   * stored row says another server that is alive holds it.
   */
  public synchronized void restore(AgentSnapshot stored) {
    if (connection != null) {
      return;
    }
    reported(stored);
    desired = stored.desired();
    desiresLocal = stored.desiresLocal();
    desiredInFlight = stored.desiredInFlight();
  }

  /**
   * Takes what another server sharing the store wrote of the agent it holds (or held): what it
   * reports and where it is connected, not what the fleet wants of it. An agent connected here
   * keeps what its own connection says.
   */
  public synchronized boolean follow(AgentSnapshot stored) {
    // A row read before a newer one was taken (two readers racing) would roll it back.
    if (connection != null || stored.lastSeen() < lastSeen) {
      return false;
    }
    reported(stored);
    return true;
  }

  /**
   * Lets go of the agent's link here because another server heard from it later: the agent is where
   * the store says, not disconnected. False when {@code link} is no longer its link here.
   */
  public synchronized boolean handOver(AgentConnection link, AgentSnapshot stored) {
    if (connection != link) {
      return false;
    }
    connection = null;
    reported(stored);
    return true;
  }

  /** Marks the agent disconnected when the server said to hold it is gone; false when it is not held elsewhere. */
  public synchronized boolean holderGone(Set<String> alive) {
    if (connection != null || !connected || alive.contains(heldBy)) {
      return false;
    }
    connected = false;
    return true;
  }

  /**
   * Takes what an agent linked here reported to another server since it last spoke here (the polls
   * of an HTTP agent may reach any server), so that this server's next write does not undo it; where
   * it is connected stays as this server knows it. False when the store has nothing newer.
   */
  public synchronized boolean catchUp(AgentSnapshot stored) {
    if (stored.lastSeen() <= lastSeen) {
      return false;
    }
    reports(stored);
    revision = Math.max(revision, stored.revision());
    lastSeen = stored.lastSeen();
    certificateSubject = stored.certificateSubject();
    certificateSha256 = stored.certificateSha256();
    pendingCertificateSha256 = stored.pendingCertificateSha256();
    return true;
  }

  /** What the agent itself reports, as the store has it. */
  private void reports(AgentSnapshot stored) {
    lastStored = stored;
    describe(stored.description());
    capabilities = stored.capabilities();
    healthBytes = heldSize(health, healthBytes, stored.health());
    health = stored.health();
    effectiveConfigBytes = heldSize(effectiveConfig, effectiveConfigBytes, stored.effectiveConfig());
    effectiveConfig = stored.effectiveConfig();
    if (stored.remoteConfigStatus() != null) {
      remoteConfigStatus(stored.remoteConfigStatus());
    }
    packageStatusesBytes = heldSize(packageStatuses, packageStatusesBytes, stored.packageStatuses());
    packageStatuses = stored.packageStatuses();
    availableComponents = stored.availableComponents();
  }

  private void reported(AgentSnapshot stored) {
    reports(stored);
    connected = stored.connected();
    heldBy = stored.heldBy();
    revision = stored.revision();
    connectedSince = stored.connectedSince();
    lastSeen = stored.lastSeen();
    remoteAddress = stored.remoteAddress();
    certificateSubject = stored.certificateSubject();
    certificateSha256 = stored.certificateSha256();
    pendingCertificateSha256 = stored.pendingCertificateSha256();
  }

  synchronized void describe(AgentDescription description) {
    changed(this.description, description);
    this.descriptionBytes = heldSize(this.description, descriptionBytes, description);
    this.description = description;
    this.labels = labelsOf(description);
  }

  /** The labels selectors match: the agent's attributes, identifying ones winning a name both have. */
  public static Map<String, String> labelsOf(AgentDescription description) {
    Map<String, String> all = new LinkedHashMap<>();
    addLabels(all, description.getNonIdentifyingAttributesList());
    addLabels(all, description.getIdentifyingAttributesList());
    return Map.copyOf(all);
  }

  public synchronized Map<String, String> labels() {
    return labels;
  }

  synchronized void capabilities(long capabilities) {
    changed(this.capabilities, capabilities);
    this.capabilities = capabilities;
  }

  public synchronized boolean can(long capabilityBit) {
    return (capabilities & capabilityBit) != 0;
  }

  synchronized void health(ComponentHealth health) {
    changed(this.health, health);
    this.healthBytes = heldSize(this.health, healthBytes, health);
    this.health = health;
  }

  synchronized void effectiveConfig(EffectiveConfig config) {
    if (changed(this.effectiveConfig, config)) {
      // Shared with the agents reporting it too, and sized once; still counted whole for each (the ceiling errs high).
      this.effectiveConfig = SharedMessages.EFFECTIVE_CONFIGS.of(config);
      this.effectiveConfigBytes = SharedMessages.EFFECTIVE_CONFIGS.bytes(this.effectiveConfig);
    }
  }

  synchronized void remoteConfigStatus(RemoteConfigStatus status) {
    changed(this.remoteConfigStatus, status);
    this.remoteConfigStatusBytes = heldSize(this.remoteConfigStatus, remoteConfigStatusBytes, status);
    this.remoteConfigStatus = status;
    this.reportedHash = HexFormat.of().formatHex(status.getLastRemoteConfigHash().toByteArray());
  }

  synchronized void packageStatuses(PackageStatuses statuses) {
    // An equal part keeps its object: the writer finds the large parts to write by object (AgentRows).
    if (changed(this.packageStatuses, statuses)) {
      this.packageStatuses = statuses;
      this.packageStatusesBytes = HeldSize.of(statuses);
    }
  }

  synchronized void availableComponents(AvailableComponents components) {
    if (changed(this.availableComponents, components)) {
      this.availableComponents = SharedMessages.COMPONENTS.of(components);
    }
  }

  /**
   * About what the reported parts it keeps take in the heap ({@link HeldSize}); its list of available
   * components only when that list is not among {@code listsCounted} (agents share equal lists), which
   * then holds it.
   */
  public synchronized long reportedBytes(Set<AvailableComponents> listsCounted) {
    return descriptionBytes + healthBytes + effectiveConfigBytes + remoteConfigStatusBytes + packageStatusesBytes
        + (availableComponents != null && listsCounted.add(availableComponents)
            ? SharedMessages.COMPONENTS.bytes(availableComponents) : 0);
  }

  /** How many more bytes it would keep once the message's parts took the place of its own (less: negative). */
  public synchronized long growthFrom(AgentToServer message) {
    return growth(message.hasAgentDescription(), message.getAgentDescription(), description, descriptionBytes)
        + growth(message.hasHealth(), message.getHealth(), health, healthBytes)
        // An effective config the fleet holds (a rollout's) is sized where it is shared.
        + (message.hasEffectiveConfig() && !message.getEffectiveConfig().equals(effectiveConfig)
            ? SharedMessages.EFFECTIVE_CONFIGS.bytes(message.getEffectiveConfig()) - effectiveConfigBytes : 0)
        + growth(message.hasRemoteConfigStatus(), message.getRemoteConfigStatus(), remoteConfigStatus,
            remoteConfigStatusBytes)
        + growth(message.hasPackageStatuses(), message.getPackageStatuses(), packageStatuses, packageStatusesBytes)
        // An empty list of available components is not kept in place of a full one (see Reports).
        + (message.hasAvailableComponents() && message.getAvailableComponents().getComponentsCount() > 0
            ? componentsGrowth(message.getAvailableComponents()) : 0);
  }

  /**
   * The encoded bytes of the large parts the message brings in place of the agent's own that no agent
   * on this server holds: each a new body in the store, which the store keeps a while after no part
   * refers to it any more (see {@code PartBodies}). A part agents move to together (a rollout's
   * config) is held once the first reported it, and counts once.
   */
  public synchronized long newBodyBytesFrom(AgentToServer message) {
    long bytes = 0;
    if (message.hasEffectiveConfig() && effectiveConfig != null && !message.getEffectiveConfig().equals(effectiveConfig)
        && SharedMessages.EFFECTIVE_CONFIGS.held(message.getEffectiveConfig()).isEmpty()) {
      bytes += message.getEffectiveConfig().getSerializedSize();
    }
    if (message.hasPackageStatuses() && packageStatuses != null
        && !message.getPackageStatuses().equals(packageStatuses)) {
      bytes += message.getPackageStatuses().getSerializedSize();
    }
    if (message.hasAvailableComponents() && message.getAvailableComponents().getComponentsCount() > 0
        && availableComponents != null && !message.getAvailableComponents().equals(availableComponents)
        && SharedMessages.COMPONENTS.held(message.getAvailableComponents()).isEmpty()) {
      bytes += message.getAvailableComponents().getSerializedSize();
    }
    return bytes;
  }

  /**
   * Whether a replacement of its large parts is free now: the first in each {@code windowNanos} is (a
   * rollout replaces each agent's config once; an agent that replaces its parts again and again
   * counts). See {@link #takeFreeReplacement}.
   */
  public synchronized boolean replacementFree(long nowNanos, long windowNanos) {
    return freeReplacementAt == 0 || nowNanos - freeReplacementAt >= windowNanos;
  }

  /** The free replacement of this window is taken. */
  public synchronized void takeFreeReplacement(long nowNanos) {
    freeReplacementAt = nowNanos == 0 ? 1 : nowNanos;
  }

  private static long growth(boolean replaced, Message next, Message held, long heldBytes) {
    return replaced ? heldSize(held, heldBytes, next) - heldBytes : 0;
  }

  /** What {@code after} holds in place of {@code before}: counted again only when it differs. */
  private static long heldSize(Message before, long beforeBytes, Message after) {
    return Objects.equals(before, after) ? beforeBytes : HeldSize.of(after);
  }

  /**
   * A list equal to one the fleet holds is shared and costs nothing more; another costs what it would
   * hold (the agent's present list may be shared, so letting it go is not counted as room).
   */
  private static long componentsGrowth(AvailableComponents reported) {
    return SharedMessages.COMPONENTS.held(reported).isPresent() ? 0 : HeldSize.of(reported);
  }

  public synchronized boolean hasAvailableComponents() {
    return availableComponents != null && !availableComponents.getComponentsMap().isEmpty();
  }

  /** True the first time the agent's assignment waits for the component list of this hash, false after. */
  public synchronized boolean awaitComponents(ByteString hash) {
    if (hash.equals(componentsAwaited)) {
      return false;
    }
    componentsAwaited = hash;
    return true;
  }

  /** Whether the server holds the list of available components whose hash this is. */
  public synchronized boolean holdsComponents(ByteString hash) {
    return hasAvailableComponents() && availableComponents.getHash().equals(hash);
  }

  public synchronized boolean linkedTo(AgentConnection connection) {
    return this.connection == connection;
  }

  synchronized void connect(AgentConnection connection, String remoteAddress, long now, String heldBy) {
    changed();
    // Written whole on its new connection: another server may have forgotten it, or written it since.
    unstored();
    this.connection = connection;
    this.connected = true;
    this.heldBy = heldBy;
    this.connectedSince = now;
    this.remoteAddress = remoteAddress;
    this.lastSequence = -1;
    this.sentHash = "";
    this.pollMillis = 0;
    this.lastMessageOnLink = 0;
  }

  /** Marks the agent gone, unless a newer connection has already taken its place. */
  synchronized boolean disconnect(AgentConnection connection, long now) {
    if (this.connection != connection) {
      return false;
    }
    this.connection = null;
    this.connected = false;
    this.connectedSince = now;
    changed();
    return true;
  }

  public synchronized AgentConnection connection() {
    return connection;
  }

  public synchronized boolean connected() {
    return connected;
  }

  /** Whether this server holds its connection (not another sharing the store). */
  public synchronized boolean heldHere() {
    return connection != null;
  }

  synchronized void seen(long now, String remoteAddress) {
    if (connection != null && connection.transport() == Transport.HTTP && lastMessageOnLink > 0) {
      pollMillis = Math.max(pollMillis, now - lastMessageOnLink);
    }
    this.lastMessageOnLink = now;
    messagesSinceSent++;
    // Later than any message before it, wherever that reached: an HTTP poll reads the last one's row
    // first, and servers' readings of the store's clock differ by a few milliseconds, more than may
    // pass between two polls.
    this.lastSeen = Math.max(now, lastSeen + 1);
    if (!sentHash.isEmpty()) {
      desiredInFlight = false;
    }
    this.remoteAddress = remoteAddress;
  }

  /** Whether no message came on its link yet (its sequence is not known). */
  public synchronized boolean firstOnLink() {
    return lastSequence < 0;
  }

  /** Whether a message with this sequence number follows the last one without a gap. */
  public synchronized boolean inSequence(long sequence) {
    boolean follows = lastSequence >= 0 && sequence == lastSequence + 1;
    lastSequence = sequence;
    return follows;
  }

  /** Ties the agent to this certificate; a pending rotated one, once used, replaces the old. */
  public synchronized void bindCertificate(String subject, String sha256) {
    changed();
    this.certificateSubject = subject;
    this.certificateSha256 = sha256;
    if (sha256.equals(pendingCertificateSha256)) {
      pendingCertificateSha256 = "";
    }
  }

  public synchronized String certificateSha256() {
    return certificateSha256;
  }

  public synchronized String certificateSubject() {
    return certificateSubject;
  }

  /** A certificate the server issued for the agent, accepted from its next connection on. */
  public synchronized void expectCertificate(String sha256) {
    changed();
    this.pendingCertificateSha256 = sha256;
  }

  public synchronized String pendingCertificateSha256() {
    return pendingCertificateSha256;
  }

  public synchronized ConfigVersion desired() {
    return desired;
  }

  /** The version the server now wants the agent to run (null: none, it runs its local config). */
  public synchronized void desire(ConfigVersion version) {
    this.desired = version;
    this.desiresLocal = false;
    this.desiredInFlight = true;
    this.sentHash = "";
    this.retryRefused = reports(version)
        && remoteConfigStatus.getStatus() == RemoteConfigStatuses.RemoteConfigStatuses_FAILED;
  }

  /** The server wants the agent on its local config: it is told to drop any remote config it runs. */
  public synchronized void desireLocal() {
    this.desired = null;
    this.desiresLocal = true;
    this.desiredInFlight = false;
    this.sentHash = "";
    this.retryRefused = false;
  }

  /**
   * Marks the agent checked against this generation of the assignments; returns whether it was not
   * yet (an assignment made since, on this server or another, may match it).
   */
  public synchronized boolean checkAssignments(long generation) {
    boolean unchecked = assignmentsChecked != generation;
    assignmentsChecked = generation;
    return unchecked;
  }

  /** Neither a config nor the local one decided for the agent: an assignment that matches it may decide. */
  public synchronized boolean undecided() {
    return desired == null && !desiresLocal;
  }

  private void changed() {
    news = true;
    revision++;
  }

  private boolean changed(Object before, Object after) {
    if (Objects.equals(before, after)) {
      return false;
    }
    changed();
    return true;
  }

  /** What the store holds of the agent as far as this server knows, as a write begins. */
  public record Stored(AgentSnapshot snapshot, long epoch) {}

  /** The agent as this server last wrote it to the store or read it from there (a null snapshot: unknown). */
  public synchronized Stored lastStored() {
    return new Stored(lastStored, storedEpoch);
  }

  /**
   * The store now holds {@code written}, a snapshot of this agent written by a write that began with
   * {@code before}; unless the store was said to have lost the agent since, whose next write is whole.
   */
  public synchronized void stored(Stored before, AgentSnapshot written) {
    if (before.epoch() == storedEpoch) {
      lastStored = written;
    }
  }

  /** The store may not hold the agent as this server last knew it: its next write is whole. */
  public synchronized void unstored() {
    lastStored = null;
    storedEpoch++;
  }

  /**
   * Whether something other than the time of its last message changed since the last call: the
   * other servers sharing the store are told of such changes only, not of every heartbeat.
   */
  public synchronized boolean takeNews() {
    boolean had = news;
    news = false;
    return had;
  }

  /**
   * Whether the agent must now be told to drop its remote config: the server wants it on its local
   * one, it reports a remote config APPLIED, and it was not told so over this connection. One still
   * applying is left to finish: it may refuse the config and go back by itself, and an empty config
   * stops the collector of a Go-format supervisor. Marks it told.
   */
  public synchronized boolean dropDue() {
    boolean runsRemote = !reportedHash.isEmpty() && !reportedHash.equals(ConfigVersion.LOCAL_CONFIG_SHA256)
        && remoteConfigStatus.getStatus() == RemoteConfigStatuses.RemoteConfigStatuses_APPLIED;
    if (!desiresLocal || !runsRemote || sentHash.equals(ConfigVersion.LOCAL_CONFIG_SHA256)) {
      return false;
    }
    sentHash = ConfigVersion.LOCAL_CONFIG_SHA256;
    return true;
  }

  /** Forgets what was sent over the current link, so that what the agent lacks goes out again. */
  public synchronized void resendWhatItLacks() {
    sentHash = "";
  }

  /**
   * The desired config, when it has to go out now: the agent does not report it yet (or refused it
   * before the server decided on it again) and it was not already sent over this connection. Marks
   * it sent.
   */
  public synchronized ConfigVersion configToSend() {
    if (desired == null) {
      return null;
    }
    if (reports(desired) && !retryRefused) {
      desiredInFlight = false;
      return null;
    }
    retryRefused = false;
    boolean again = desired.sha256().equals(sentHash);
    if (again && !answerLost()) {
      return null;
    }
    // Sent again, the config has had its chance already: the agent's report of another is drift still.
    desiredInFlight |= !again;
    resendAfter = again ? Math.min(resendAfter * 2, LAST_RESEND) : FIRST_RESEND;
    sentHash = desired.sha256();
    messagesSinceSent = 0;
    return desired;
  }

  /**
   * Whether the poll answer that carried the desired config seems lost: an HTTP link outlives a lost
   * answer (a WebSocket's loss ends the connection, and a new one is sent all again), so an agent
   * that reports its remote config status and names another config three polls after it was sent is
   * sent it again, then after 6, 12, up to every 96 polls (one that keeps another config gets it no more
   * often). A config pushed between polls goes with the next one, or the one after when a command goes
   * first; and the poll after that may leave before the agent took the config in.
   */
  private boolean answerLost() {
    return connection != null && connection.transport() == Transport.HTTP && messagesSinceSent >= resendAfter
        && can(AgentCapabilities.AgentCapabilities_ReportsRemoteConfig_VALUE);
  }

  /** Whether the agent's last remote config status is about this version. */
  public synchronized boolean reports(ConfigVersion version) {
    return version != null && reportedHash.equals(version.sha256());
  }

  public synchronized RemoteConfigStatuses statusOf(ConfigVersion version) {
    return reports(version) ? remoteConfigStatus.getStatus() : RemoteConfigStatuses.RemoteConfigStatuses_UNSET;
  }

  public synchronized RemoteConfigStatus remoteConfigStatus() {
    return remoteConfigStatus;
  }

  public synchronized String remoteConfigError() {
    return remoteConfigStatus == null ? "" : remoteConfigStatus.getErrorMessage();
  }

  /** Healthy when it says so; an agent that reports no health counts as healthy while connected. */
  public synchronized boolean healthy() {
    return AgentSnapshot.healthy(connected, health);
  }

  public synchronized String healthError() {
    return health == null ? "" : health.getLastError();
  }

  private static void addLabels(Map<String, String> labels, List<KeyValue> attributes) {
    for (KeyValue attribute : attributes) {
      labels.put(attribute.getKey(), text(attribute.getValue()));
    }
  }

  static String text(AnyValue value) {
    return switch (value.getValueCase()) {
      case STRING_VALUE -> value.getStringValue();
      case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
      case INT_VALUE -> Long.toString(value.getIntValue());
      case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
      case BYTES_VALUE -> HexFormat.of().formatHex(value.getBytesValue().toByteArray());
      default -> value.toString().trim();
    };
  }
}

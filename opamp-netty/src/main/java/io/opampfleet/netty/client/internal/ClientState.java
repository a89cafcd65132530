package io.opampfleet.netty.client.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.opampfleet.proto.AgentCapabilities;
import io.opampfleet.proto.AgentDisconnect;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.CustomMessage;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.proto.ServerToAgentFlags;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The protocol rules of an OpAMP client, in one place: the instance uid and its reassignment,
 * sequence numbers, the status kept per part and sent only when it changed, the whole status when
 * the server asks for it, available components by hash until the server asks for the list, and
 * the heartbeat interval the server sets. Thread-safe.
 */
public final class ClientState {
  /** The status parts an agent keeps and sends when they change (spec: status compression). */
  static final Set<FieldDescriptor> PARTS = Set.of(
      field(AgentToServer.AGENT_DESCRIPTION_FIELD_NUMBER), field(AgentToServer.HEALTH_FIELD_NUMBER),
      field(AgentToServer.EFFECTIVE_CONFIG_FIELD_NUMBER), field(AgentToServer.REMOTE_CONFIG_STATUS_FIELD_NUMBER),
      field(AgentToServer.PACKAGE_STATUSES_FIELD_NUMBER), field(AgentToServer.CUSTOM_CAPABILITIES_FIELD_NUMBER),
      field(AgentToServer.AVAILABLE_COMPONENTS_FIELD_NUMBER),
      field(AgentToServer.CONNECTION_SETTINGS_STATUS_FIELD_NUMBER));

  private static final FieldDescriptor AVAILABLE_COMPONENTS = field(AgentToServer.AVAILABLE_COMPONENTS_FIELD_NUMBER);
  static final int MAX_CUSTOM_MESSAGES_WAITING = 64;
  static final int CUSTOM_MESSAGE_TRIES = 3;

  private record Custom(CustomMessage message, int sends) {}

  private final Map<FieldDescriptor, Message> parts = new LinkedHashMap<>();
  private final Set<FieldDescriptor> changed = new LinkedHashSet<>();
  private final Map<FieldDescriptor, Message> once = new LinkedHashMap<>();
  /** Custom messages waiting, oldest first: a message carries one, so each goes with its own. */
  private final Deque<Custom> customMessages = new ArrayDeque<>();
  /**
   * Custom messages sent and not yet answered: waiting again, first, when the send fails, up to
   * {@value #CUSTOM_MESSAGE_TRIES} sends (one the server refuses, too large say, must not stop the agent).
   * Any message from the server ends them: an answer cannot be told from a push.
   */
  private final Deque<Custom> customMessagesSent = new ArrayDeque<>();
  private ByteString instanceUid;
  /** The uid before the server gave a new one, until a message names the new one; else null. */
  private ByteString previousUid;
  private long capabilities;
  private long flags;
  private long sequenceNum;
  private boolean fullStateRequested = true;
  private boolean componentsRequested;
  private Duration heartbeatInterval;

  public ClientState(ByteString instanceUid, long capabilities, Duration heartbeatInterval) {
    this.instanceUid = instanceUid;
    this.capabilities = capabilities | AgentCapabilities.AgentCapabilities_ReportsStatus_VALUE;
    this.heartbeatInterval = heartbeatInterval;
  }

  static FieldDescriptor field(int number) {
    return AgentToServer.getDescriptor().findFieldByNumber(number);
  }

  /** Keeps a status part; it goes out with the next message only if it differs from what was kept. */
  public synchronized boolean set(int fieldNumber, Message part) {
    FieldDescriptor field = field(fieldNumber);
    if (!PARTS.contains(field)) {
      throw new IllegalArgumentException(field.getName() + " is not a status part");
    }
    if (part.equals(parts.get(field))) {
      return false;
    }
    parts.put(field, part);
    changed.add(field);
    return true;
  }

  /** Sends something once with the next message (a connection settings request): a later one replaces it. */
  public synchronized void sendOnce(int fieldNumber, Message message) {
    once.put(field(fieldNumber), message);
  }

  /**
   * Queues a custom message for the next messages, one each; false when {@value #MAX_CUSTOM_MESSAGES_WAITING}
   * wait already (the server is not reached, or they come faster than it answers).
   */
  public synchronized boolean sendCustomMessage(CustomMessage message) {
    if (customMessages.size() + customMessagesSent.size() >= MAX_CUSTOM_MESSAGES_WAITING) {
      return false;
    }
    customMessages.add(new Custom(message, 0));
    return true;
  }

  public synchronized void setCapabilities(long capabilities) {
    long withStatus = capabilities | AgentCapabilities.AgentCapabilities_ReportsStatus_VALUE;
    if (withStatus != this.capabilities) {
      this.capabilities = withStatus;
      fullStateRequested = true;
    }
  }

  public synchronized void setFlags(long flags) {
    this.flags = flags;
  }

  /** Whether there is something the server has not been told. */
  public synchronized boolean hasNews() {
    return fullStateRequested || !changed.isEmpty() || !once.isEmpty() || !customMessages.isEmpty();
  }

  /** After a failed send or a new connection: the next message carries the whole status. */
  public synchronized void requestFullState() {
    fullStateRequested = true;
  }

  /** The custom messages not known to have reached the server, oldest first, for another client to send. */
  public synchronized List<CustomMessage> takeCustomMessages() {
    List<CustomMessage> left = new ArrayList<>();
    customMessagesSent.forEach(custom -> left.add(custom.message()));
    customMessages.forEach(custom -> left.add(custom.message()));
    customMessagesSent.clear();
    customMessages.clear();
    return left;
  }

  /** A send failed, or its connection closed before an answer: the custom messages it carried go again, first. */
  public synchronized void unanswered() {
    while (!customMessagesSent.isEmpty()) {
      Custom custom = customMessagesSent.pollLast();
      if (custom.sends() < CUSTOM_MESSAGE_TRIES) {
        customMessages.addFirst(custom);
      }
    }
  }

  /** The next message: the next sequence number, and what changed (or everything, when asked). */
  public synchronized AgentToServer next() {
    AgentToServer.Builder message = AgentToServer.newBuilder()
        .setInstanceUid(instanceUid)
        .setSequenceNum(++sequenceNum)
        .setCapabilities(capabilities)
        .setFlags(flags);
    Iterable<FieldDescriptor> send = fullStateRequested ? parts.keySet() : changed;
    for (FieldDescriptor field : send) {
      message.setField(field, parts.get(field));
    }
    if (message.hasAvailableComponents() && !componentsRequested) {
      // The spec's economy: the list itself only when the server asks for it by its flag.
      message.setAvailableComponents(AvailableComponents.newBuilder().setHash(message.getAvailableComponents().getHash()));
    }
    componentsRequested = false;
    once.forEach(message::setField);
    once.clear();
    if (!customMessages.isEmpty()) {
      Custom custom = customMessages.poll();
      customMessagesSent.add(new Custom(custom.message(), custom.sends() + 1));
      message.setCustomMessage(custom.message());
    }
    changed.clear();
    fullStateRequested = false;
    return message.build();
  }

  /** The goodbye: what changed, with agent_disconnect set. */
  public synchronized AgentToServer goodbye() {
    return next().toBuilder().setAgentDisconnect(AgentDisconnect.getDefaultInstance()).build();
  }

  /**
   * Takes the protocol's part of a message from the server: a request for the full state, a new
   * instance uid, a new heartbeat interval.
   */
  public synchronized void apply(ServerToAgent message) {
    // An answer: what was sent before it arrived.
    customMessagesSent.clear();
    if ((message.getFlags() & ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE) != 0) {
      fullStateRequested = true;
    }
    if ((message.getFlags() & ServerToAgentFlags.ServerToAgentFlags_ReportAvailableComponents_VALUE) != 0
        && parts.containsKey(AVAILABLE_COMPONENTS)) {
      componentsRequested = true;
      changed.add(AVAILABLE_COMPONENTS);
    }
    if (message.getInstanceUid().equals(instanceUid)) {
      previousUid = null;
    }
    if (message.hasAgentIdentification() && message.getAgentIdentification().getNewInstanceUid().size() == 16) {
      previousUid = instanceUid;
      instanceUid = message.getAgentIdentification().getNewInstanceUid();
      flags &= ~io.opampfleet.proto.AgentToServerFlags.AgentToServerFlags_RequestInstanceUid_VALUE;
      // The server knows nothing under the new uid yet.
      fullStateRequested = true;
    }
    if (message.getConnectionSettings().hasOpamp() && reportsHeartbeat()) {
      long seconds = message.getConnectionSettings().getOpamp().getHeartbeatIntervalSeconds();
      heartbeatInterval = seconds == 0 ? Duration.ZERO : Duration.ofSeconds(seconds);
    }
  }

  /**
   * Whether a message is meant for this agent: its uid, or none (a plain transport reply), or the uid
   * it had until the server gave it a new one, while the server's replies to what it sent before
   * still name that one.
   */
  public synchronized boolean isFor(ServerToAgent message) {
    ByteString uid = message.getInstanceUid();
    return uid.isEmpty() || uid.equals(instanceUid) || uid.equals(previousUid);
  }

  public synchronized ByteString instanceUid() {
    return instanceUid;
  }

  /** The interval between heartbeats, or zero for none; only with the ReportsHeartbeat capability. */
  public synchronized Duration heartbeatInterval() {
    return reportsHeartbeat() ? heartbeatInterval : Duration.ZERO;
  }

  private boolean reportsHeartbeat() {
    return (capabilities & AgentCapabilities.AgentCapabilities_ReportsHeartbeat_VALUE) != 0;
  }
}

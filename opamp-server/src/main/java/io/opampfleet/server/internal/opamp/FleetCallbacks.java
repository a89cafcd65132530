package io.opampfleet.server.internal.opamp;

import static io.opampfleet.proto.ServerErrorResponseType.ServerErrorResponseType_BadRequest;
import static io.opampfleet.proto.ServerErrorResponseType.ServerErrorResponseType_Unavailable;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.google.common.cache.CacheBuilder;
import io.opampfleet.certs.PkiException;
import io.opampfleet.netty.InstanceUid;
import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.netty.server.ConnectionDecision;
import io.opampfleet.netty.server.ConnectionRequest;
import io.opampfleet.netty.server.ServerCallbacks;
import io.opampfleet.netty.server.Transport;
import io.opampfleet.netty.UuidV7;
import io.opampfleet.proto.AgentCapabilities;
import io.opampfleet.proto.AgentIdentification;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.AgentToServerFlags;
import io.opampfleet.proto.RetryInfo;
import io.opampfleet.proto.ServerErrorResponse;
import io.opampfleet.proto.ServerErrorResponseType;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.proto.ServerToAgentFlags;
import io.opampfleet.server.internal.PrintableText;
import io.opampfleet.server.internal.certificates.CertificateBinding;
import io.opampfleet.server.internal.configs.Assignments;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.AgentEvent;
import io.opampfleet.server.internal.inventory.Inventory;
import io.opampfleet.server.internal.inventory.ReportLimits;
import io.opampfleet.server.internal.inventory.ReportedStateBudget;
import io.opampfleet.server.internal.inventory.Reports;
import io.opampfleet.server.internal.metrics.FleetMetrics;
import io.opampfleet.server.internal.rollout.RolloutEngine;
import io.opampfleet.server.internal.store.AuditLog;
import io.opampfleet.server.internal.store.ConfigRepository;
import io.opampfleet.server.internal.store.StoreException;
import io.opampfleet.server.internal.store.WriteBehind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's side of the protocol for the fleet: records what agents report, ties them to their
 * certificates, asks for full state when the server lacks it, and answers with the config each
 * agent is meant to run. An answer leaves once what the agent reported is in the store; a report over
 * the {@link ReportLimits}, or from a certificate that may not speak for its uid, is refused before
 * anything of it is kept.
 */
public final class FleetCallbacks implements ServerCallbacks {
  private static final Logger log = LoggerFactory.getLogger(FleetCallbacks.class);
  /**
   * When an agent is told to try again (the store away or behind: about the store probe's period; the
   * fleet's reported state at its ceiling).
   */
  private static final Duration TRY_AGAIN_AFTER = Duration.ofSeconds(5);

  private final Inventory inventory;
  private final Reports reports;
  private final WriteBehind writes;
  private final Assignments assignments;
  private final ConfigRepository configs;
  private final CertificateBinding certificates;
  /** The identity each connection's client certificate gives, read once (weak keys compare by identity). */
  private final ConcurrentMap<AgentConnection, Optional<CertificateBinding.Identity>> presented =
      CacheBuilder.newBuilder().weakKeys().<AgentConnection, Optional<CertificateBinding.Identity>>build().asMap();
  private final FleetMetrics metrics;
  private final AgentCommands commands;
  private final RolloutEngine rollouts;
  private final LongSupplier clock;
  private final ReportLimits limits;
  private final ReportedStateBudget budget;
  private final AuditLog auditLog;
  private final Refusals refusals;
  private final Map<AgentConnection, Agent> links = new ConcurrentHashMap<>();
  private final ConnectionAdmission admission;
  /** Runs after each message an agent's reply answers: commands another server left for it. */
  private final Consumer<Agent> afterMessage;

  public FleetCallbacks(Inventory inventory, WriteBehind writes, Assignments assignments, ConfigRepository configs,
      CertificateBinding certificates, FleetMetrics metrics, AgentCommands commands, RolloutEngine rollouts,
      ReportLimits limits, ReportedStateBudget budget, AuditLog auditLog, int newConnectionsPerSecond,
      Consumer<Agent> afterMessage, LongSupplier clock) {
    this.inventory = inventory;
    this.reports = new Reports(inventory);
    this.writes = writes;
    this.assignments = assignments;
    this.configs = configs;
    this.certificates = certificates;
    this.metrics = metrics;
    this.commands = commands;
    this.rollouts = rollouts;
    this.clock = clock;
    this.limits = limits;
    this.budget = budget;
    this.auditLog = auditLog;
    this.refusals = new Refusals(clock);
    this.afterMessage = afterMessage;
    this.admission = new ConnectionAdmission(newConnectionsPerSecond, Duration.ofSeconds(5), inventory);
    metrics.counter("opamp_connections_deferred_total", "New connections answered 503 with a Retry-After, over"
        + " opamp::max_new_connections_per_second (a reconnect storm)", admission::deferred);
    metrics.counter("opamp_messages_refused_total", "AgentToServer messages refused (over a limit, a"
        + " certificate that may not speak for the uid, a certificate request not signed, a report the store"
        + " refused, the store away, the fleet's reported state at agents::max_reported_bytes)", refusals::count);
    metrics.gauge("opamp_reported_bytes_held", "Bytes held of what all agents reported, as the ceiling"
        + " agents::max_reported_bytes counts them (each part as it takes the heap parsed, a list of components"
        + " agents share once, and a fixed share for each agent; with a store shared by servers, the agents not"
        + " connected here as the store holds them)", budget::held);
  }

  @Override
  public ConnectionDecision onConnecting(ConnectionRequest request) {
    return admission.decide(request);
  }

  /** While the server defers new connections (a reconnect storm), how long other agents' work should wait. */
  public Optional<Duration> shedding() {
    return admission.shedding();
  }

  @Override
  public CompletionStage<ServerToAgent> onMessage(AgentConnection connection, AgentToServer message) {
    metrics.messageReceived();
    try {
      return answer(connection, message);
    } catch (StoreException e) {
      if (!StoreException.mayPass(e)) {
        throw e;
      }
      // The store is away (readiness says so too): nothing of the message is acknowledged, and the agent
      // is told to try again later rather than that the server failed.
      refusals.refused(InstanceUid.text(message.getInstanceUid()), "the store is not answering");
      return CompletableFuture.completedFuture(
          errorReply(ServerErrorResponseType_Unavailable, "the server's store is not answering; try again later"));
    }
  }

  private Optional<CertificateBinding.Identity> presentedBy(AgentConnection connection) {
    // Looked up first: the map's computeIfAbsent locks even when the connection is there.
    Optional<CertificateBinding.Identity> known = presented.get(connection);
    return known != null ? known : presented.computeIfAbsent(connection, link -> link.peerCertificates().isEmpty()
        ? Optional.empty() : Optional.of(CertificateBinding.identity(link.peerCertificates().get(0))));
  }

  private CompletionStage<ServerToAgent> answer(AgentConnection connection, AgentToServer message) {
    long now = clock.getAsLong();
    String uid = InstanceUid.text(message.getInstanceUid());
    Optional<String> problem = limits.problem(message);
    if (problem.isPresent()) {
      refusals.refused(uid, problem.get());
      return CompletableFuture.completedFuture(
          errorReply(ServerErrorResponseType_BadRequest, "refused: " + problem.get()));
    }
    if (writes.full()) {
      // Whatever it says would wait behind the queue: the store's queue stays bounded, nothing is acknowledged.
      refusals.refused(uid, "the store's queue is full");
      return CompletableFuture.completedFuture(
          errorReply(ServerErrorResponseType_Unavailable, "the server's store is behind; try again later"));
    }
    Optional<CertificateBinding.Identity> presented = presentedBy(connection);
    if ((message.getFlags() & AgentToServerFlags.AgentToServerFlags_RequestInstanceUid_VALUE) != 0
        && (presented.isEmpty() || !certificates.uidInSubject())) {
      // Its uid is a stand-in until it has one of ours (the spec's server-assigned id): nothing is kept
      // under it, and its report comes again, whole, under the new one. (A certificate that must name the
      // uid keeps the one it names.)
      return CompletableFuture.completedFuture(newUidReply());
    }
    if (connection.transport() == Transport.HTTP) {
      // Its last poll may have reached another server sharing the store.
      inventory.catchUp(uid);
    }
    // Read from the store when another server met the agent: its binding holds on every server.
    Optional<Agent> known = inventory.findOrLoad(uid);
    Optional<String> refusal = presented.flatMap(identity -> certificates.refusal(uid, identity,
        known.map(Agent::certificateSha256).orElse(""), known.map(Agent::pendingCertificateSha256).orElse("")));
    if (refusal.isEmpty()) {
      Optional<String> over = budget.problem(known, message);
      if (over.isPresent()) {
        refusals.refused(uid, over.get());
        return CompletableFuture.completedFuture(errorReply(ServerErrorResponseType_Unavailable,
            "the server holds as much of its agents' state as it may; try again later"));
      }
    }
    Agent agent = null;
    if (refusal.isEmpty()) {
      agent = known.orElseGet(() -> inventory.add(uid));
      refusal = bindCertificate(agent, presented);
    }
    if (refusal.isPresent()) {
      // Known agents keep the attempt in their history; an unknown uid leaves nothing behind.
      refusals.refused(uid, refusal.get());
      // The connection that spoke for the agent before its certificate was rotated may still speak
      // after the new one took over (a supervisor keeps it while it tries the offer), and a goodbye
      // changes nothing: both are the old connection's last words, refused and closed, not history.
      Agent linked = links.get(connection);
      boolean lastWords = message.hasAgentDisconnect() || linked != null && linked.uid().equals(uid);
      if (inventory.find(uid).isPresent() && !lastWords) {
        writes.event(new AgentEvent(uid, now, AgentEvent.Kind.CERTIFICATE_REFUSED, refusal.get()));
      }
      CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS).execute(connection::close);
      return CompletableFuture.completedFuture(
          errorReply(ServerErrorResponseType_BadRequest,
              "refused: " + certificates.refusalForTheAgent(uid, presented.orElseThrow())));
    }
    if (!message.hasAgentDisconnect() && sharesItsUid(connection, agent)
        && (presented.isEmpty() || !certificates.uidInSubject())) {
      // This connection spoke for the uid, another open one took it over, and this one speaks on: two
      // agents share the uid (a host cloned with the supervisor's storage, say). The spec's remedy: this
      // one gets a uid of its own, and the other keeps the agent.
      links.remove(connection);
      ServerToAgent reply = newUidReply();
      writes.event(new AgentEvent(agent.uid(), now, AgentEvent.Kind.UID_SHARED, "another agent spoke for this uid"
          + " from " + connection.remoteAddress() + ": it was given uid "
          + InstanceUid.text(reply.getAgentIdentification().getNewInstanceUid())));
      return CompletableFuture.completedFuture(reply);
    }
    // Kept from here on, whatever this message is answered (a refused certificate request, say).
    connection.accepted();
    Agent previous = links.put(connection, agent);
    if (previous != null && !previous.uid().equals(agent.uid())) {
      // The connection speaks for another uid now (the agent took a new one): the one it spoke for is gone.
      // (The same uid may come back as another object, read again from a store other servers share.)
      writes.agent(previous, disconnected(previous, connection, now,
          "its connection now speaks for agent " + agent.uid()));
    }
    // Committed with the agent's row, which this message changes: see onceStored.
    List<AgentEvent> events = new ArrayList<>();
    if (previous != agent || !agent.linkedTo(connection)) {
      events.addAll(reports.connected(agent, connection, now));
      budget.back(agent);
      commands.resendOffers(agent);
    }
    // A connection's first message with a description is taken for the whole state (asking again would
    // double every reconnect); any other gap may have left out what the server never heard.
    boolean firstOnLink = agent.firstOnLink();
    boolean gap = !agent.inSequence(message.getSequenceNum());
    if (gap) {
      // The agent may have restarted and lost what was sent: let its report decide what to send.
      agent.resendWhatItLacks();
      commands.resendOffers(agent);
    }
    events.addAll(reports.apply(agent, message, String.valueOf(connection.remoteAddress()), now));
    if (message.hasAgentDisconnect()) {
      links.remove(connection);
      events.addAll(disconnected(agent, connection, now, "said goodbye"));
    }
    ServerToAgent.Builder reply = ServerToAgent.newBuilder().setCapabilities(commands.capabilities());
    // What happens once the answer is acknowledged (its report stored), off the store's writer thread.
    List<Runnable> onceAnswered = new ArrayList<>(1);
    try {
      if (message.hasConnectionSettingsRequest()) {
        Optional<String> refused = signRequest(agent, message, reply, now, events, onceAnswered);
        if (refused.isPresent()) {
          return onceStored(agent, events,
              () -> errorReply(ServerErrorResponseType_BadRequest, "certificate request refused: " + refused.get()));
        }
      }
      if (gap && !(firstOnLink && message.hasAgentDescription())) {
        reply.setFlags(reply.getFlags() | ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE);
      }
      // Asked for when the server holds none, or another list than the one the agent names (a new build).
      boolean componentsAskedFor = agent.can(AgentCapabilities.AgentCapabilities_ReportsAvailableComponents_VALUE)
          && message.hasAvailableComponents() && !agent.holdsComponents(message.getAvailableComponents().getHash());
      if (componentsAskedFor) {
        reply.setFlags(reply.getFlags() | ServerToAgentFlags.ServerToAgentFlags_ReportAvailableComponents_VALUE);
      }
      // Its labels come with its description; assignments made since it was checked may match it too.
      boolean assignmentsChanged = agent.checkAssignments(assignments.generation());
      if (agent.undecided() && (message.hasAgentDescription() || assignmentsChanged)) {
        if (componentsAskedFor && agent.awaitComponents(message.getAvailableComponents().getHash())) {
          // The assigned config is checked against the list asked for: with the next message, which
          // should bring it (an agent that sends no list is assigned then without).
          agent.checkAssignments(-1);
        } else {
          assign(agent);
        }
      }
      if (!reply.hasConnectionSettings()) {
        // One offer per message: a certificate's goes first, own telemetry's with a later message.
        commands.ownTelemetryDue(agent).ifPresent(reply::setConnectionSettings);
      }
      commands.remoteConfigDue(agent).ifPresent(reply::setRemoteConfig);
      commands.packagesDue(agent).ifPresent(reply::setPackagesAvailable);
      afterMessage.accept(agent);
    } catch (RuntimeException e) {
      // Its report is in memory already (a store read above failed): its row and events still go to the
      // store, or the next message, finding nothing changed, would make none of them.
      writes.agent(agent, events);
      throw e;
    }
    CompletionStage<ServerToAgent> answer = onceStored(agent, events, reply::build);
    if (!onceAnswered.isEmpty()) {
      answer.thenAcceptAsync(sent -> {
        if (!sent.hasErrorResponse()) {
          onceAnswered.forEach(Runnable::run);
        }
      });
    }
    return answer;
  }

  /**
   * The answer, once the agent's report is stored with the events it made: stored reports are the
   * promise behind every answer. A report the store refused is not acknowledged, and what the answer
   * would have offered goes with the next one.
   */
  private CompletionStage<ServerToAgent> onceStored(Agent agent, List<AgentEvent> events,
      Supplier<ServerToAgent> answer) {
    return queued(agent, events).handle((written, failure) -> {
      if (failure == null) {
        return answer.get();
      }
      commands.resendOffers(agent);
      agent.resendWhatItLacks();
      refusals.refused(agent.uid(), "the store refused its report");
      return errorReply(ServerErrorResponseType_BadRequest,
          "the server could not store this report; it was not accepted");
    });
  }

  @Override
  public void onClose(AgentConnection connection) {
    Agent agent = links.remove(connection);
    if (agent != null) {
      long now = clock.getAsLong();
      writes.agent(agent, disconnected(agent, connection, now, "connection closed"));
    }
  }

  /** The agent's connection here ended; the ceiling on reported state counts it from the store from now on. */
  private List<AgentEvent> disconnected(Agent agent, AgentConnection connection, long now, String why) {
    List<AgentEvent> events = reports.disconnected(agent, connection, now, why);
    if (!events.isEmpty()) {
      budget.left(agent);
    }
    return events;
  }

  /**
   * Agents connected now, counted from the live links: an HTTP agent's link stays after another
   * server heard a later poll of it, until its next poll here or until it is forgotten when idle.
   */
  public int connectedAgents() {
    return (int) links.entrySet().stream().filter(link -> link.getValue().linkedTo(link.getKey())).count();
  }

  /**
   * Ties the agent to the certificate it presented, unless that may not speak for it. Checked again
   * here, under the agent's lock (which its own methods take), since two first connections of one
   * uid with different certificates may both have passed the first check.
   */
  private Optional<String> bindCertificate(Agent agent, Optional<CertificateBinding.Identity> presented) {
    if (presented.isEmpty()) {
      return Optional.empty();
    }
    CertificateBinding.Identity identity = presented.get();
    synchronized (agent) {
      String bound = agent.certificateSha256();
      Optional<String> refusal = certificates.refusal(agent.uid(), identity, bound, agent.pendingCertificateSha256());
      if (refusal.isEmpty() && !identity.sha256().equals(bound)) {
        agent.bindCertificate(identity.subject(), identity.sha256());
        if (!bound.isEmpty()) {
          log.info("agent {}: now bound to its rotated certificate {}", agent.uid(), identity.subject());
        }
      }
      return refusal;
    }
  }

  /** The CSR flow: signs the agent's request and offers the certificate, or says why not. */
  private Optional<String> signRequest(Agent agent, AgentToServer message, ServerToAgent.Builder reply,
      long now, List<AgentEvent> events, List<Runnable> onceAnswered) {
    String reason;
    if (commands.signer().isEmpty()) {
      reason = "this server signs no certificates: it has no signing CA configured";
    } else if (!message.getConnectionSettingsRequest().getOpamp().hasCertificateRequest()) {
      reason = "the connection settings request carries no certificate request";
    } else {
      try {
        String bound = agent.certificateSha256();
        CertificateSigner.Issued issued = commands.signer().get().sign(agent.uid(), agent.certificateSubject(),
            message.getConnectionSettingsRequest().getOpamp().getCertificateRequest().getCsr().toByteArray());
        agent.expectCertificate(issued.sha256());
        onceAnswered.add(() -> audit(agent.uid(), now, bound, issued.sha256()));
        reply.setConnectionSettings(issued.offer());
        events.add(new AgentEvent(agent.uid(), now, AgentEvent.Kind.CERTIFICATE_ISSUED,
            "signed its certificate request: sha256:" + issued.sha256().substring(0, 16) + "…"));
        log.info("agent {}: signed its certificate request", agent.uid());
        return Optional.empty();
      } catch (PkiException e) {
        // The parser's message may quote the request's bytes.
        reason = PrintableText.of(e.getMessage(), 200);
      }
    }
    refusals.refused(agent.uid(), "certificate request refused: " + reason);
    return Optional.of(reason);
  }

  /**
   * A certificate issued on the agent's own request is a change like an operator's rotation: the audit
   * log has it under the same object, the agent as its actor. Its history has it too.
   */
  private void audit(String uid, long now, String bound, String issued) {
    try {
      auditLog.append(new AuditLog.Entry(0, now, uid, "agent", "OpAMP certificate request",
          "/api/v1/agents/" + uid + "/certificate", 200, null, certificate(bound), certificate(issued)));
    } catch (RuntimeException e) {
      log.error("audit: a certificate issued to agent {} was not recorded: {}", uid, e.getMessage());
    }
  }

  private static String certificate(String sha256) {
    return sha256.isEmpty() ? null : JsonNodeFactory.instance.objectNode().put("sha256", sha256).toString();
  }

  /**
   * Queues the agent's row, then tells the inventory's listeners (the rollout engine) of its report, so
   * that the rollout's view and state, which wait for all that was queued before them, count only stored
   * reports (the engine's scan reads agents in memory too, and may see a report a moment sooner).
   */
  private CompletionStage<Void> queued(Agent agent, List<AgentEvent> events) {
    CompletableFuture<Void> written = writes.agent(agent, events);
    inventory.changed(agent);
    return written;
  }

  /**
   * Whether this WebSocket spoke for the agent until another one from another host, open on this server,
   * took it over: a client that reconnects leaves its old connection, so two that both speak are two
   * agents. From one host they are taken for one agent (its last words on the old connection, or a
   * client that tries new settings before it lets the old ones go); so clones behind one NAT, or behind
   * a balancer that does not pass their addresses on, are not told apart and take the uid in turns.
   */
  private boolean sharesItsUid(AgentConnection connection, Agent agent) {
    Agent spokeFor = links.get(connection);
    if (connection.transport() != Transport.WEBSOCKET || spokeFor == null || !spokeFor.uid().equals(agent.uid())
        || agent.linkedTo(connection)) {
      return false;
    }
    AgentConnection current = agent.connection();
    return current != null && current.isOpen()
        && !current.remoteAddress().getHostString().equals(connection.remoteAddress().getHostString());
  }

  /** A uid of the server's making for the agent, which reports all again under it. */
  private ServerToAgent newUidReply() {
    return ServerToAgent.newBuilder().setCapabilities(commands.capabilities())
        .setAgentIdentification(AgentIdentification.newBuilder().setNewInstanceUid(InstanceUid.bytes(UuidV7.generate())))
        .setFlags(ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE).build();
  }

  /** The agent's answer when nothing of its message is acknowledged; one it should retry says when. */
  private static ServerToAgent errorReply(ServerErrorResponseType type, String message) {
    var error = ServerErrorResponse.newBuilder().setType(type).setErrorMessage(message);
    if (type == ServerErrorResponseType_Unavailable) {
      error.setRetryInfo(RetryInfo.newBuilder().setRetryAfterNanoseconds(TRY_AGAIN_AFTER.toNanos()));
    }
    return ServerToAgent.newBuilder().setErrorResponse(error).build();
  }

  /** A new agent gets the config of the one assignment that matches it; several matching is a conflict. */
  private void assign(Agent agent) {
    Assignments.Resolution resolution = assignments.resolve(agent.labels());
    if (resolution.single()) {
      var assignment = resolution.matches().get(0);
      configs.version(assignment.configName(), assignment.version()).ifPresent(version ->
          rollouts.assignSoon(agent, version, "assignment " + assignment.name()));
    } else if (resolution.conflict()) {
      log.warn("agent {}: matched by {} assignments ({}); none applied until the conflict is resolved", agent.uid(),
          resolution.matches().size(), String.join(", ", resolution.matches().stream().map(a -> a.name()).toList()));
    }
  }

}

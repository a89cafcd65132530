package io.opampfleet.harness.loadtest;

import com.google.protobuf.ByteString;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.opampfleet.netty.Backoff;
import io.opampfleet.netty.InstanceUid;
import io.opampfleet.netty.client.OpampClient;
import io.opampfleet.proto.AgentCapabilities;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AnyValue;
import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.ComponentDetails;
import io.opampfleet.proto.KeyValue;
import io.opampfleet.simulated.Behaviour;
import io.opampfleet.simulated.SimulatedAgent;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

/** The simulated agents of one process: connected at the plan's ramp, counted in a timeline, stopped at the end. */
final class AgentFleet implements Load {
  private static final long CAPABILITIES = AgentCapabilities.AgentCapabilities_ReportsStatus_VALUE
      | AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig_VALUE
      | AgentCapabilities.AgentCapabilities_ReportsEffectiveConfig_VALUE
      | AgentCapabilities.AgentCapabilities_ReportsRemoteConfig_VALUE;

  private final FleetPlan plan;
  private final AgentCertificates certificates;
  private final List<InetAddress> sources;
  private final Timeline timeline;
  private final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
  private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(1);
  private final List<SimulatedAgent> agents = new ArrayList<>();
  private long heapBefore;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** @param certificates each agent's TLS, null for plain endpoints */
  AgentFleet(FleetPlan plan, AgentCertificates certificates, List<InetAddress> sources, Timeline timeline) {
    this.plan = plan;
    this.certificates = certificates;
    this.sources = sources;
    this.timeline = timeline;
  }

  static String uid(int index) {
    return UUID.nameUUIDFromBytes(("loadtest-agent-" + index).getBytes(StandardCharsets.UTF_8)).toString();
  }

  /**
   * What a collector says it was built with, by kind and type, about {@code bytes} in all: the nop
   * receiver and exporter the rolled-out config names, and as many more as make the size.
   */
  static AvailableComponents components(int bytes) {
    List<String> kinds = List.of("receivers", "processors", "exporters", "extensions");
    Map<String, ComponentDetails.Builder> byKind = new java.util.LinkedHashMap<>();
    kinds.forEach(kind -> byKind.put(kind, ComponentDetails.newBuilder()));
    byKind.get("receivers").putSubComponentMap("nop", ComponentDetails.getDefaultInstance());
    byKind.get("exporters").putSubComponentMap("nop", ComponentDetails.getDefaultInstance());
    AvailableComponents.Builder components = AvailableComponents.newBuilder()
        .setHash(ByteString.copyFromUtf8("loadtest-components"));
    for (int i = 0; ; i++) {
      byKind.forEach((kind, details) -> components.putComponents(kind, details.build()));
      if (components.build().getSerializedSize() >= bytes) {
        return components.build();
      }
      byKind.get(kinds.get(i % kinds.size())).putSubComponentMap("type" + i, ComponentDetails.newBuilder()
          .addMetadata(KeyValue.newBuilder().setKey("code.namespace")
              .setValue(AnyValue.newBuilder().setStringValue("github.com/example/type" + i)))
          .build());
    }
  }

  /** The uids of the plan's agents. */
  static List<String> uids(FleetPlan plan) {
    return IntStream.range(plan.first(), plan.first() + plan.count()).mapToObj(AgentFleet::uid).toList();
  }

  /** Connects the agents at the plan's ramp; returns once the last has started connecting. */
  @Override
  public void connect() throws InterruptedException {
    heapBefore = usedHeap();
    ApplyDelay delay = ApplyDelay.parse(plan.applyDelay());
    // The failing share refuses the configs the load test marks fragile, as part of a real fleet might.
    Behaviour applying = Behaviour.applying().after(delay::nextMillis);
    Behaviour failing = Behaviour.failingConfigsMarked(Behaviour.FRAGILE).after(delay::nextMillis);
    AvailableComponents components = plan.componentsBytes() > 0 ? components(plan.componentsBytes()) : null;
    long started = System.nanoTime();
    for (int i = 0; i < plan.count(); i++) {
      pace(started, i);
      int index = plan.first() + i;
      SimulatedAgent.Builder agent = SimulatedAgent.builder(InstanceUid.bytes(uid(index))).description(description(index))
          .capabilities(CAPABILITIES).behaviour(index < plan.failing() ? failing : applying).listener(timeline)
          .timers(timers).keepingNoMessages().dialer(moves -> client(index, moves));
      if (plan.endpoints().size() > 1) {
        agent.movingOnWhenItsServerFails();
      }
      SimulatedAgent built = agent.build();
      if (components != null) {
        built.withComponents(components);
      }
      SimulatedAgent running = built.start();
      synchronized (agents) {
        agents.add(running);
      }
    }
    churn();
  }

  @Override
  public void rolloutStarts(long nanoTime) {
    timeline.rolloutStarts(nanoTime);
  }

  @Override
  public List<Report.Worker> workers() {
    return List.of();
  }

  /** The heap this process holds per agent now, above what it held before they connected. */
  @Override
  public long heapBytesPerAgent() {
    return (usedHeap() - heapBefore) / Math.max(1, plan.count());
  }

  /** Runs {@code task} every second on this fleet's timer thread. */
  void everySecond(Runnable task) {
    timers.scheduleAtFixedRate(task, 1, 1, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    synchronized (agents) {
      agents.forEach(SimulatedAgent::stop);
    }
    timers.shutdownNow();
    try {
      // A delta being sent now goes out before the last one.
      timers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** The agent's client to its own server, or, after {@code moves} moves, to the one that many after it. */
  private OpampClient.Builder client(int index, int moves) {
    Map<String, String> headers = Map.copyOf(plan.headers());
    OpampClient.Builder builder = OpampClient.builder().endpoint(plan.endpointOf(index, moves)).eventLoopGroup(loops)
        .headers(() -> headers).heartbeatInterval(Duration.ofSeconds(plan.heartbeatSeconds()))
        .backoff(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 2));
    if (certificates != null) {
      builder.tls(certificates.forAgent(uid(index)));
    }
    if (!sources.isEmpty()) {
      builder.localAddress(sources.get(index % sources.size()));
    }
    return builder;
  }

  /** Status and reconnect churn, spread over time so they do not come in waves. */
  private void churn() {
    Random random = new Random();
    List<SimulatedAgent> fleet = List.copyOf(agents);
    if (plan.statusChurnSeconds() > 0) {
      long period = TimeUnit.SECONDS.toMillis(plan.statusChurnSeconds());
      for (SimulatedAgent agent : fleet) {
        timers.scheduleAtFixedRate(agent::reportHealthy, random.nextLong(period), period, TimeUnit.MILLISECONDS);
      }
    }
    if (plan.reconnectChurn() > 0 && !fleet.isEmpty()) {
      long perMinute = Math.max(1, Math.round(fleet.size() * plan.reconnectChurn()));
      timers.scheduleAtFixedRate(() -> fleet.get(random.nextInt(fleet.size())).reconnect(),
          0, Math.max(1, 60_000_000L / perMinute), TimeUnit.MICROSECONDS);
    }
  }

  private void pace(long started, int index) throws InterruptedException {
    long due = started + (long) (index * 1e9 / plan.ramp());
    long wait = due - System.nanoTime();
    if (wait > 1_000_000) {
      Thread.sleep(wait / 1_000_000);
    }
  }

  private static AgentDescription description(int index) {
    return AgentDescription.newBuilder()
        .addIdentifyingAttributes(attribute("service.name", "loadtest-agent"))
        .addIdentifyingAttributes(attribute("service.instance.id", "loadtest-" + index))
        .addNonIdentifyingAttributes(attribute("loadtest", "true"))
        .build();
  }

  private static KeyValue attribute(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  private static long usedHeap() {
    System.gc();
    Runtime runtime = Runtime.getRuntime();
    return runtime.totalMemory() - runtime.freeMemory();
  }
}

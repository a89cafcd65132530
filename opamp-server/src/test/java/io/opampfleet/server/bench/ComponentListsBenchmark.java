package io.opampfleet.server.bench;

import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.AnyValue;
import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.ComponentDetails;
import io.opampfleet.proto.KeyValue;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.Inventory;
import io.opampfleet.server.internal.inventory.Reports;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The heap a fleet's available components take in the server: every agent reports the list of a
 * contrib-sized collector build (five kinds, 50 types each, a namespace and a version on each), each
 * parsed from its own bytes as it arrives. The baseline, in the same run, is what the server held before
 * agents shared them: one parsed list per agent. Prints bytes per agent for both.
 *
 * <p>Run with {@code scripts/store-benchmark components [agents (18000)]}.
 */
public final class ComponentListsBenchmark {
  private static final List<String> KINDS = List.of("receivers", "processors", "exporters", "extensions", "connectors");

  public static void main(String[] args) throws Exception {
    int agents = args.length > 0 ? Integer.parseInt(args[0]) : 18_000;
    byte[] report = contribComponents().toByteArray();
    System.out.printf("component lists benchmark: %,d agents, each reporting %,d bytes of available components%n",
        agents, AgentToServer.parseFrom(report).getAvailableComponents().getSerializedSize());

    Inventory inventory = new Inventory();
    Reports reports = new Reports(inventory);
    List<Agent> fleet = new ArrayList<>(agents);
    AgentToServer described = AgentToServer.newBuilder().setAgentDescription(AgentDescription.getDefaultInstance())
        .build();
    for (int i = 0; i < agents; i++) {
      Agent agent = inventory.add("agent-" + i);
      reports.apply(agent, described, "/10.0.0.1:1", 1_000);
      fleet.add(agent);
    }
    long withoutComponents = usedHeap();
    for (Agent agent : fleet) {
      reports.apply(agent, AgentToServer.parseFrom(report), "/10.0.0.1:1", 2_000);
    }
    long withComponents = usedHeap();
    long shared = withComponents - withoutComponents;

    List<AvailableComponents> perAgent = new ArrayList<>(agents);
    for (int i = 0; i < agents; i++) {
      perAgent.add(AgentToServer.parseFrom(report).getAvailableComponents());
    }
    long oneEach = usedHeap() - withComponents;
    if (perAgent.size() != agents
        || fleet.get(agents - 1).snapshot().availableComponents().getComponentsCount() != KINDS.size()) {
      throw new IllegalStateException("the agents do not hold the components they reported");
    }
    System.out.printf("%-52s %,12d bytes per agent%n", "one parsed list per agent (the baseline, before)",
        oneEach / agents);
    System.out.printf("%-52s %,12d bytes per agent (%,d MB for the fleet saved)%n",
        "agents reporting the same list, as the server holds them", shared / agents, (oneEach - shared) / 1_000_000);
  }

  /** What a contrib build reports of its available components: about 35 KB. */
  static AgentToServer contribComponents() {
    AvailableComponents.Builder components = AvailableComponents.newBuilder();
    for (String kind : KINDS) {
      ComponentDetails.Builder types = ComponentDetails.newBuilder();
      for (int i = 0; i < 50; i++) {
        String type = kind.substring(0, kind.length() - 1) + i;
        types.putSubComponentMap(type, ComponentDetails.newBuilder()
            .addMetadata(text("code.namespace", "github.com/open-telemetry/opentelemetry-collector-contrib/"
                + kind.substring(0, kind.length() - 1) + "/" + type))
            .addMetadata(text("version", "v0.149.0"))
            .build());
      }
      components.putComponents(kind, types.build());
    }
    return AgentToServer.newBuilder().setAvailableComponents(components).build();
  }

  private static KeyValue text(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  private static long usedHeap() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}

package io.opampfleet.fleetctl;

import io.opampfleet.api.Agent;
import io.opampfleet.client.FleetClient;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** What fleetctl does to one agent: describe it, push it a config, restart its collector. */
final class AgentCommands {
  private AgentCommands() {}

  @Command(name = "describe", mixinStandardHelpOptions = true, description = "Show one agent in full: describe agent UID.")
  static final class Describe implements Callable<Integer> {
    @ParentCommand
    Fleetctl parent;

    @Parameters(index = "0", paramLabel = "KIND", description = "agent")
    String kind;

    @Parameters(index = "1", paramLabel = "UID")
    String uid;

    @Override
    public Integer call() {
      if (!kind.equals("agent")) {
        throw new UsageException("describe takes 'agent UID', not '" + kind + "'");
      }
      Agent agent = parent.connection.client(parent.environment).agent(uid);
      var out = parent.out;
      out.println("UID:            " + agent.uid());
      out.println("Connected:      " + (agent.connected() ? "yes, to " + agent.replica() + " from " + agent.remoteAddress()
          + " since " + Instant.ofEpochMilli(agent.connectedSince()) : "no, last seen " + Instant.ofEpochMilli(agent.lastSeen())));
      out.println("Healthy:        " + (agent.healthy() ? "yes" : "no") + (agent.health() == null
          || agent.health().lastError() == null || agent.health().lastError().isEmpty() ? "" : ": " + agent.health().lastError()));
      out.println("Config:         " + (agent.desiredConfig() == null ? "its local one" : agent.desiredConfig()) + ", "
          + agent.remoteConfigStatus() + (agent.drift() == null ? "" : " (" + agent.drift() + ")"));
      if (agent.remoteConfig() != null && !agent.remoteConfig().errorMessage().isEmpty()) {
        out.println("Config error:   " + agent.remoteConfig().errorMessage());
      }
      out.println("Certificate:    " + (agent.certificate() == null ? "none" : agent.certificate().subject()));
      out.println("Capabilities:   " + (agent.capabilities() == null ? "" : String.join(", ", agent.capabilities())));
      section("Identifying:", agent.identifyingAttributes());
      section("Other attributes:", agent.nonIdentifyingAttributes());
      return ExitCode.OK;
    }

    private void section(String title, Map<String, String> attributes) {
      parent.out.println(title);
      new TreeMap<>(attributes).forEach((key, value) -> parent.out.println("  " + key + "=" + value));
    }
  }

  @Command(name = "push", mixinStandardHelpOptions = true, description = "Send one config version to one agent now.")
  static final class Push implements Callable<Integer> {
    @ParentCommand
    Fleetctl parent;

    @Parameters(index = "0", paramLabel = "UID")
    String uid;

    @Parameters(index = "1", paramLabel = "NAME[@VERSION]", description = "The config (default: its latest version)")
    String config;

    @Override
    public Integer call() {
      FleetClient client = parent.connection.client(parent.environment);
      ConfigRef ref = ConfigRef.resolve(config, client);
      client.push(uid, ref.name(), ref.version());
      parent.out.println("sent " + ref + " to " + uid);
      return ExitCode.OK;
    }
  }

  @Command(name = "restart", mixinStandardHelpOptions = true, description = "Ask an agent to restart its collector.")
  static final class Restart implements Callable<Integer> {
    @ParentCommand
    Fleetctl parent;

    @Parameters(paramLabel = "UID")
    String uid;

    @Override
    public Integer call() {
      parent.connection.client(parent.environment).restart(uid);
      parent.out.println("asked " + uid + " to restart");
      return ExitCode.OK;
    }
  }
}

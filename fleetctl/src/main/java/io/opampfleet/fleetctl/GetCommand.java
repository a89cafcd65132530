package io.opampfleet.fleetctl;

import io.opampfleet.api.AgentPage;
import io.opampfleet.api.AgentSummary;
import io.opampfleet.api.Assignment;
import io.opampfleet.api.ConfigVersionSummary;
import io.opampfleet.api.Rollout;
import io.opampfleet.client.FleetClient;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code fleetctl get agents|configs|assignments|rollouts}: a table, or JSON or YAML for scripts. */
@Command(name = "get", mixinStandardHelpOptions = true, description = "List agents, configs, assignments or rollouts.")
final class GetCommand implements Runnable {
  enum Kind { agents, configs, assignments, rollouts }

  enum Format { table, json, yaml }

  @ParentCommand
  Fleetctl parent;

  @Parameters(index = "0", paramLabel = "KIND", description = "agents, configs, assignments or rollouts")
  Kind kind;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
      description = "table, json or yaml (default: ${DEFAULT-VALUE})")
  Format format;

  @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR", defaultValue = "",
      description = "Agents whose labels match, for example 'env=prod,tier in (web,api)'")
  String selector;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "500", description = "At most this many agents"
      + " (default: ${DEFAULT-VALUE}; the server's page size caps one call)")
  int limit;

  @Override
  public void run() {
    if (!selector.isEmpty() && kind != Kind.agents) {
      throw new UsageException("--selector is for agents");
    }
    FleetClient client = parent.connection.client(parent.environment);
    Object items = switch (kind) {
      case agents -> agents(client);
      case configs -> client.configs();
      case assignments -> client.assignments();
      case rollouts -> client.rollouts();
    };
    if (format == Format.table) {
      table(items).print(parent.out);
    } else {
      parent.out.print(format == Format.json ? Json.pretty(items) : Json.yaml(items));
    }
  }

  private List<AgentSummary> agents(FleetClient client) {
    if (limit < 1) {
      throw new UsageException("--limit is at least 1");
    }
    AgentPage page = client.agents(selector, 1, limit);
    if (page.total() > page.agents().size() && format == Format.table) {
      parent.out.println("# " + page.agents().size() + " of " + page.total() + " agents (--limit for more)");
    }
    return page.agents();
  }

  @SuppressWarnings("unchecked")
  private Table table(Object items) {
    return switch (kind) {
      case agents -> {
        Table table = new Table("UID", "CONNECTED", "HEALTHY", "CONFIG", "STATUS", "LABELS");
        ((List<AgentSummary>) items).forEach(agent -> table.row(agent.uid(), agent.connected(), agent.healthy(),
            agent.desiredConfig(), agent.remoteConfigStatus(), labels(agent.labels())));
        yield table;
      }
      case configs -> {
        Table table = new Table("NAME", "VERSION", "AUTHOR", "CREATED", "COMMENT");
        ((List<ConfigVersionSummary>) items).forEach(config -> table.row(config.name(), config.version(),
            config.author(), Instant.ofEpochMilli(config.createdAt()), config.comment()));
        yield table;
      }
      case assignments -> {
        Table table = new Table("NAME", "SELECTOR", "CONFIG", "MATCHES");
        ((List<Assignment>) items).forEach(assignment -> table.row(assignment.name(),
            assignment.selector().isEmpty() ? "(all)" : assignment.selector(),
            assignment.config() + "@" + assignment.version(), assignment.matches()));
        yield table;
      }
      case rollouts -> {
        Table table = new Table("ID", "STATE", "CONFIG", "SELECTOR", "WAVE", "AGENTS", "CREATED");
        ((List<Rollout>) items).forEach(rollout -> table.row(rollout.id(), rollout.state(), what(rollout),
            rollout.selector().isEmpty() ? "(all)" : rollout.selector(), rollout.currentWave() + " of " + rollout.waves(),
            rollout.agents(), Instant.ofEpochMilli(rollout.createdAt())));
        yield table;
      }
    };
  }

  private static String what(Rollout rollout) {
    String config = rollout.config() == null ? null : rollout.config() + "@" + rollout.version();
    String pkg = rollout.packageName() == null ? null : rollout.packageName() + " " + rollout.packageVersion();
    return config != null && pkg != null ? config + " + " + pkg : config != null ? config : pkg;
  }

  private static String labels(Map<String, String> labels) {
    return new TreeMap<>(labels).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(","));
  }
}

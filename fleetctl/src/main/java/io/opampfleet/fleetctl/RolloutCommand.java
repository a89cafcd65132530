package io.opampfleet.fleetctl;

import io.opampfleet.api.Rollout;
import io.opampfleet.api.RolloutRequest;
import io.opampfleet.client.FleetClient;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code fleetctl rollout start|watch|pause|resume|abort}. */
@Command(name = "rollout", mixinStandardHelpOptions = true, description = "Start, follow, pause, resume or abort a rollout.",
    subcommands = {RolloutCommand.Start.class, RolloutCommand.Watch.class, RolloutCommand.Pause.class,
        RolloutCommand.Resume.class, RolloutCommand.Abort.class})
final class RolloutCommand {
  @ParentCommand
  Fleetctl parent;

  FleetClient client() {
    return parent.connection.client(parent.environment);
  }

  /** Follows a rollout's event stream until it ends, a line each time its progress changes; 0 when it succeeded. */
  int watch(FleetClient client, long id) {
    String[] last = {""};
    Consumer<Rollout> show = rollout -> {
      String line = progress(rollout);
      if (!line.equals(last[0])) {
        parent.out.println(line);
        parent.out.flush();
        last[0] = line;
      }
    };
    Rollout ended = client.followRollout(id, show);
    show.accept(ended);
    return ended.state().equals("SUCCEEDED") ? ExitCode.OK : ExitCode.NOT_SO;
  }

  static String progress(Rollout rollout) {
    Map<String, Integer> counts = rollout.counts() == null ? Map.of() : new TreeMap<>(rollout.counts());
    String agents = counts.entrySet().stream().filter(e -> e.getValue() > 0)
        .map(e -> e.getKey().toLowerCase() + " " + e.getValue()).collect(Collectors.joining(", "));
    return "rollout " + rollout.id() + " " + rollout.state() + ", wave " + rollout.currentWave() + " (waves "
        + rollout.waves() + "): " + (agents.isEmpty() ? "no agents" : agents)
        + (rollout.reason() == null || rollout.reason().isEmpty() ? "" : " (" + rollout.reason() + ")");
  }

  @Command(name = "start", mixinStandardHelpOptions = true, description = "Start a config rollout.")
  static final class Start implements Callable<Integer> {
    @ParentCommand
    RolloutCommand rollout;

    @Option(names = "--config", required = true, paramLabel = "NAME[@VERSION]",
        description = "The config to roll out (default: its latest version)")
    String config;

    @Option(names = {"-l", "--selector"}, defaultValue = "", paramLabel = "SELECTOR",
        description = "The agents it goes to (default: all)")
    String selector;

    @Option(names = "--waves", paramLabel = "SHARES", description = "For example 10%,50%,100% (default: the server's)")
    String waves;

    @Option(names = "--bake", paramLabel = "DURATION", description = "How long each wave stays healthy before the next")
    String bake;

    @Option(names = "--failure-budget", paramLabel = "N|N%", description = "Failures a wave may have before it rolls back")
    String failureBudget;

    @Option(names = "--apply-timeout", paramLabel = "DURATION", description = "How long an agent has to apply it")
    String applyTimeout;

    @Option(names = {"-w", "--watch"}, description = "Follow it to its end (exit status 1 unless it succeeds)")
    boolean watch;

    @Override
    public Integer call() {
      FleetClient client = rollout.client();
      ConfigRef ref = ConfigRef.resolve(config, client);
      Rollout started = client.startRollout(new RolloutRequest(selector, ref.name(), ref.version(), waves, bake,
          failureBudget, applyTimeout));
      rollout.parent.out.println("rollout " + started.id() + " started: " + ref + " to "
          + (selector.isEmpty() ? "all agents" : selector) + " (" + started.agents() + " agents, waves " + started.waves() + ")");
      return watch ? rollout.watch(client, started.id()) : ExitCode.OK;
    }
  }

  @Command(name = "watch", mixinStandardHelpOptions = true,
      description = "Follow a rollout to its end: exit status 0 when it succeeded, 1 when it did not.")
  static final class Watch implements Callable<Integer> {
    @ParentCommand
    RolloutCommand rollout;

    @Parameters(paramLabel = "ID")
    long id;

    @Override
    public Integer call() {
      return rollout.watch(rollout.client(), id);
    }
  }

  /** Pause, resume and abort: one call, and the rollout's progress after it. */
  abstract static class Action implements Callable<Integer> {
    @ParentCommand
    RolloutCommand rollout;

    @Parameters(paramLabel = "ID")
    long id;

    abstract String action();

    @Override
    public Integer call() {
      rollout.parent.out.println(progress(rollout.client().rolloutAction(id, action())));
      return ExitCode.OK;
    }
  }

  @Command(name = "pause", mixinStandardHelpOptions = true, description = "Pause a rollout before its next wave.")
  static final class Pause extends Action {
    @Override
    String action() {
      return "pause";
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume a paused rollout.")
  static final class Resume extends Action {
    @Override
    String action() {
      return "resume";
    }
  }

  @Command(name = "abort", mixinStandardHelpOptions = true,
      description = "Abort a rollout where it is: agents keep the config they have, the rest get nothing.")
  static final class Abort extends Action {
    @Override
    String action() {
      return "abort";
    }
  }
}

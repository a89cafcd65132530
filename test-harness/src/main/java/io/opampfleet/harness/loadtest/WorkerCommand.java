package io.opampfleet.harness.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code loadtest worker}: runs the share of a load test's agents its coordinator gives it, and
 * sends what they go through every second. Started by the coordinator on its own machine, or by
 * hand on another host, with that host's own TLS material.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
    description = "Runs a share of a load test's agents for a coordinator (loadtest --remote-workers).")
final class WorkerCommand implements Callable<Integer> {
  @Option(names = "--coordinator", required = true, description = "The coordinator's host:port")
  String coordinator;
  @Option(names = "--name", description = "This worker's name in the report (default: host and process id)")
  String name;
  @Mixin
  AgentTlsOptions tls = new AgentTlsOptions();

  @Override
  public Integer call() throws Exception {
    try (ControlChannel channel = new ControlChannel(connect())) {
      channel.send("hello", "name", name != null ? name
          : InetAddress.getLocalHost().getHostName() + "/" + ProcessHandle.current().pid());
      JsonNode assign = channel.read();
      if (!assign.get("type").asText().equals("assign")) {
        throw new LoadtestException("the coordinator sent " + assign.get("type").asText() + " before the agents to run");
      }
      FleetPlan plan = ControlChannel.JSON.treeToValue(assign.get("plan"), FleetPlan.class);
      try {
        return run(channel, plan);
      } catch (LoadtestException e) {
        channel.send("failed", "error", e.getMessage());
        throw e;
      }
    } catch (LoadtestException e) {
      System.err.println("loadtest worker: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      System.err.println("loadtest worker: lost the coordinator " + coordinator + ": " + e.getMessage());
      return 2;
    }
  }

  private int run(ControlChannel channel, FleetPlan plan) throws Exception {
    tls.check(plan.endpoints());
    AgentCertificates certificates = tls.certificates(plan);
    channel.send("ready");
    JsonNode go = channel.read();
    if (!go.get("type").asText().equals("go")) {
      throw new LoadtestException("the coordinator sent " + go.get("type").asText() + " instead of go");
    }
    Timeline timeline = new Timeline();
    TimelineDeltas deltas = new TimelineDeltas(timeline);
    CountDownLatch stop = new CountDownLatch(1);
    Thread ramping = Thread.currentThread();
    Thread reader = new Thread(() -> {
      follow(channel, timeline, stop);
      // Told to stop, or lost the coordinator, during the ramp: connect no more agents.
      ramping.interrupt();
    }, "coordinator");
    reader.setDaemon(true);
    reader.start();
    long[] heap = {0};
    try (AgentFleet fleet = new AgentFleet(plan, certificates, tls.sources(), timeline)) {
      fleet.everySecond(() -> {
        if (heap[0] == 0 && timeline.connected.sum() >= plan.count()) {
          heap[0] = Math.max(1, fleet.heapBytesPerAgent());
        }
        sendQuietly(channel, deltas.next(heap[0]));
      });
      try {
        fleet.connect();
        stop.await();
      } catch (InterruptedException e) {
        // stopped
      }
    }
    Thread.interrupted();
    channel.send("delta", "delta", deltas.next(heap[0]));
    channel.send("done");
    return 0;
  }

  /** Takes the coordinator's messages: the rollout's start, and stop (or its loss, which stops too). */
  private static void follow(ControlChannel channel, Timeline timeline, CountDownLatch stop) {
    try {
      while (true) {
        JsonNode message = channel.read();
        switch (message.get("type").asText()) {
          case "start" -> {
            timeline.rolloutStarts(WallClock.toNanoTime(message.get("epochMicros").asLong()));
            channel.send("started");
          }
          case "stop" -> {
            stop.countDown();
            return;
          }
          default -> System.err.println("loadtest worker: ignored an unknown message " + message.get("type"));
        }
      }
    } catch (IOException e) {
      System.err.println("loadtest worker: lost the coordinator: " + e.getMessage());
      stop.countDown();
    }
  }

  private static void sendQuietly(ControlChannel channel, TimelineDelta delta) {
    try {
      channel.send("delta", "delta", delta);
    } catch (IOException e) {
      // The reader notes the coordinator gone and stops the run.
    }
  }

  /** The coordinator, tried for a while: a worker may start before it listens. */
  private Socket connect() throws IOException, InterruptedException {
    int colon = coordinator.lastIndexOf(':');
    if (colon < 1) {
      throw new LoadtestException("--coordinator must be host:port, not " + coordinator);
    }
    InetSocketAddress address = new InetSocketAddress(coordinator.substring(0, colon),
        Integer.parseInt(coordinator.substring(colon + 1)));
    long end = System.nanoTime() + 30_000_000_000L;
    while (true) {
      try {
        Socket socket = new Socket();
        socket.connect(address, 5_000);
        return socket;
      } catch (IOException e) {
        if (System.nanoTime() > end) {
          throw new LoadtestException("cannot reach the coordinator at " + coordinator + ": " + e.getMessage());
        }
        Thread.sleep(500);
      }
    }
  }
}

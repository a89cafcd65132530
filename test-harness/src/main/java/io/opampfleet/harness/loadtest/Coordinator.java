package io.opampfleet.harness.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a load test's agents in worker processes: some it starts on this machine, others started
 * on other hosts join it ({@code loadtest worker --coordinator host:port}). Each gets an equal share
 * of the agents and of the ramp; what their agents go through is added, every second, to the run's
 * timeline (and to each worker's own), so the figures of the whole run are exact sums.
 */
final class Coordinator implements Load {
  private static final long JOIN_SECONDS = 120;
  private static final long ANSWER_SECONDS = 30;

  private final FleetPlan plan;
  private final int localWorkers;
  private final int remoteWorkers;
  private final InetSocketAddress listen;
  private final List<String> workerOptions;
  private final Timeline timeline;
  private final List<Worker> workers = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  private ServerSocket server;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean lost;

  /** One worker as the coordinator sees it: its channel, its share and its own timeline. */
  private static final class Worker {
    final ControlChannel channel;
    final String name;
    final Timeline timeline = new Timeline();
    volatile FleetPlan share;
    volatile long heapBytesPerAgent;
    final CountDownLatch ready = new CountDownLatch(1);
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch done = new CountDownLatch(1);

    Worker(ControlChannel channel, String name) {
      this.channel = channel;
      this.name = name;
    }
  }

  /**
   * @param workerOptions the options each local worker is started with (its TLS material)
   */
  Coordinator(FleetPlan plan, int localWorkers, int remoteWorkers, InetSocketAddress listen,
      List<String> workerOptions, Timeline timeline) {
    this.plan = plan;
    this.localWorkers = localWorkers;
    this.remoteWorkers = remoteWorkers;
    this.listen = listen;
    this.workerOptions = workerOptions;
    this.timeline = timeline;
  }

  /** Starts the local workers, waits for every worker to join, and gives each its share of the agents. */
  @Override
  public void connect() throws InterruptedException {
    int expected = localWorkers + remoteWorkers;
    try {
      server = new ServerSocket();
      server.bind(listen);
      String address = server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
      System.out.printf("loadtest: coordinator on %s, waiting for %d workers (%d started here%s)%n", address,
          expected, localWorkers, remoteWorkers == 0 ? "" : "; start the others with: loadtest worker --coordinator "
              + address);
      for (int i = 0; i < localWorkers; i++) {
        processes.add(startLocal(i, server.getLocalPort()));
      }
      server.setSoTimeout((int) TimeUnit.SECONDS.toMillis(JOIN_SECONDS));
      while (workers.size() < expected) {
        Socket socket;
        try {
          socket = server.accept();
        } catch (SocketTimeoutException e) {
          throw new LoadtestException(workers.size() + " of " + expected + " workers joined within " + JOIN_SECONDS
              + " s");
        }
        ControlChannel channel = new ControlChannel(socket);
        JsonNode hello;
        try {
          // A connection that says nothing, or not hello, is no worker: it does not hold up the others.
          socket.setSoTimeout(10_000);
          hello = channel.read();
          socket.setSoTimeout(0);
        } catch (IOException e) {
          channel.close();
          continue;
        }
        if (!hello.get("type").asText().equals("hello")) {
          channel.close();
          continue;
        }
        String name = hello.path("name").asText(channel.peer());
        workers.add(new Worker(channel, name.isBlank() ? channel.peer() : name.substring(0, Math.min(100,
            name.length()))));
      }
    } catch (IOException e) {
      throw new LoadtestException("the coordinator cannot run its workers: " + e.getMessage());
    }
    int first = 0;
    int rampEach = Math.max(1, (int) Math.ceil(plan.ramp() / (double) workers.size()));
    for (int i = 0; i < workers.size(); i++) {
      Worker worker = workers.get(i);
      int count = plan.count() / workers.size() + (i < plan.count() % workers.size() ? 1 : 0);
      worker.share = plan.share(plan.first() + first, count, rampEach);
      first += count;
      sendOrLose(worker, "assign", "plan", worker.share);
      Thread reader = new Thread(() -> follow(worker), "worker-" + i);
      reader.setDaemon(true);
      reader.start();
    }
    // Each reads or mints its agents' certificates first; then all ramp up together.
    for (Worker worker : workers) {
      if (!worker.ready.await(JOIN_SECONDS, TimeUnit.SECONDS)) {
        throw new LoadtestException("worker " + worker.name + " was not ready within " + JOIN_SECONDS + " s");
      }
    }
    for (Worker worker : workers) {
      sendOrLose(worker, "go", null, null);
    }
  }

  /** Tells every worker when the rollout starts, and returns once each knows (or is gone). */
  @Override
  public void rolloutStarts(long nanoTime) throws InterruptedException {
    timeline.rolloutStarts(nanoTime);
    long micros = WallClock.toEpochMicros(nanoTime);
    for (Worker worker : workers) {
      sendOrLose(worker, "start", "epochMicros", micros);
    }
    for (Worker worker : workers) {
      if (!worker.started.await(ANSWER_SECONDS, TimeUnit.SECONDS)) {
        timeline.error("worker did not answer");
      }
    }
  }

  @Override
  public long heapBytesPerAgent() {
    long total = 0;
    for (Worker worker : workers) {
      total += worker.share == null ? 0 : worker.heapBytesPerAgent * worker.share.count();
    }
    return total / Math.max(1, plan.count());
  }

  @Override
  public boolean complete() {
    return !lost;
  }

  @Override
  public List<Report.Worker> workers() {
    return workers.stream().filter(worker -> worker.share != null)
        .map(worker -> Report.Worker.of(worker.name, worker.share.count(), worker.timeline)).toList();
  }

  /** Stops every worker's agents and waits for their last figures. */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    for (Worker worker : workers) {
      sendOrLose(worker, "stop", null, null);
    }
    try {
      for (Worker worker : workers) {
        // A worker that joined but was given nothing (the others did not come) has nothing to send.
        if (worker.share != null && !worker.done.await(ANSWER_SECONDS, TimeUnit.SECONDS)) {
          System.err.printf("loadtest: worker %s sent no last figures within %d s%n", worker.name, ANSWER_SECONDS);
        }
        worker.channel.close();
      }
      for (Process process : processes) {
        if (!process.waitFor(ANSWER_SECONDS, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      processes.forEach(Process::destroyForcibly);
    }
    if (server != null) {
      try {
        server.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }

  /** Reads a worker's messages until it is done or gone. */
  private void follow(Worker worker) {
    try {
      while (true) {
        JsonNode message = worker.channel.read();
        switch (message.get("type").asText()) {
          case "delta" -> {
            TimelineDelta delta = ControlChannel.JSON.treeToValue(message.get("delta"), TimelineDelta.class);
            timeline.add(delta);
            worker.timeline.add(delta);
            if (delta.heapBytesPerAgent() > 0) {
              worker.heapBytesPerAgent = delta.heapBytesPerAgent();
            }
          }
          case "ready" -> worker.ready.countDown();
          case "started" -> worker.started.countDown();
          case "failed" -> {
            System.err.printf("loadtest: worker %s failed: %s%n", worker.name, message.path("error").asText());
            timeline.error("worker failed");
            lost = true;
          }
          case "done" -> {
            worker.done.countDown();
            return;
          }
          default -> throw new IOException("an unknown message: " + message.get("type").asText());
        }
      }
    } catch (IOException | LoadtestException e) {
      System.err.printf("loadtest: worker %s is gone: %s%n", worker.name, e.getMessage());
      timeline.error("worker lost");
      lost = true;
      worker.channel.close();
      worker.ready.countDown();
      worker.started.countDown();
      worker.done.countDown();
    }
  }

  private void sendOrLose(Worker worker, String type, String field, Object value) {
    try {
      worker.channel.send(type, field, value);
    } catch (IOException e) {
      // Its reader notes it gone.
      worker.channel.close();
    }
  }

  /** A worker process on this machine, on this JVM's runtime, options and class path. */
  private Process startLocal(int index, int port) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(option -> !option.startsWith("-agentlib:jdwp")).toList());
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), LoadtestCommand.class.getName(), "worker",
        "--coordinator", "127.0.0.1:" + port, "--name", "local-" + (index + 1)));
    command.addAll(workerOptions);
    return new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.INHERIT)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }
}

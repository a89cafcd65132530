package io.opampfleet.server.bench;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.opampfleet.netty.server.HttpEndpoint;
import io.opampfleet.netty.server.OpampServer;
import io.opampfleet.server.internal.inventory.Inventory;
import io.opampfleet.server.internal.telemetry.FleetTelemetry;
import io.opampfleet.server.internal.telemetry.OtlpMetricsEndpoint;
import io.opampfleet.server.internal.telemetry.OwnMetricsReading;
import io.opampfleet.server.internal.telemetry.OwnTelemetryCredentials;
import io.opampfleet.server.internal.telemetry.TelemetrySenders;
import io.opampfleet.server.settings.ServerSettings.OwnTelemetry;
import io.opampfleet.simulated.OwnMetricsRequests;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Agents' own metrics at fleet scale: the memory each agent's window takes once full (50,000 agents
 * by default), and OTLP requests ingested a second, in process (next to parsing the same requests
 * alone, the floor of any receiver) and over HTTP on the agents' listener (next to an endpoint that
 * answers at once, the listener's own ceiling). Each baseline is measured in the same run.
 *
 * <p>Run with {@code scripts/own-telemetry-benchmark [agents] [seconds]}.
 */
public final class OwnTelemetryBenchmark {
  private static final OwnTelemetry SETTINGS = new OwnTelemetry(true, Optional.empty(), Duration.ofHours(1), 60,
      1024 * 1024, 1_000_000);

  public static void main(String[] args) throws Exception {
    int agents = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    System.out.printf("own telemetry benchmark: %d agents, %d s per measurement, %d cores, %s, max heap %d MiB%n",
        agents, seconds, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() >> 20);
    List<String> uids = new ArrayList<>();
    Inventory inventory = new Inventory("bench", missing -> List.of());
    for (int i = 0; i < agents; i++) {
      String uid = UUID.randomUUID().toString();
      uids.add(uid);
      inventory.add(uid);
    }
    byte[] body = OwnMetricsRequests.reading(60, 1.5, 120e6, 10_000, 3, 9_900, 0, 10, 1000).toByteArray();
    System.out.printf("one collector's own-metrics request: %d bytes of protobuf%n", body.length);

    memory(uids);
    OwnTelemetryCredentials credentials = new OwnTelemetryCredentials(new byte[32]);
    FleetTelemetry fleet = new FleetTelemetry(SETTINGS);
    OtlpMetricsEndpoint receiver = new OtlpMetricsEndpoint(fleet, new TelemetrySenders(inventory, credentials),
        SETTINGS.maxRequestBytes(), Optional.empty(), System::currentTimeMillis, Optional::empty);
    inProcess(receiver, uids, credentials, body, seconds);
    overHttp(receiver, uids, credentials, body, seconds);
  }

  /** Heap after a full window for every agent, less the heap before: what the windows take. */
  private static void memory(List<String> uids) {
    long before = usedHeap();
    FleetTelemetry fleet = new FleetTelemetry(SETTINGS);
    long start = System.currentTimeMillis();
    for (int sample = 0; sample < SETTINGS.samples(); sample++) {
      OwnMetricsReading reading = OwnMetricsReading.of(OwnMetricsRequests.reading(60 * (sample + 1), sample, 100e6,
          1000L * sample, sample, 990L * sample, 0, 5, 1000));
      for (String uid : uids) {
        fleet.record(uid, reading, start + sample * 60_000L);
      }
    }
    long after = usedHeap();
    System.out.printf("memory: %d agents with %d samples each: %.1f MiB, %d bytes per agent"
        + " (baseline: the heap before, %.1f MiB)%n", uids.size(), SETTINGS.samples(), (after - before) / 1048576.0,
        (after - before) / uids.size(), before / 1048576.0);
    if (fleet.counts(start + SETTINGS.samples() * 60_000L).reporting() != uids.size()) {
      throw new IllegalStateException("not every agent's window was kept");
    }
  }

  private static void inProcess(OtlpMetricsEndpoint receiver, List<String> uids, OwnTelemetryCredentials credentials,
      byte[] body, int seconds) throws Exception {
    int threads = Runtime.getRuntime().availableProcessors();
    double parsing = perSecond(threads, seconds, i -> {
      try {
        ExportMetricsServiceRequest.parseFrom(body);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    List<HttpEndpoint.Request> requests = new ArrayList<>();
    for (String uid : uids) {
      HttpHeaders headers = new DefaultHttpHeaders().set("Content-Type", "application/x-protobuf")
          .set("Authorization", "Bearer " + credentials.credential(uid));
      requests.add(new HttpEndpoint.Request("POST", OtlpMetricsEndpoint.PATH, headers, body, List.of(),
          new InetSocketAddress("127.0.0.1", 1)));
    }
    double receiving = perSecond(threads, seconds, i -> {
      int status = receiver.handle(requests.get(i % requests.size())).toCompletableFuture().join().status();
      if (status != 200) {
        throw new IllegalStateException("answered " + status);
      }
    });
    System.out.printf("in process, %d threads: the receiver %,.0f requests/s (identity, allowance, parse, window);"
        + " baseline: parsing alone %,.0f/s%n", threads, receiving, parsing);
  }

  private static void overHttp(OtlpMetricsEndpoint receiver, List<String> uids, OwnTelemetryCredentials credentials,
      byte[] body, int seconds) throws Exception {
    HttpEndpoint answerAtOnce = request -> CompletableFuture.completedFuture(
        new HttpEndpoint.Answer(200, "application/x-protobuf", new byte[0], Optional.empty()));
    // The callback threads are shut down at the end, or the JVM would wait for them after printing.
    ExecutorService callbacks = Executors.newFixedThreadPool(2);
    try (OpampServer server = OpampServer.builder().bind(new InetSocketAddress("127.0.0.1", 0))
        .endpoint("/v1/metrics", receiver).endpoint("/ceiling", answerAtOnce)
        .callbackExecutor(callbacks).start()) {
      URI base = URI.create("http://127.0.0.1:" + server.address().getPort());
      // Both warmed up first (the JIT, the client's connections), then measured in turns, twice each: the
      // client shares the machine, so the better of each pair is reported.
      overHttp(base.resolve("/ceiling"), uids, credentials, body, Math.max(1, seconds / 3));
      overHttp(base.resolve("/v1/metrics"), uids, credentials, body, Math.max(1, seconds / 3));
      double ceiling = 0;
      double receiving = 0;
      for (int round = 0; round < 2; round++) {
        ceiling = Math.max(ceiling, overHttp(base.resolve("/ceiling"), uids, credentials, body, seconds));
        receiving = Math.max(receiving, overHttp(base.resolve("/v1/metrics"), uids, credentials, body, seconds));
      }
      System.out.printf("over HTTP, 64 requests in flight, the JDK's client on the same machine: the receiver %,.0f"
          + " requests/s; baseline: an endpoint that answers at once %,.0f/s%n", receiving, ceiling);
    } finally {
      callbacks.shutdownNow();
    }
  }

  private static double overHttp(URI uri, List<String> uids, OwnTelemetryCredentials credentials, byte[] body,
      int seconds) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Semaphore inFlight = new Semaphore(64);
    LongAdder done = new LongAdder();
    AtomicInteger failures = new AtomicInteger();
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    long start = System.nanoTime();
    for (int i = 0; System.nanoTime() < end; i++) {
      inFlight.acquire();
      HttpRequest request = HttpRequest.newBuilder(uri).header("Content-Type", "application/x-protobuf")
          .header("Authorization", "Bearer " + credentials.credential(uids.get(i % uids.size())))
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
      client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
        if (failure != null || response.statusCode() != 200) {
          failures.incrementAndGet();
        }
        done.increment();
        inFlight.release();
      });
    }
    inFlight.acquire(64);
    double rate = done.sum() / ((System.nanoTime() - start) / 1e9);
    if (failures.get() > 0) {
      throw new IllegalStateException(failures.get() + " requests to " + uri + " failed");
    }
    return rate;
  }

  private interface Work {
    void run(int i);
  }

  /** Runs the work on threads for the time, after a warm-up of a third of it; the rate of the measured part. */
  private static double perSecond(int threads, int seconds, Work work) throws Exception {
    run(threads, Math.max(1, seconds / 3), work);
    return run(threads, seconds, work);
  }

  private static double run(int threads, int seconds, Work work) throws Exception {
    LongAdder done = new LongAdder();
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    List<Thread> running = new ArrayList<>();
    AtomicInteger next = new AtomicInteger();
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      Thread thread = new Thread(() -> {
        while (System.nanoTime() < end) {
          work.run(next.getAndIncrement() & Integer.MAX_VALUE);
          done.increment();
        }
      });
      thread.start();
      running.add(thread);
    }
    for (Thread thread : running) {
      thread.join();
    }
    return done.sum() / ((System.nanoTime() - start) / 1e9);
  }

  private static long usedHeap() {
    for (int i = 0; i < 4; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}

package io.opampfleet.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ScheduledJobTest {
  @Test
  void aJobRunsAgainOnScheduleAfterARunThrowsAnExceptionOrAnError() throws InterruptedException {
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    try {
      AtomicInteger runs = new AtomicInteger();
      CountDownLatch thirdRun = new CountDownLatch(1);
      ScheduledFuture<?> scheduled = executor.scheduleWithFixedDelay(ScheduledJob.keptRunning("a test job", () -> {
        switch (runs.incrementAndGet()) {
          case 1 -> throw new IllegalStateException("the store is away");
          // The first hostile probe's case: a run out of memory while logging a huge uid.
          case 2 -> throw new OutOfMemoryError("Java heap space");
          default -> thirdRun.countDown();
        }
      }), 0, 1, TimeUnit.MILLISECONDS);

      assertThat(thirdRun.await(10, TimeUnit.SECONDS)).as("runs after two that threw: " + runs.get()).isTrue();
      assertThat(scheduled.isDone()).isFalse();
    } finally {
      executor.shutdownNow();
    }
  }
}

package io.opampfleet.server.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job run on a schedule whose schedule outlives a failed run: an executor cancels a task that throws,
 * for good and without a word, and a job that stops (forgetting silent agents, renewing this server's
 * presence, checking the store) leaves the server wrong until it restarts.
 */
public final class ScheduledJob {
  private static final Logger log = LoggerFactory.getLogger(ScheduledJob.class);

  private ScheduledJob() {}

  /** {@code job} names it in the log: "own metrics: writing to the store". */
  public static Runnable keptRunning(String job, Runnable run) {
    return () -> runKept(job, run);
  }

  /** Runs the job once, here and now, logging rather than throwing what it throws. */
  public static void runKept(String job, Runnable run) {
    try {
      run.run();
    } catch (RuntimeException | Error e) {
      // An error too (a run out of memory, say): the next run may well succeed, a cancelled job never does.
      log.warn("{} failed: {}", job, PrintableText.of(e.toString(), 500));
    }
  }
}

package io.opampfleet.harness.loadtest;

import java.util.List;

/** The agents of a run, in this process or in workers, all counted in the run's timeline. */
interface Load extends AutoCloseable {
  /** Starts connecting every agent at the run's ramp. */
  void connect() throws InterruptedException;

  /** Marks the rollout's start, before it is asked for, so that no agent's config comes before it. */
  void rolloutStarts(long nanoTime) throws InterruptedException;

  /** The heap taken per agent by the processes running them. */
  long heapBytesPerAgent();

  /** Whether every agent's process ran to the end (no worker was lost or failed). */
  default boolean complete() {
    return true;
  }

  /** Each worker's own figures; none when the agents run in this process. */
  List<Report.Worker> workers();

  /** Stops the agents; their last figures are in the timeline on return. Once: later calls do nothing. */
  @Override
  void close();
}

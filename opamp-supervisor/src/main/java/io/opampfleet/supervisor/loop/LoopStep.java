package io.opampfleet.supervisor.loop;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A piece of work for the supervisor's loop (the one thread that makes every change). */
@FunctionalInterface
public interface LoopStep {
  void run() throws Exception;

  /** The step as a task that logs a failure rather than ending the loop's thread. */
  static Runnable guarded(LoopStep step) {
    return () -> {
      try {
        step.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        LoggerFactory.getLogger(LoopStep.class).error("supervisor step failed: {}", e.toString());
      }
    };
  }
}
